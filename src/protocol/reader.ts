// Bounds-checked reader over one request or response frame. Every length or
// count read from the wire is checked against the bytes that remain before
// anything is allocated, so a hostile frame can cost at most its own size.

import { MalformedFrameError } from './malformed-frame-error.js';

export class Reader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new MalformedFrameError(`${what} needs ${n} bytes at offset ${this.offset}, ${this.remaining} remain`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.offset++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** int64 as a JS number: offsets and timestamps stay far below 2^53. */
  int64(): number {
    this.need(8, 'int64');
    const v = Number(this.buf.readBigInt64BE(this.offset));
    this.offset += 8;
    return v;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint of at most 5 bytes (32 bits). */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1, 'varint');
      const b = this.buf[this.offset++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new MalformedFrameError('varint longer than 5 bytes');
  }

  /** Zigzag varint (record fields), 32 bits. */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zigzag varlong (record fields) as a number; record deltas fit in 53 bits. */
  varlong(): number {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1, 'varlong');
      const b = this.buf[this.offset++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number((result >> 1n) ^ -(result & 1n));
    }
    throw new MalformedFrameError('varlong longer than 10 bytes');
  }

  uuid(): Buffer {
    this.need(16, 'uuid');
    const v = this.buf.subarray(this.offset, this.offset + 16);
    this.offset += 16;
    return v;
  }

  /** Raw bytes without a copy: the result shares memory with the frame. */
  take(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  skip(n: number): void {
    this.need(n, 'skip');
    this.offset += n;
  }

  /** Length of a string/bytes field; -1 means null. Compact lengths are stored plus one. */
  length(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new MalformedFrameError(`negative length ${n}`);
    return n;
  }

  string(compact: boolean): string | null {
    const n = compact ? this.uvarint() - 1 : this.int16();
    if (n < -1) throw new MalformedFrameError(`negative string length ${n}`);
    if (n === -1) return null;
    this.need(n, 'string');
    const v = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  bytes(compact: boolean): Buffer | null {
    const n = this.length(compact);
    return n === -1 ? null : this.take(n);
  }

  /**
   * Number of entries in a tagged-field section (KIP-482). A plain uvarint,
   * not a compact length: no +1, no null. Each entry takes at least 2 bytes
   * (tag and size), which bounds the count before the caller loops.
   */
  tagCount(): number {
    const n = this.uvarint();
    if (n * 2 > this.remaining) throw new MalformedFrameError(`${n} tagged fields cannot fit in ${this.remaining} bytes`);
    return n;
  }

  /**
   * Element count of an array; -1 means null. Checked against the bytes left,
   * given the smallest size one element can take, before the caller allocates.
   */
  arrayLength(compact: boolean, minElementSize: number): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new MalformedFrameError(`negative array length ${n}`);
    if (n > 0 && n * Math.max(minElementSize, 1) > this.remaining) {
      throw new MalformedFrameError(`array of ${n} elements cannot fit in ${this.remaining} bytes`);
    }
    return n;
  }
}
