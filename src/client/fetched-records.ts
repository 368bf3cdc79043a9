// One partition's fetched batches, kept as the bytes the broker sent and
// decoded one record at a time as the application takes them: no array of
// records per batch, keys and values are views of the response (no copy),
// and a compressed batch is decompressed only when the reading reaches it.
//
//   data   | batch | batch | batch | cut batch? |   whole batches end at `end`;
//                  ^ batchPos: the next batch      a trailing cut one (fetch
//   body   the records section of the batch        max_bytes) is fetched again
//          being read, bodyPos its next record

import { MalformedFrameError } from '../protocol/malformed-frame-error.js';
import { Attr, BATCH_HEADER_SIZE, batchSize } from '../protocol/record-batch.js';
import { batchRecordBytes, type RecordHeader } from '../protocol/records.js';
import { cursor, skipBytes, varint, varlong } from '../protocol/record-varints.js';
import type { AbortedTransactions } from './aborted-transactions.js';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Create time, or the broker's append time on LogAppendTime topics (ms). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

const EMPTY: Buffer = Buffer.alloc(0);

export class FetchedRecords {
  /** Offset after the last whole batch: where the next fetch of the partition starts. */
  readonly nextOffset: number;
  /** Offset after the last record taken, and nextOffset once every record is taken. */
  position: number;
  private readonly end: number;
  private batchPos = 0;
  private body = EMPTY;
  private bodyPos = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  /** The batch's maxTimestamp on LogAppendTime batches (every record carries it), else -1. */
  private appendTime = -1;

  /**
   * `data`: a fetch response's record set for `topic`-`partition`, asked from
   * offset `from`; `aborted` (read_committed) drops the aborted transactions' batches.
   */
  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly data: Buffer,
    from: number,
    private readonly aborted: AbortedTransactions | null = null,
  ) {
    this.position = from;
    let pos = 0;
    let next = from;
    while (pos + BATCH_HEADER_SIZE <= data.length) {
      const size = batchSize(data, pos);
      if (size < BATCH_HEADER_SIZE || pos + size > data.length) break;
      next = Math.max(next, Number(data.readBigInt64BE(pos)) + data.readInt32BE(pos + 23) + 1);
      pos += size;
    }
    this.end = pos;
    this.nextOffset = next;
  }

  /** Bytes of the batches not yet reached. */
  get pendingBytes(): number {
    return this.end - this.batchPos;
  }

  /** The next record at or after the start offset, or null when none is left. */
  take(): ConsumedRecord | null {
    for (;;) {
      while (this.bodyPos < this.body.length) {
        const record = this.decodeNext();
        if (record !== null) {
          this.position = record.offset + 1;
          return record;
        }
      }
      if (!this.enterNextBatch()) {
        this.position = Math.max(this.position, this.nextOffset);
        return null;
      }
    }
  }

  /** Moves to the next data batch (control batches are markers, not records; aborted ones are dropped); false at the end. */
  private enterNextBatch(): boolean {
    const data = this.data;
    while (this.batchPos < this.end) {
      const pos = this.batchPos;
      this.batchPos += batchSize(data, pos);
      if (this.aborted?.skips(data, pos)) continue;
      const attributes = data.readInt16BE(pos + 21);
      if (attributes & Attr.Control) continue;
      if (Number(data.readBigInt64BE(pos)) + data.readInt32BE(pos + 23) < this.position) continue;
      this.baseOffset = Number(data.readBigInt64BE(pos));
      this.baseTimestamp = Number(data.readBigInt64BE(pos + 27));
      this.appendTime = attributes & Attr.LogAppendTime ? Number(data.readBigInt64BE(pos + 35)) : -1;
      this.body = batchRecordBytes(data, pos);
      this.bodyPos = 0;
      return true;
    }
    this.body = EMPTY;
    this.bodyPos = 0;
    return false;
  }

  /**
   * Decodes the record at bodyPos (layout in protocol/records.ts) and moves
   * past it; null, without building anything, for a record before the
   * position (a fetch starts at a batch's start, a share fetch's acquired
   * records may start inside one).
   */
  private decodeNext(): ConsumedRecord | null {
    const body = this.body;
    const length = varint(body, this.bodyPos, body.length);
    const end = cursor + length;
    if (length < 0 || end > body.length) throw new MalformedFrameError(`record length ${length} overruns the batch`);
    this.bodyPos = end;
    const timestampDelta = varlong(body, cursor + 1, end); // after the attributes byte
    const offsetDelta = varint(body, cursor, end);
    if (this.baseOffset + offsetDelta < this.position) return null;
    const key = readBytes(body, cursor, end);
    const value = readBytes(body, cursor, end);
    const headerCount = varint(body, cursor, end);
    if (headerCount < 0 || headerCount * 2 > end - cursor) throw new MalformedFrameError(`bad header count ${headerCount}`);
    const headers: RecordHeader[] = new Array(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const headerKey = readBytes(body, cursor, end);
      headers[h] = { key: headerKey === null ? '' : headerKey.toString('utf8'), value: readBytes(body, cursor, end) };
    }
    return {
      topic: this.topic,
      partition: this.partition,
      offset: this.baseOffset + offsetDelta,
      timestamp: this.appendTime >= 0 ? this.appendTime : this.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    };
  }
}

/** A varint length and that many bytes as a view (null for -1); leaves `cursor` after them. */
function readBytes(body: Buffer, pos: number, end: number): Buffer | null {
  const start = skipBytes(body, pos, end);
  return start < 0 ? null : body.subarray(start, cursor);
}
