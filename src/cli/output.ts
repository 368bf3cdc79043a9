// Human and machine output of the info commands. Tables follow what rpk
// users know: UPPERCASE headers, columns aligned with spaces, '-' where a
// value does not apply. --json prints the same data as one JSON document.

export type Cell = string | number | boolean | null;

/**
 * Aligned columns, two spaces apart; the last column is not padded, so lines
 * carry no trailing blanks. `headers` null prints rows only (key/value summaries).
 */
export function formatTable(headers: string[] | null, rows: Cell[][]): string {
  const text = [...(headers ? [headers] : []), ...rows.map((r) => r.map((c) => (c === null ? '-' : String(c))))];
  const columns = Math.max(0, ...text.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  return text.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** A titled block of a multi-section report, underlined as rpk does. */
export function formatSection(title: string, body: string): string {
  return `${title}\n${'='.repeat(title.length)}\n${body}`;
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export function print(text: string): void {
  process.stdout.write(text);
}
