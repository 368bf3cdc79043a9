// Java's .properties format, as Kafka's tools read --command-config files:
// `key=value`, `key: value` or `key value`; `#` and `!` start comments; a line
// ending in an odd number of backslashes continues on the next one (leading
// blanks of that line dropped); a backslash escapes the next character
// (\t \n \r \f as in Java). Each entry remembers the line it starts on, so that
// errors can name it. Unicode escapes (\uXXXX) are not read: UTF-8 files need none.

import { ConfigError } from '../errors.js';

export interface Property {
  key: string;
  value: string;
  /** Where it was given: `file:line`. */
  source: string;
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

/** Whether `line` ends in an odd number of backslashes: the entry goes on. */
function continues(line: string): boolean {
  const trailing = /\\*$/.exec(line)![0].length;
  return trailing % 2 === 1;
}

export function parseProperties(text: string, file: string): Property[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: Property[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i].replace(/^[ \t\f]+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (continues(logical) && i + 1 < lines.length) logical = logical.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    // The key ends at the first unescaped '=', ':' or blank.
    const separator = /^((?:\\.|[^\\=: \t\f])*)[ \t\f]*([=:]?)[ \t\f]*/.exec(logical)!;
    const key = unescape(separator[1]);
    const source = `${file}:${start}`;
    if (key === '') throw new ConfigError(`${source}: a property needs a name before its value: "${logical}"`);
    if (separator[2] === '' && separator[0].length === logical.length) throw new ConfigError(`${source}: property ${key} has no value; write ${key}=<value>`);
    out.push({ key, value: unescape(logical.slice(separator[0].length)), source });
  }
  return out;
}
