// Sparse time index of one segment (`<baseOffset>.timeindex`): from a
// timestamp, the batch where a search for it may start.
//
//   entry (12 bytes, big-endian)     invariant
//   int64 timestamp                  strictly increasing; the segment's max timestamp so far
//   int32 relativeOffset             non-decreasing; base offset (relative) of the batch
//                                    that first reached that timestamp
//
// An entry (T, O) says: no batch before O has a timestamp above T. So a search
// for timestamp t may start at the last entry with T < t and skip everything
// before it. Entries are added next to offset index entries, plus a final one
// holding the segment's max timestamp when it rolls or the log closes. Kept in
// memory, written like the offset index (see offset-index.ts).

import fs from 'node:fs';
import { IndexFile } from './index-file.js';

const ENTRY_SIZE = 12;

export class TimeIndex extends IndexFile {
  private timestamps = new Float64Array(16);
  private offsets = new Int32Array(16);

  constructor(path: string) {
    super(path, ENTRY_SIZE);
  }

  /** Newest (largest) timestamp, -1 when empty. */
  get lastTimestamp(): number {
    return this.count === 0 ? -1 : this.timestamps[this.count - 1];
  }

  /** Relative offset of the newest entry, -1 when empty. */
  get lastRelativeOffset(): number {
    return this.count === 0 ? -1 : this.offsets[this.count - 1];
  }

  /** Adds an entry if `timestamp` is above every entry so far (batches without timestamps, -1, add none). */
  maybeAppend(timestamp: number, relativeOffset: number): void {
    if (timestamp < 0 || (this.count > 0 && timestamp <= this.timestamps[this.count - 1])) return;
    if (this.count === this.timestamps.length) {
      const ts = new Float64Array(this.count * 2);
      ts.set(this.timestamps);
      this.timestamps = ts;
      const offs = new Int32Array(this.count * 2);
      offs.set(this.offsets);
      this.offsets = offs;
    }
    this.timestamps[this.count] = timestamp;
    this.offsets[this.count] = relativeOffset;
    this.count++;
  }

  /** Relative offset where a search for the first batch reaching `timestamp` may start (0: the segment's start). */
  lookup(timestamp: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid] < timestamp) {
        found = this.offsets[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Drops entries at or past `nextRelativeOffset` (the .log was cut before them). */
  truncateToOffset(nextRelativeOffset: number): void {
    const before = this.count;
    while (this.count > 0 && this.offsets[this.count - 1] >= nextRelativeOffset) this.count--;
    if (this.count < before) this.dropPersisted();
  }

  clear(): void {
    this.count = 0;
    this.dropPersisted();
  }

  /** Loads the file if present and well formed; false (and empty) otherwise. */
  load(): boolean {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.path);
    } catch {
      return false;
    }
    if (bytes.length % ENTRY_SIZE !== 0) return false;
    this.clear();
    let prevOffset = 0;
    for (let p = 0; p < bytes.length; p += ENTRY_SIZE) {
      const timestamp = Number(bytes.readBigInt64BE(p));
      const relativeOffset = bytes.readInt32BE(p + 8);
      if (timestamp < 0 || timestamp <= this.lastTimestamp || relativeOffset < prevOffset) {
        this.clear();
        return false;
      }
      this.maybeAppend(timestamp, relativeOffset);
      prevOffset = relativeOffset;
    }
    this.markPersisted();
    return true;
  }

  protected bytesFrom(from: number): Buffer {
    const out = Buffer.allocUnsafe((this.count - from) * ENTRY_SIZE);
    for (let i = from; i < this.count; i++) {
      out.writeBigInt64BE(BigInt(this.timestamps[i]), (i - from) * ENTRY_SIZE);
      out.writeInt32BE(this.offsets[i], (i - from) * ENTRY_SIZE + 8);
    }
    return out;
  }
}
