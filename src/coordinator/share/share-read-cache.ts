// The last read of the log for each share partition, so that members taking
// a few records at a time from large batches do not read and CRC-check the
// same batches again for every few (records produced 1000 to a batch and
// taken 100 at a time were read ten times over).
//
//   entry:  data = [batch][batch]...[batch]   whole, CRC-checked batches
//           offsets first .. next-1            (next: after the last batch)
//
// A read from `from` is served from the entry when first <= from < next, the
// log and leader epoch are those it was read under (a new leader may have
// truncated) and every batch in it still lies below `end` (the high watermark
// or, under read_committed, the last stable offset): it returns the entry
// from the batch holding `from`, which may hold fewer bytes than a fresh read
// would (the next read past it goes to the log). Written offsets never change
// otherwise; a batch compaction has since cleaned may still be read from here
// until the window moves past it, as a Fetch in flight may.
//
// Entries are kept least recently used first, within a budget of bytes.

import type { Partition } from '../../broker/partition.js';
import { batchBaseOffset, batchLastOffset, batchSize } from '../../protocol/record-batch.js';
import type { PartitionLog } from '../../storage/partition-log.js';

interface CachedRead {
  log: PartitionLog;
  leaderEpoch: number;
  data: Buffer;
  first: number;
  next: number;
}

export class ShareReadCache {
  private readonly entries = new Map<string, CachedRead>();
  private bytes = 0;

  /** `maxBytes`: the most bytes kept over all entries. */
  constructor(private readonly maxBytes: number) {}

  /** Whole batches of `partition` from the one holding `from`, below `end`, about `readBytes` when read from the log (which checks their CRCs). */
  read(key: string, partition: Partition, from: number, readBytes: number, end: number): Buffer {
    const hit = this.entries.get(key);
    if (hit && hit.log === partition.log && hit.leaderEpoch === partition.leaderEpoch && hit.first <= from && from < hit.next && hit.next <= end) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return fromBatchHolding(hit.data, from);
    }
    const data = partition.log.read(from, readBytes, end, true);
    this.forget(key);
    if (data.length > 0 && data.length <= this.maxBytes) this.keep(key, { log: partition.log, leaderEpoch: partition.leaderEpoch, data, first: batchBaseOffset(data, 0), next: nextOffsetOf(data) });
    return data;
  }

  /** Drops the entry of `key` (its share partition is gone). */
  forget(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.data.length;
  }

  private keep(key: string, entry: CachedRead): void {
    this.entries.set(key, entry);
    this.bytes += entry.data.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.data.length;
    }
  }
}

/** The offset after the last whole batch of `data`. */
function nextOffsetOf(data: Buffer): number {
  let next = 0;
  for (let pos = 0; pos < data.length; pos += batchSize(data, pos)) next = batchLastOffset(data, pos) + 1;
  return next;
}

/** `data` from the batch that holds `offset` (there is one: first <= offset < next). */
function fromBatchHolding(data: Buffer, offset: number): Buffer {
  let pos = 0;
  while (batchLastOffset(data, pos) < offset) pos += batchSize(data, pos);
  return pos === 0 ? data : data.subarray(pos);
}
