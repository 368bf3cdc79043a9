// The most recent appends of every partition log, kept in memory as the very
// buffers that were written, so that reads at the tail (followers replicating,
// consumers keeping up) are served without a pread into a fresh buffer and
// without checking again the CRC32C that produce validation just checked.
//
// One budget for the whole broker: entries leave oldest first, whichever log
// they belong to, so busy partitions keep more of their tail than idle ones.
// An entry is charged for the memory it keeps alive (the backing store of the
// request it came in), not just its own bytes. A log's entries are contiguous
// and end at its log end; anything else is read from the segments.
//
//   budget  [a:0-99][b:0-9][a:100-199][c:0-49][a:200-299]   oldest ... newest
//   log a   [0-99][100-199][200-299]                         read(150) -> view of 100-199 from 150's batch on

import { batchBaseOffset, batchLastOffset, batchSize } from '../protocol/record-batch.js';

const EMPTY = Buffer.alloc(0);

interface Entry {
  readonly tail: LogTail;
  readonly baseOffset: number;
  /** One past the last offset of the entry's batches. */
  readonly endOffset: number;
  /** Base offset of the segment the entry was written to: a read serves from one segment, as from the files. */
  readonly segment: number;
  readonly data: Buffer;
  readonly cost: number;
  dropped: boolean;
}

export class TailCache {
  /** Every entry not yet evicted, oldest first, from `head` on; dropped ones are skipped. */
  private readonly entries: Entry[] = [];
  private head = 0;
  private charged = 0;

  constructor(readonly budgetBytes: number) {}

  /** Bytes kept alive by the entries held now. */
  get bytes(): number {
    return this.charged;
  }

  /** The cache of one partition log. */
  forLog(): LogTail {
    return new LogTail(this);
  }

  /** @internal LogTail's: takes in an entry, then evicts the oldest until within budget. */
  admit(entry: Entry): void {
    this.entries.push(entry);
    this.charged += entry.cost;
    while (this.charged > this.budgetBytes && this.head < this.entries.length) {
      const oldest = this.entries[this.head++];
      if (!oldest.dropped) oldest.tail.dropOldest(oldest);
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  /** @internal LogTail's: an entry no longer held. */
  release(entry: Entry): void {
    entry.dropped = true;
    this.charged -= entry.cost;
  }
}

export class LogTail {
  /** Contiguous entries, oldest first, from `head` on. */
  private readonly entries: Entry[] = [];
  private head = 0;

  constructor(private readonly cache: TailCache) {}

  /** Keeps `data` (whole batches with offsets set, holding [baseOffset, endOffset), written to `segment`) as the newest entry. */
  add(baseOffset: number, endOffset: number, segment: number, data: Buffer): void {
    const cost = Math.max(data.length, data.buffer.byteLength);
    if (cost > this.cache.budgetBytes) return this.clear();
    const newest = this.entries.at(-1);
    if (newest !== undefined && newest.endOffset !== baseOffset) this.clear();
    const entry: Entry = { tail: this, baseOffset, endOffset, segment, data, cost, dropped: false };
    this.entries.push(entry);
    this.cache.admit(entry);
  }

  /**
   * What PartitionLog.read would return from `offset` on, or null when the
   * tail does not hold `offset`: the batch holding it and those after it in
   * its segment, up to `maxBytes` (the first batch whole when `minOneBatch`)
   * and before `maxOffset`.
   */
  read(offset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Buffer | null {
    const first = this.entryHolding(offset);
    if (first < 0) return null;
    const start = this.entries[first];
    let position = 0;
    while (batchLastOffset(start.data, position) < offset) position += batchSize(start.data, position);
    const firstSize = batchSize(start.data, position);
    if (batchBaseOffset(start.data, position) >= maxOffset || (!minOneBatch && firstSize > maxBytes)) return EMPTY;
    const limit = Math.max(firstSize, maxBytes);
    const pieces: Buffer[] = [];
    let total = 0;
    for (let i = first; i < this.entries.length && this.entries[i].segment === start.segment; i++) {
      const data = this.entries[i].data;
      let end = i === first ? position : 0;
      const from = end;
      while (end < data.length && batchBaseOffset(data, end) < maxOffset && total + (end - from) + batchSize(data, end) <= limit) end += batchSize(data, end);
      if (end > from) pieces.push(data.subarray(from, end));
      total += end - from;
      if (end < data.length) break;
    }
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, total);
  }

  /** Forgets every entry (the log was cut, rewritten or closed). */
  clear(): void {
    for (let i = this.head; i < this.entries.length; i++) this.cache.release(this.entries[i]);
    this.entries.length = 0;
    this.head = 0;
  }

  /** @internal TailCache's: evicts `entry`, always this tail's oldest, since both keep append order. */
  dropOldest(entry: Entry): void {
    if (this.entries[this.head] !== entry) throw new Error('tail cache eviction out of order');
    this.cache.release(entry);
    this.entries[this.head++] = undefined as unknown as Entry;
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Index of the entry holding `offset`, -1 when none does. */
  private entryHolding(offset: number): number {
    let lo = this.head;
    let hi = this.entries.length - 1;
    if (lo > hi || offset < this.entries[lo].baseOffset || offset >= this.entries[hi].endOffset) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.entries[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
