// Serialization for the facade client (`connect()`): what goes out as bytes
// and how bytes come back. Out: a Buffer (or any Uint8Array) stays bytes, a
// string is UTF-8, null/undefined is a null field (a tombstone as a value),
// anything else is JSON. In: as the reader chose, 'buffer', 'string', 'json'
// or a function of its own. Headers are a plain object both ways; Kafka allows
// a header name to repeat, a plain object cannot, so on the way in the last
// one of a name wins.

import type { RecordHeader } from '../protocol/records.js';

/** A header value as given to `send()`: a string (sent as UTF-8) or bytes. */
export type HeaderValue = string | Buffer;

/** Record headers as a plain object, `{ name: value }`. */
export type Headers = Record<string, HeaderValue>;

/** How a key or value read from Kafka is decoded: bytes as they are, UTF-8 text, or parsed JSON. */
export type Format = 'buffer' | 'string' | 'json';

/** Turns a key or value read from Kafka (null when the record has none) into what the application wants. */
export type Deserializer<T> = (bytes: Buffer | null) => T;

/** Turns what the application sends into the bytes of a key or value (null: no key, or a tombstone). */
export type Serializer = (data: unknown) => Buffer | null;

/** Replaces the default encoding (Buffer as is, string as UTF-8, otherwise JSON) of keys, values or both. */
export interface Serializers {
  key?: Serializer;
  value?: Serializer;
}

/** The default encoding of keys and values. */
export const toBytes: Serializer = (data) => {
  if (data === null || data === undefined) return null;
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(JSON.stringify(data), 'utf8');
};

/** What a format decodes to; a null field stays null in every format. */
export type Decoded<F> = F extends 'buffer' ? Buffer | null : F extends 'string' ? string | null : F extends Deserializer<infer T> ? T : unknown;

/** The decoder for `format`. */
export function deserializerFor<F extends Format | Deserializer<unknown>>(format: F): Deserializer<Decoded<F>> {
  if (typeof format === 'function') return format as Deserializer<Decoded<F>>;
  switch (format) {
    case 'buffer':
      return ((b) => b) as Deserializer<Decoded<F>>;
    case 'string':
      return ((b) => (b === null ? null : b.toString('utf8'))) as Deserializer<Decoded<F>>;
    default:
      return ((b) => (b === null ? null : JSON.parse(b.toString('utf8')))) as Deserializer<Decoded<F>>;
  }
}

/** Headers given as a plain object, as Kafka record headers (strings as UTF-8). */
export function encodeHeaders(headers: Headers | undefined): RecordHeader[] | undefined {
  if (!headers) return undefined;
  return Object.entries(headers).map(([key, value]) => ({ key, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value }));
}

/** Headers as a plain object of strings (UTF-8) or of Buffers; a header with a null value reads as ''/an empty Buffer. */
export function decodeHeaders(headers: RecordHeader[], as: 'string'): Record<string, string>;
export function decodeHeaders(headers: RecordHeader[], as: 'buffer'): Record<string, Buffer>;
export function decodeHeaders(headers: RecordHeader[], as: 'string' | 'buffer'): Record<string, string | Buffer>;
export function decodeHeaders(headers: RecordHeader[], as: 'string' | 'buffer'): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const h of headers) {
    const bytes = h.value ?? Buffer.alloc(0);
    // defineProperty, not assignment: a header named __proto__ must stay a header.
    Object.defineProperty(out, h.key, { value: as === 'string' ? bytes.toString('utf8') : bytes, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
