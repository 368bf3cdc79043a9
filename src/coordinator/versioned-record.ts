// Keys and values of the coordinators' internal topics (__consumer_offsets,
// __transaction_state, __share_group_state) in Kafka's layout: an int16
// version, then the fields of that version (described with the schema codec,
// though they are not API messages).

import { MessageCodec, type Message } from '../protocol/codec.js';
import { Reader } from '../protocol/reader.js';
import type { MessageSchema } from '../protocol/schema.js';
import { Writer } from '../protocol/writer.js';

export class VersionedRecord {
  private readonly codec: MessageCodec;

  constructor(readonly schema: MessageSchema) {
    this.codec = new MessageCodec(schema);
  }

  encode(version: number, body: Message): Buffer {
    const w = new Writer(64);
    w.int16(version);
    this.codec.encode(w, body, version);
    return w.toBuffer();
  }

  /** The fields of `buf`, or null when its version is one this codec does not know (skipped, as Kafka skips them). */
  decode(buf: Buffer): Message | null {
    const r = new Reader(buf);
    const version = r.int16();
    if (version < this.schema.versions.min || version > this.schema.versions.max) return null;
    return this.codec.decode(r, version);
  }

  /** The int16 version a key or value opens with. */
  static versionOf(buf: Buffer): number {
    return new Reader(buf).int16();
  }
}
