// Builds one RecordBatch v2 in a single growing buffer: the 61-byte header is
// reserved, each record is appended with its varints written in place (its
// size is computed first, so the length prefix needs no second copy), and at
// build() the header is filled in and CRC32C computed once. With a codec, the
// records section is compressed in one call and the header copied before it.
//
//   buf: [ header (reserved) | record 0 | record 1 | ... ]   pos = end of the last record
//
// Record layout (see records.ts): length varint, attributes int8,
// timestampDelta varlong, offsetDelta varint, key, value, headers.

import { compress } from './compression.js';
import { Attr, BATCH_HEADER_SIZE, Codec, writeCrc } from './record-batch.js';
import type { BatchOptions, NewRecord, RecordHeader } from './records.js';
import { uvarintSize, varintSize, writeInt64, writeVarint } from './varint.js';

export class BatchBuilder {
  private buf: Buffer;
  private pos = BATCH_HEADER_SIZE;
  private count = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;

  /** Starts with `initial` bytes of room, or in the given buffer (its contents are overwritten; it is replaced once too small). */
  constructor(initial: number | Buffer = 1024) {
    const minBytes = BATCH_HEADER_SIZE + 16;
    if (typeof initial === 'number') this.buf = Buffer.allocUnsafe(Math.max(initial, minBytes));
    else this.buf = initial.length >= minBytes ? initial : Buffer.allocUnsafe(minBytes);
  }

  /** The buffer the records are written into (grown as needed); build() returns a view of it unless a codec is used. */
  get storage(): Buffer {
    return this.buf;
  }

  get recordCount(): number {
    return this.count;
  }

  /** The batch's size so far without compression, header included. */
  get sizeInBytes(): number {
    return this.pos;
  }

  /**
   * Appends `record` with create time `timestamp` (ms) unless the batch is
   * not empty and would then exceed `limitBytes` (uncompressed); a first
   * record always goes in, however large, as in Kafka. Returns whether it was
   * appended.
   */
  tryAppend(record: NewRecord, timestamp: number, limitBytes = Infinity): boolean {
    if (this.count === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    }
    const key = record.key ?? null;
    const value = record.value;
    const headers = record.headers;
    const timestampDelta = timestamp - this.baseTimestamp;
    let bodySize = 1 + varintSize(timestampDelta) + varintSize(this.count) + varBytesSize(key) + varBytesSize(value);
    bodySize += headers ? headersSize(headers) : 1;
    const total = varintSize(bodySize) + bodySize;
    if (this.count > 0 && this.pos + total > limitBytes) return false;
    this.ensure(total);
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, bodySize);
    buf[p++] = 0; // attributes: unused by magic 2 records
    p = writeVarint(buf, p, timestampDelta);
    p = writeVarint(buf, p, this.count);
    p = writeVarBytes(buf, p, key);
    p = writeVarBytes(buf, p, value);
    if (headers) {
      p = writeVarint(buf, p, headers.length);
      for (const h of headers) {
        const n = Buffer.byteLength(h.key);
        p = writeVarint(buf, p, n);
        p += buf.write(h.key, p, n, 'utf8');
        p = writeVarBytes(buf, p, h.value);
      }
    } else {
      buf[p++] = 0; // no headers
    }
    this.pos = p;
    this.count++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return true;
  }

  /** Fills in the header and returns the batch; the builder must not be used afterwards. */
  build(opts: BatchOptions = {}): Buffer {
    if (this.count === 0) throw new RangeError('a record batch needs at least one record');
    const codec = opts.codec ?? Codec.None;
    let batch = this.buf.subarray(0, this.pos);
    if (codec !== Codec.None) {
      const compressed = compress(codec, this.buf.subarray(BATCH_HEADER_SIZE, this.pos));
      batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
      compressed.copy(batch, BATCH_HEADER_SIZE);
    }
    writeInt64(batch, 0, opts.baseOffset ?? 0);
    batch.writeInt32BE(batch.length - 12, 8);
    batch.writeInt32BE(-1, 12); // partitionLeaderEpoch: the broker sets it
    batch[16] = 2; // magic
    batch.writeInt16BE(codec | (opts.transactional ? Attr.Transactional : 0), 21);
    batch.writeInt32BE(this.count - 1, 23);
    writeInt64(batch, 27, this.baseTimestamp);
    writeInt64(batch, 35, this.maxTimestamp);
    writeInt64(batch, 43, opts.producerId ?? -1);
    batch.writeInt16BE(opts.producerEpoch ?? -1, 51);
    batch.writeInt32BE(opts.baseSequence ?? -1, 53);
    batch.writeInt32BE(this.count, 57);
    writeCrc(batch, 0);
    return batch;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

function varBytesSize(b: Buffer | null): number {
  return b === null ? 1 : uvarintSize(b.length * 2) + b.length;
}

function headersSize(headers: RecordHeader[]): number {
  let n = varintSize(headers.length);
  for (const h of headers) {
    const keyLength = Buffer.byteLength(h.key);
    n += varintSize(keyLength) + keyLength + varBytesSize(h.value);
  }
  return n;
}

function writeVarBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, b.length);
  b.copy(buf, pos);
  return pos + b.length;
}
