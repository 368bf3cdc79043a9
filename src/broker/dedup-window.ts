// Deduplication by header (topic configs dedup.header, dedup.window.ms): a
// record whose header value was already accepted on this partition within the
// window is dropped by the broker; the produce still succeeds.
//
//   seen: header value (bytes as a latin1 string) -> { offset of the first copy, acceptedAtMs }
//         in insertion order, which is acceptance order, so expiry pops from the front
//
// Produce goes in two synchronous steps around the append, like the producer
// state: filter() plans (changes nothing), commit() records the ids accepted once
// the log has given them offsets. A batch with dropped records is rebuilt from
// the kept records' bytes (record-scan.ts) in its codec; it keeps its offsets and
// sequence range, so dropped records leave offset gaps (as compaction does).
//
// What a request gets back when records are dropped:
//   - some records kept: the batch's own base offset, so base + i is right for every kept record;
//   - every record dropped, batch without a producer id: nothing is appended and the answer is
//     the offset of the first copy of the batch's first record: for the usual one-record send
//     (or a client's retry of a whole batch) that is exactly where the message is;
//   - every record dropped, idempotent batch: a header-only batch is appended in its place,
//     because the producer's sequence range must reach the log (a restart rebuilds producer
//     state from it; without it the producer's next batch would look like a gap), and the
//     answer is that batch's offset, the same answer a retry of it gets from the producer state.
// Transactional batches are neither filtered nor remembered: an aborted transaction's record
// must not shadow the retry that follows it.
//
// Cost: this is the one produce path that decompresses and walks records
// (bench/dedup.ts measures it); topics without dedup.header never reach it.

import { channel } from 'node:diagnostics_channel';
import { Attr, LOG_OVERHEAD } from '../protocol/record-batch.js';
import { rebuildBatch, scanRecords } from '../protocol/record-scan.js';
import { batchRecordBytes } from '../protocol/records.js';

/** Published once per produce that dropped records: { topic, partition, dropped }. */
export const dedupDropChannel = channel('sluice:dedup:drop');

interface Seen {
  offset: number;
  acceptedAtMs: number;
}

export interface DedupPlan {
  /** What to append: the request's batches with duplicates taken out; null when nothing is left to append. */
  records: Buffer | null;
  /** Records dropped. */
  dropped: number;
  /** When nothing is appended: the offset of the first copy of the first record. */
  firstCopyOffset: number;
  /** Header values accepted, per kept batch: its position in `records`, each value and its record's offset delta. */
  accepted: { batchPos: number; values: string[]; offsetDeltas: number[] }[];
}

export interface DedupSnapshot {
  /** The log end offset the window describes. */
  offset: number;
  takenAtMs: number;
  headerKey: string;
  /** [header value (latin1), offset of the first copy, acceptedAtMs], oldest first. */
  entries: [string, number, number][];
}

export class DedupWindow {
  private readonly keyBytes: Buffer;
  private readonly seen = new Map<string, Seen>();
  private changed = false;

  constructor(
    readonly headerKey: string,
    /** How long an accepted value blocks copies (ms); the topic's dedup.window.ms, updated on use. */
    public windowMs: number,
  ) {
    this.keyBytes = Buffer.from(headerKey, 'utf8');
  }

  get size(): number {
    return this.seen.size;
  }

  get dirty(): boolean {
    return this.changed;
  }

  markSnapshotted(): void {
    this.changed = false;
  }

  /** Forgets values accepted `windowMs` or longer ago (from the front: acceptance order). */
  expire(nowMs: number): void {
    for (const [value, s] of this.seen) {
      if (nowMs - s.acceptedAtMs < this.windowMs) break;
      this.seen.delete(value);
      this.changed = true;
    }
  }

  /** Offset of the first copy of `value` if it is in the window. */
  firstCopy(value: string, nowMs: number): number | undefined {
    const s = this.seen.get(value);
    return s && nowMs - s.acceptedAtMs < this.windowMs ? s.offset : undefined;
  }

  /**
   * Plans the append of one produce request's validated batches: which records
   * are duplicates of values in the window or of earlier records of the request.
   * Changes nothing. Throws on records it cannot read (validation counted them,
   * so that means a bug or a decompression limit).
   */
  filter(batches: Buffer, nowMs: number): DedupPlan {
    this.expire(nowMs);
    const out: Buffer[] = [];
    const accepted: DedupPlan['accepted'] = [];
    const inRequest = new Set<string>();
    let outBytes = 0;
    let dropped = 0;
    let firstCopyOffset = -1;
    let rebuilt = false;
    for (let pos = 0; pos < batches.length; ) {
      const size = LOG_OVERHEAD + batches.readInt32BE(pos + 8);
      const batch = batches.subarray(pos, pos + size);
      pos += size;
      if (batch.readInt16BE(21) & (Attr.Transactional | Attr.Control)) {
        out.push(batch);
        outBytes += size;
        continue;
      }
      const body = batchRecordBytes(batch, 0);
      const starts: number[] = [];
      const ends: number[] = [];
      const keptValues: string[] = [];
      const keptDeltas: number[] = [];
      let droppedHere = 0;
      scanRecords(body, this.keyBytes, (start, end, offsetDelta, _timestampDelta, valueStart, valueEnd) => {
        if (valueStart >= 0) {
          const value = body.toString('latin1', valueStart, valueEnd);
          const copy = inRequest.has(value) ? -1 : this.firstCopy(value, nowMs);
          if (copy !== undefined) {
            if (droppedHere === 0 && starts.length === 0 && firstCopyOffset < 0) firstCopyOffset = copy;
            droppedHere++;
            return;
          }
          inRequest.add(value);
          keptValues.push(value);
          keptDeltas.push(offsetDelta);
        }
        starts.push(start);
        ends.push(end);
      });
      let keptBatch: Buffer | null = batch;
      if (droppedHere > 0) {
        dropped += droppedHere;
        rebuilt = true;
        const idempotent = batch.readInt32BE(43) >= 0;
        keptBatch = starts.length > 0 || idempotent ? rebuildBatch(batch, 0, body, starts, ends) : null;
      }
      if (keptBatch) {
        if (keptValues.length > 0) accepted.push({ batchPos: outBytes, values: keptValues, offsetDeltas: keptDeltas });
        out.push(keptBatch);
        outBytes += keptBatch.length;
      }
    }
    const records = !rebuilt ? batches : out.length > 0 ? Buffer.concat(out, outBytes) : null;
    return { records, dropped, firstCopyOffset: records === null ? firstCopyOffset : -1, accepted };
  }

  /** Remembers the values a plan accepted, now that its records were appended (base offsets assigned in place). */
  commit(plan: DedupPlan, nowMs: number): void {
    if (plan.records === null) return;
    for (const a of plan.accepted) {
      const baseOffset = Number(plan.records.readBigInt64BE(a.batchPos));
      for (let i = 0; i < a.values.length; i++) this.remember(a.values[i], baseOffset + a.offsetDeltas[i], nowMs);
    }
  }

  private remember(value: string, offset: number, acceptedAtMs: number): void {
    this.seen.delete(value); // re-inserted at the end: acceptance order
    this.seen.set(value, { offset, acceptedAtMs });
    this.changed = true;
  }

  /**
   * Replays a stored batch at start-up: remembers every header value not yet in
   * the window. `acceptedAt` maps a record's timestamp to the acceptance time to
   * assume (the log does not record when the broker accepted it).
   */
  replayBatch(buf: Buffer, pos: number, nowMs: number, acceptedAt: (recordTimestamp: number) => number): void {
    if (buf.readInt16BE(pos + 21) & (Attr.Transactional | Attr.Control)) return;
    const baseOffset = Number(buf.readBigInt64BE(pos));
    const baseTimestamp = Number(buf.readBigInt64BE(pos + 27));
    const body = batchRecordBytes(buf, pos);
    scanRecords(body, this.keyBytes, (_start, _end, offsetDelta, timestampDelta, valueStart, valueEnd) => {
      if (valueStart < 0) return;
      const value = body.toString('latin1', valueStart, valueEnd);
      if (this.firstCopy(value, nowMs) !== undefined) return;
      const when = acceptedAt(baseTimestamp + timestampDelta);
      if (nowMs - when < this.windowMs) this.remember(value, baseOffset + offsetDelta, when);
    });
  }

  toSnapshot(offset: number, nowMs: number): DedupSnapshot {
    this.expire(nowMs);
    const entries: DedupSnapshot['entries'] = [];
    for (const [value, s] of this.seen) entries.push([value, s.offset, s.acceptedAtMs]);
    return { offset, takenAtMs: nowMs, headerKey: this.headerKey, entries };
  }

  /** Loads a snapshot's entries that are still inside the window; throws TypeError when the shape is wrong. */
  restore(snapshot: DedupSnapshot, nowMs: number): void {
    if (!Array.isArray(snapshot.entries)) throw new TypeError('dedup snapshot has no entries');
    const loaded: [string, Seen][] = [];
    for (const e of snapshot.entries) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || !Number.isSafeInteger(e[1]) || !Number.isSafeInteger(e[2])) throw new TypeError('malformed dedup entry');
      if (nowMs - e[2] < this.windowMs) loaded.push([e[0], { offset: e[1], acceptedAtMs: e[2] }]);
    }
    this.seen.clear();
    for (const [value, s] of loaded) this.seen.set(value, s);
  }
}
