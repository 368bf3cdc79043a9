// A stored record as the HTTP API shows it, one JSON object: partition,
// offset, timestamp, key, value (UTF-8 text, or base64 with keyEncoding /
// valueEncoding "base64"), headers. GET /topics/{t}/records sends one per line,
// the stream routes one per event or message.

import type { Record as StoredRecord } from '../protocol/records.js';

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text when the bytes are valid UTF-8, else base64 (the record says which). */
function textOf(bytes: Buffer | null): { text: string | null; base64: boolean } {
  if (bytes === null) return { text: null, base64: false };
  try {
    return { text: fatalUtf8.decode(bytes), base64: false };
  } catch {
    return { text: bytes.toString('base64'), base64: true };
  }
}

export function recordJson(partition: number, r: StoredRecord): string {
  return JSON.stringify(recordObject(partition, r));
}

/** The object recordJson writes, for answers that hold records among other fields. */
export function recordObject(partition: number, r: StoredRecord) {
  const key = textOf(r.key);
  const value = textOf(r.value);
  const headers: { [name: string]: string | null } = {};
  for (const h of r.headers) headers[h.key] = h.value === null ? null : h.value.toString('utf8');
  return {
    partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: key.text,
    ...(key.base64 ? { keyEncoding: 'base64' } : {}),
    value: value.text,
    ...(value.base64 ? { valueEncoding: 'base64' } : {}),
    headers,
  };
}
