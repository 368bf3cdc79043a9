// RecordBatch v2 header, read and patched in place; the records themselves stay bytes.
//
//  offset  field                 size
//   0      baseOffset            int64   set by the broker
//   8      batchLength           int32   bytes after this field
//  12      partitionLeaderEpoch  int32   set by the broker
//  16      magic                 int8    always 2
//  17      crc                   uint32  CRC32C of bytes 21..end
//  21      attributes            int16   bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control
//  23      lastOffsetDelta       int32
//  27      baseTimestamp         int64
//  35      maxTimestamp          int64
//  43      producerId            int64
//  51      producerEpoch         int16
//  53      baseSequence          int32
//  57      recordCount           int32
//  61      records...
//
// baseOffset and partitionLeaderEpoch lie outside the CRC, so the broker assigns
// offsets without recomputing it.

import { crc32c } from '@node-rs/crc32';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's count starts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const CURRENT_MAGIC = 2;

export const enum Attr {
  CodecMask = 0x07,
  LogAppendTime = 0x08,
  Transactional = 0x10,
  Control = 0x20,
}

export enum Codec {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Total size of the batch starting at `pos`, from its length field. */
export function batchSize(buf: Buffer, pos = 0): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + 8);
}

export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: Number(buf.readBigInt64BE(pos)),
    batchLength: buf.readInt32BE(pos + 8),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic: buf.readInt8(pos + 16),
    crc: buf.readUInt32BE(pos + 17),
    attributes: buf.readInt16BE(pos + 21),
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    baseTimestamp: Number(buf.readBigInt64BE(pos + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + 35)),
    producerId: Number(buf.readBigInt64BE(pos + 43)),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordCount: buf.readInt32BE(pos + 57),
  };
}

export function batchBaseOffset(buf: Buffer, pos = 0): number {
  return Number(buf.readBigInt64BE(pos));
}

export function batchLastOffset(buf: Buffer, pos = 0): number {
  return batchBaseOffset(buf, pos) + buf.readInt32BE(pos + 23);
}

export function batchRecordCount(buf: Buffer, pos = 0): number {
  return buf.readInt32BE(pos + 57);
}

/** The first record's timestamp (the batch's base timestamp). */
export function batchFirstTimestamp(buf: Buffer, pos = 0): number {
  return Number(buf.readBigInt64BE(pos + 27));
}

export function batchMaxTimestamp(buf: Buffer, pos = 0): number {
  return Number(buf.readBigInt64BE(pos + 35));
}

/** Assigns the batch's offsets (and leader epoch) in place; the CRC stays valid. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number, leaderEpoch: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos);
  buf.writeInt32BE(leaderEpoch, pos + 12);
}

/** Sets maxTimestamp for LogAppendTime topics; this changes covered bytes, so the CRC is recomputed. */
export function setLogAppendTime(buf: Buffer, pos: number, now: number): void {
  const attributes = buf.readInt16BE(pos + 21);
  buf.writeInt16BE(attributes | Attr.LogAppendTime, pos + 21);
  buf.writeBigInt64BE(BigInt(now), pos + 35);
  writeCrc(buf, pos);
}

export function computeCrc(buf: Buffer, pos = 0): number {
  const end = pos + batchSize(buf, pos);
  return crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, end)) >>> 0;
}

export function writeCrc(buf: Buffer, pos = 0): void {
  buf.writeUInt32BE(computeCrc(buf, pos), pos + CRC_OFFSET);
}

export type BatchProblem = { kind: 'corrupt' | 'unsupported'; message: string };

/**
 * Checks one batch that should span exactly buf[pos, end): header sanity and
 * CRC32C. Returns null when it is valid.
 */
export function checkBatch(buf: Buffer, pos: number, end: number): BatchProblem | null {
  // The magic byte comes first: legacy message sets can be shorter than a v2 header.
  if (end - pos > 16) {
    const magic = buf.readInt8(pos + 16);
    if (magic !== CURRENT_MAGIC) return { kind: 'unsupported', message: `record batch magic ${magic}; only magic 2 is supported` };
  }
  if (end - pos < BATCH_HEADER_SIZE) return { kind: 'corrupt', message: `batch of ${end - pos} bytes is shorter than its header` };
  const size = batchSize(buf, pos);
  if (size < BATCH_HEADER_SIZE || size > end - pos) {
    return { kind: 'corrupt', message: `batch length ${size} does not fit the ${end - pos} bytes given` };
  }
  const stored = buf.readUInt32BE(pos + CRC_OFFSET);
  if (computeCrc(buf, pos) !== stored) return { kind: 'corrupt', message: 'record batch CRC32C mismatch' };
  const count = buf.readInt32BE(pos + 57);
  const lastOffsetDelta = buf.readInt32BE(pos + 23);
  if (count < 0 || lastOffsetDelta < 0 || (count > 0 && lastOffsetDelta < count - 1)) {
    return { kind: 'corrupt', message: `record count ${count} does not match last offset delta ${lastOffsetDelta}` };
  }
  return null;
}

export function batchCodec(buf: Buffer, pos = 0): Codec {
  return buf.readInt16BE(pos + 21) & Attr.CodecMask;
}

export function isControlBatch(buf: Buffer, pos = 0): boolean {
  return (buf.readInt16BE(pos + 21) & Attr.Control) !== 0;
}
