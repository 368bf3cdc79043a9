// Looking inside a batch without making record objects, for the broker features
// that must: walk the records of a decompressed records section, find one
// header's value per record (header deduplication) or the records breaking a
// topic's key and timestamp rules, and build a copy of the batch that keeps
// only some records, or all of them in another codec, byte for byte.
//
// Record (see records.ts):
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint, key | valueLength varint, value |
//   headerCount varint, then per header: keyLength varint, key, valueLength varint, value
//
// A record keeps its offsetDelta and timestampDelta when copied, so a rebuilt
// batch keeps its base offset, base timestamp, lastOffsetDelta, producer id,
// epoch and base sequence: records left out leave gaps in the offsets, as log
// compaction leaves them, and the producer's sequence range is unchanged.

import { compress } from './compression.js';
import { MalformedFrameError } from './malformed-frame-error.js';
import { Attr, BATCH_HEADER_SIZE, Codec, LOG_OVERHEAD, batchCodec, writeCrc } from './record-batch.js';
import { cursor, skipBytes, varint, varlong } from './record-varints.js';

/** Called per record: its bytes are body[start, end) (length prefix included); the header's value is body[valueStart, valueEnd), or valueStart -1 when the record has no such header or its value is null. */
export type RecordVisitor = (start: number, end: number, offsetDelta: number, timestampDelta: number, valueStart: number, valueEnd: number) => void;

/** body[at, at + key.length) equals key; a JS loop, since header keys are short and a native compare costs more to call. */
function sameBytes(body: Buffer, at: number, key: Buffer): boolean {
  for (let i = 0; i < key.length; i++) if (body[at + i] !== key[i]) return false;
  return true;
}

/**
 * Walks the records of a (decompressed) records section, reporting for each
 * the value of its first header named `headerKey`. Throws MalformedFrameError
 * when a length overruns its record or the section.
 */
export function scanRecords(body: Buffer, headerKey: Buffer, visit: RecordVisitor): void {
  let pos = 0;
  while (pos < body.length) {
    const start = pos;
    const length = varint(body, pos, body.length);
    const end = cursor + length;
    if (length < 0 || end > body.length) throw new MalformedFrameError(`record length ${length} overruns the batch`);
    let p = cursor + 1; // attributes
    const timestampDelta = varlong(body, p, end);
    const offsetDelta = varint(body, cursor, end);
    skipBytes(body, cursor, end); // key
    skipBytes(body, cursor, end); // value
    const headers = varint(body, cursor, end);
    p = cursor;
    let valueStart = -1;
    let valueEnd = -1;
    for (let h = 0; h < headers; h++) {
      const keyStart = skipBytes(body, p, end);
      const keyEnd = cursor;
      const vStart = skipBytes(body, cursor, end);
      p = cursor;
      if (valueStart < 0 && vStart >= 0 && keyEnd - keyStart === headerKey.length && sameBytes(body, keyStart, headerKey)) {
        valueStart = vStart;
        valueEnd = cursor;
      }
    }
    visit(start, end, offsetDelta, timestampDelta, valueStart, valueEnd);
    pos = end;
  }
}

/**
 * Called by checkRecords for each record that breaks its rules: the record's
 * index in the batch; keyMissing when it lacks a required key, otherwise its
 * timestamp is out of bounds and given.
 */
export type RuleBreach = (index: number, keyMissing: boolean, timestamp: number) => void;

/** Kafka's RecordBatch.NO_TIMESTAMP: a record without a timestamp, never out of bounds. */
const NO_TIMESTAMP = -1;

/** What checkRecords checks each record of a batch against. */
export interface RecordRules {
  /** A null key breaks the rules (compacted topics). */
  requireKey: boolean;
  /** Timestamps outside [minTimestamp, maxTimestamp] break them (±Infinity: unbounded). */
  minTimestamp: number;
  maxTimestamp: number;
}

/**
 * Walks the records of a (decompressed) records section, counting them and
 * reporting each that breaks `rules`, its key checked first, as Kafka does.
 * A record's timestamp is `baseTimestamp` plus its delta, or `baseTimestamp`
 * alone when `sameTimestamp` (a LogAppendTime batch, all of whose records carry
 * the batch's). Returns the count; throws MalformedFrameError when a length
 * overruns its record or the section.
 */
export function checkRecords(body: Buffer, baseTimestamp: number, sameTimestamp: boolean, rules: RecordRules, breach: RuleBreach): number {
  let pos = 0;
  let index = 0;
  while (pos < body.length) {
    const length = varint(body, pos, body.length);
    const end = cursor + length;
    if (length < 0 || end > body.length) throw new MalformedFrameError(`record length ${length} overruns the batch`);
    const delta = varlong(body, cursor + 1, end); // after the attributes byte
    const timestamp = sameTimestamp ? baseTimestamp : baseTimestamp + delta;
    varint(body, cursor, end); // offsetDelta
    const keyMissing = rules.requireKey && varint(body, cursor, end) === -1;
    if (keyMissing || (timestamp !== NO_TIMESTAMP && (timestamp < rules.minTimestamp || timestamp > rules.maxTimestamp))) breach(index, keyMissing, timestamp);
    pos = end;
    index++;
  }
  return index;
}

/**
 * A copy of the batch at `buf[pos]` holding only the records body[starts[i], ends[i])
 * of its decompressed records section `body`, in the same codec, with the header
 * kept except length, record count and CRC. With no record left the batch is
 * header-only and uncompressed (as Kafka writes empty batches): it still spans
 * its offsets and its producer's sequence range.
 */
export function rebuildBatch(buf: Buffer, pos: number, body: Buffer, starts: number[], ends: number[]): Buffer {
  const parts = starts.map((s, i) => body.subarray(s, ends[i]));
  const codec = parts.length === 0 ? Codec.None : batchCodec(buf, pos);
  return assembleBatch(buf, pos, Buffer.concat(parts), parts.length, codec);
}

/**
 * A copy of the batch at `buf[pos]` with its decompressed records section
 * `body` compressed with `codec` (at `level`, where the codec has levels):
 * every header field but length, codec bits and CRC is kept.
 */
export function recodeBatch(buf: Buffer, pos: number, body: Buffer, codec: Codec, level?: number): Buffer {
  return assembleBatch(buf, pos, body, buf.readInt32BE(pos + 57), codec, level);
}

/** The header of the batch at `buf[pos]` over `count` records `raw` (a records section) compressed with `codec`. */
function assembleBatch(buf: Buffer, pos: number, raw: Buffer, count: number, codec: Codec, level?: number): Buffer {
  const payload = codec === Codec.None ? raw : compress(codec, raw, level);
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  buf.copy(out, 0, pos, pos + BATCH_HEADER_SIZE);
  payload.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD + payload.length, 8);
  out.writeInt16BE((out.readInt16BE(21) & ~Attr.CodecMask) | codec, 21);
  out.writeInt32BE(count, 57);
  writeCrc(out, 0);
  return out;
}
