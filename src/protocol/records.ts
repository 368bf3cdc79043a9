// Record-level encoding inside a RecordBatch v2, for the places that must look
// inside a batch (the client, ListOffsets by timestamp, later compaction and
// filters). The broker's produce and fetch paths never call this.
//
// Record:
//   length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//   keyLength varint (-1 = null), key, valueLength varint (-1 = null), value,
//   headerCount varint, then per header: keyLength varint, key, valueLength varint, value

import { BatchBuilder } from './batch-builder.js';
import { compress, decompress } from './compression.js';
import { MalformedFrameError } from './malformed-frame-error.js';
import { Attr, BATCH_HEADER_SIZE, Codec, type BatchHeader, batchRecordCount, batchSize, readBatchHeader, writeCrc } from './record-batch.js';
import { Reader } from './reader.js';
import { cursor, varint } from './record-varints.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface NewRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Create time in ms; defaults to now. */
  timestamp?: number;
}

export interface BatchOptions {
  codec?: Codec;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  baseOffset?: number;
}

function readVarBytes(r: Reader): Buffer | null {
  const n = r.varint();
  if (n < -1) throw new MalformedFrameError(`negative record field length ${n}`);
  return n === -1 ? null : r.take(n, 'record field');
}

/**
 * Builds one RecordBatch v2 holding `records`, compressed with `codec`.
 * Records without a timestamp get the first record's, or now.
 */
export function encodeBatch(records: NewRecord[], opts: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const baseTimestamp = records[0].timestamp ?? Date.now();
  let bytes = BATCH_HEADER_SIZE;
  for (const r of records) bytes += 16 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  const builder = new BatchBuilder(bytes);
  for (const r of records) builder.tryAppend(r, r.timestamp ?? baseTimestamp);
  return builder.build(opts);
}

/** Upper bound on a batch's decompressed records, guarding against decompression bombs. */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** The records section of the batch at `buf[pos]`, decompressed if needed. */
export function batchRecordBytes(buf: Buffer, pos = 0): Buffer {
  const end = pos + batchSize(buf, pos);
  if (end > buf.length) throw new MalformedFrameError('record batch overruns its buffer');
  const codec = (buf.readInt16BE(pos + 21) & Attr.CodecMask) as Codec;
  const raw = buf.subarray(pos + BATCH_HEADER_SIZE, end);
  return codec === Codec.None ? raw : decompress(codec, raw, MAX_DECOMPRESSED_BYTES);
}

/**
 * Counts the records in a batch's records section by their length prefixes
 * alone (no per-record objects). Throws MalformedFrameError when a length
 * overruns the section or bytes are left over.
 */
export function countRecords(body: Buffer): number {
  // Varints read in place rather than through Reader: this runs for every produced batch.
  let pos = 0;
  let count = 0;
  const end = body.length;
  while (pos < end) {
    const length = varint(body, pos, end);
    if (length < 0 || cursor + length > end) throw new MalformedFrameError(`record length ${length} overruns the batch`);
    pos = cursor + length;
    count++;
  }
  return count;
}

/** Decodes the records of the batch at `buf[pos]`, decompressing if needed. */
export function decodeBatch(buf: Buffer, pos = 0): { header: BatchHeader; records: Record[] } {
  // readBatchHeader reads fixed offsets; a short buffer would otherwise surface as Node's RangeError.
  if (buf.length - pos < BATCH_HEADER_SIZE) throw new MalformedFrameError(`record batch of ${buf.length - pos} bytes is shorter than its header`);
  const header = readBatchHeader(buf, pos);
  const body = batchRecordBytes(buf, pos);
  const r = new Reader(body);
  if (header.recordCount < 0 || header.recordCount > body.length) {
    throw new MalformedFrameError(`record count ${header.recordCount} cannot fit in ${body.length} bytes`);
  }
  const records: Record[] = new Array(header.recordCount);
  for (let i = 0; i < header.recordCount; i++) {
    const length = r.varint();
    const rec = new Reader(body, r.offset, r.offset + length);
    r.skip(length);
    rec.int8();
    const timestampDelta = rec.varlong();
    const offsetDelta = rec.varint();
    const key = readVarBytes(rec);
    const value = readVarBytes(rec);
    const headerCount = rec.varint();
    if (headerCount < 0 || headerCount * 2 > rec.remaining) throw new MalformedFrameError(`bad header count ${headerCount}`);
    const headers: RecordHeader[] = new Array(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const k = readVarBytes(rec);
      headers[h] = { key: k === null ? '' : k.toString('utf8'), value: readVarBytes(rec) };
    }
    records[i] = {
      offset: header.baseOffset + offsetDelta,
      timestamp: header.attributes & Attr.LogAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    };
  }
  return { header, records };
}

/** Calls `fn` for each whole batch laid end to end in `buf` (a fetch or produce payload). */
export function forEachBatch(buf: Buffer, fn: (pos: number, size: number) => void): void {
  let pos = 0;
  while (pos + 12 <= buf.length) {
    const size = batchSize(buf, pos);
    if (size < BATCH_HEADER_SIZE || pos + size > buf.length) return; // a partial trailing batch is cut off by fetch max_bytes
    fn(pos, size);
    pos += size;
  }
}

/** Records in the whole batches of `buf`, summed from their headers (control records included; nothing decoded). */
export function countBatchRecords(buf: Buffer): number {
  let count = 0;
  forEachBatch(buf, (pos) => (count += batchRecordCount(buf, pos)));
  return count;
}

/** One record of a batch's records section, located without copying: what compaction looks at. */
export interface RecordSlice {
  offsetDelta: number;
  /** The key, a view into the records section; null for a null key. */
  key: Buffer | null;
  /** Whether the value is null (a tombstone). */
  valueIsNull: boolean;
  /** The record's bytes in the records section, length prefix included: [start, end). */
  start: number;
  end: number;
}

/** Locates each record of a (decompressed) records section; throws MalformedFrameError on a bad one. */
export function sliceRecords(body: Buffer): RecordSlice[] {
  const out: RecordSlice[] = [];
  const r = new Reader(body);
  while (r.remaining > 0) {
    const start = r.offset;
    const length = r.varint();
    if (length < 0 || length > r.remaining) throw new MalformedFrameError(`record length ${length} overruns the batch`);
    const end = r.offset + length;
    const rec = new Reader(body, r.offset, end);
    rec.int8();
    rec.varlong();
    const offsetDelta = rec.varint();
    const key = readVarBytes(rec);
    const valueLength = rec.varint();
    out.push({ offsetDelta, key, valueIsNull: valueLength === -1, start, end });
    r.skip(length);
  }
  return out;
}

/**
 * The batch at `buf[pos]` holding only the records `kept` (slices of its
 * records section `body`, in order). Everything else in the header stays as it
 * was: base offset, lastOffsetDelta (so offsets and producer sequences keep
 * their meaning, leaving gaps, as Kafka's cleaner does), leader epoch,
 * timestamps, producer id/epoch/base sequence and codec (the records are
 * compressed again with it). Only batchLength, recordCount and the CRC change.
 */
export function rewriteBatch(buf: Buffer, pos: number, body: Buffer, kept: readonly RecordSlice[]): Buffer {
  if (kept.length === 0) throw new RangeError('a rewritten batch keeps at least one record');
  const records = Buffer.concat(kept.map((s) => body.subarray(s.start, s.end)));
  const codec = (buf.readInt16BE(pos + 21) & Attr.CodecMask) as Codec;
  const payload = codec === Codec.None ? records : compress(codec, records);
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  buf.copy(batch, 0, pos, pos + BATCH_HEADER_SIZE);
  payload.copy(batch, BATCH_HEADER_SIZE);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(kept.length, 57);
  writeCrc(batch, 0);
  return batch;
}
