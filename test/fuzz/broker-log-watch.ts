// Reads a broker's output while it is fuzzed: what it wrote to stderr (a
// crash or an uncaught exception; the broker logs only to stdout), and its
// "request handler failed" errors (a handler threw; the connection was
// closed) counted by API key and message, with one stack kept per kind.

export interface HandlerFailure {
  apiKey: number;
  message: string;
  count: number;
  stack: string;
}

export class BrokerLogWatch {
  readonly stderr: string[] = [];
  readonly handlerFailures = new Map<string, HandlerFailure>();
  unreadableCloses = 0;

  readonly onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    if (stream === 'stderr') {
      if (this.stderr.length < 200) this.stderr.push(line);
      return;
    }
    // Cheap filter first: most lines are neither.
    if (!line.includes('request handler failed') && !line.includes('unreadable request')) return;
    let entry: { msg?: string; apiKey?: number; err?: { message?: string; stack?: string } };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.msg === 'closing connection: unreadable request') this.unreadableCloses++;
    if (entry.msg !== 'request handler failed') return;
    const message = entry.err?.message ?? '?';
    const key = `${entry.apiKey} ${message}`;
    const known = this.handlerFailures.get(key);
    if (known) known.count++;
    else this.handlerFailures.set(key, { apiKey: entry.apiKey ?? -1, message, count: 1, stack: entry.err?.stack ?? '' });
  };

  /** One line per kind of handler failure, most frequent first. */
  handlerFailureSummary(): string[] {
    return [...this.handlerFailures.values()]
      .sort((a, b) => b.count - a.count)
      .map((f) => `${f.count}x api ${f.apiKey}: ${f.message} (${f.stack.split('\n').slice(1, 4).map((s) => s.trim()).join(' ← ')})`);
  }
}
