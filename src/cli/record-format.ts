// How `sluice consume` prints a record: a --format template or a JSON line.
// The template is compiled once into a list of pieces, so the per-record
// work is one pass of string concatenation.
//
// Tokens: %k key, %v value, %t topic, %p partition, %o offset,
// %T timestamp (ms), %h headers as k=v,k=v, %% a percent sign;
// escapes \n, \t and \\. Keys, values and headers print as UTF-8; a null
// key or value prints as "null", as kafka-console-consumer does.

import { InvalidArgumentError } from 'commander';
import type { ConsumedRecord } from '../client/consumer.js';

export type RecordFormatter = (r: ConsumedRecord) => string;

function text(b: Buffer | null): string {
  return b === null ? 'null' : b.toString('utf8');
}

const TOKENS: Record<string, RecordFormatter> = {
  k: (r) => text(r.key),
  v: (r) => text(r.value),
  t: (r) => r.topic,
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  T: (r) => String(r.timestamp),
  h: (r) => r.headers.map((h) => `${h.key}=${text(h.value)}`).join(','),
};

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\' };

/** Compiles a --format template; throws InvalidArgumentError naming an unknown token. */
export function compileFormat(format: string): RecordFormatter {
  const pieces: (string | RecordFormatter)[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%' && c !== '\\') {
      literal += c;
      continue;
    }
    const at = i;
    const next = format[++i];
    if (c === '\\' && next !== undefined && Object.hasOwn(ESCAPES, next)) literal += ESCAPES[next];
    else if (c === '%' && next === '%') literal += '%';
    else if (c === '%' && next !== undefined && Object.hasOwn(TOKENS, next)) {
      if (literal) pieces.push(literal);
      literal = '';
      pieces.push(TOKENS[next]);
    } else {
      const known = c === '%' ? '%k %v %t %p %o %T %h %%' : '\\n \\t \\\\';
      throw new InvalidArgumentError(`unknown ${c}${next ?? ''} at position ${at}; known: ${known}.`);
    }
  }
  if (literal) pieces.push(literal);
  return (r) => {
    let out = '';
    for (const p of pieces) out += typeof p === 'string' ? p : p(r);
    return out;
  };
}

/** One JSON object per record; bytes as UTF-8 strings, null stays null. */
export function formatRecordJson(r: ConsumedRecord): string {
  const utf8 = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));
  return JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: utf8(r.key),
    value: utf8(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: utf8(h.value) })),
  });
}
