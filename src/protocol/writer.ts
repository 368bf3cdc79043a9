// Growable writer. Small fields go into a scratch buffer; large byte fields
// (record batches) are kept as separate chunks, so a fetch response hands the
// log's bytes to the socket without copying them.

import { writeInt64 } from './varint.js';

const INITIAL_SIZE = 256;
/** Byte fields at least this large are referenced, not copied. */
const ZERO_COPY_THRESHOLD = 4096;

export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private chunkStart = 0;
  private flushedLength = 0;

  constructor(initialSize = INITIAL_SIZE) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.flushedLength + this.pos - this.chunkStart;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.cut();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    this.pos = 0;
    this.chunkStart = 0;
  }

  /** Ends the current chunk of the scratch buffer. */
  private cut(): void {
    if (this.pos > this.chunkStart) {
      this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
      this.flushedLength += this.pos - this.chunkStart;
      this.chunkStart = this.pos;
    }
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    if (typeof v === 'bigint') this.buf.writeBigInt64BE(v, this.pos);
    else writeInt64(this.buf, this.pos, v);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Appends bytes; large ones are referenced rather than copied. */
  raw(bytes: Buffer): this {
    if (bytes.length >= ZERO_COPY_THRESHOLD) {
      this.cut();
      this.chunks.push(bytes);
      this.flushedLength += bytes.length;
      return this;
    }
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
    return this;
  }

  length32(n: number, compact: boolean): this {
    return compact ? this.uvarint(n + 1) : this.int32(n);
  }

  string(v: string | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int16(-1);
    const n = Buffer.byteLength(v);
    if (compact) this.uvarint(n + 1);
    else this.int16(n);
    this.ensure(n);
    this.buf.write(v, this.pos, 'utf8');
    this.pos += n;
    return this;
  }

  bytes(v: Buffer | null, compact: boolean): this {
    if (v === null) return this.length32(-1, compact);
    this.length32(v.length, compact);
    return this.raw(v);
  }

  /** Returns the bytes written so far as chunks, in order. */
  chunksOut(): Buffer[] {
    this.cut();
    return this.chunks;
  }

  /** Returns the bytes written so far as one buffer. */
  toBuffer(): Buffer {
    const chunks = this.chunksOut();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.flushedLength);
  }
}
