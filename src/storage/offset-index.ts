// Sparse offset index of one segment (`<baseOffset>.index`): where in the .log
// a batch starts, one entry every indexIntervalBytes of log.
//
//   entry (8 bytes, big-endian)      invariant
//   int32 relativeOffset             strictly increasing; batch baseOffset - segment baseOffset
//   int32 position                   strictly increasing; byte position of that batch in the .log
//
// The entries live in memory (reads look them up on the hot path) and are
// appended to the file when the segment rolls or the log closes. A crash can
// leave the file short or missing; recovery then rebuilds it from the .log,
// so the file is never trusted beyond what `load` checks.

import fs from 'node:fs';
import { IndexFile } from './index-file.js';

const ENTRY_SIZE = 8;

export class OffsetIndex extends IndexFile {
  /** relativeOffset, position pairs laid end to end. */
  private entries = new Int32Array(32);

  constructor(path: string) {
    super(path, ENTRY_SIZE);
  }

  /** Position of the newest entry, 0 when there is none (the segment's first batch). */
  get lastPosition(): number {
    return this.count === 0 ? 0 : this.entries[this.count * 2 - 1];
  }

  /** Relative offset of the newest entry, 0 when there is none. */
  get lastRelativeOffset(): number {
    return this.count === 0 ? 0 : this.entries[this.count * 2 - 2];
  }

  append(relativeOffset: number, position: number): void {
    if (this.count * 2 === this.entries.length) {
      const grown = new Int32Array(this.entries.length * 2);
      grown.set(this.entries);
      this.entries = grown;
    }
    this.entries[this.count * 2] = relativeOffset;
    this.entries[this.count * 2 + 1] = position;
    this.count++;
  }

  /** Position of the last entry whose relative offset is <= `relativeOffset`; 0 when none is. */
  lookup(relativeOffset: number): number {
    const i = this.floor(relativeOffset);
    return i < 0 ? 0 : this.entries[i * 2 + 1];
  }

  /**
   * Position of the first entry whose relative offset is > `relativeOffset`, or
   * -1: every batch from there on starts past that offset, so a read bounded by
   * it never needs to look further.
   */
  positionAfter(relativeOffset: number): number {
    const i = this.floor(relativeOffset) + 1;
    return i < this.count ? this.entries[i * 2 + 1] : -1;
  }

  /** Index of the last entry with relative offset <= `relativeOffset`, -1 if none. */
  private floor(relativeOffset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid * 2] <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Drops entries pointing at or past `size` bytes (the .log was cut there). */
  truncateToPosition(size: number): void {
    const before = this.count;
    while (this.count > 0 && this.entries[this.count * 2 - 1] >= size) this.count--;
    if (this.count < before) this.dropPersisted();
  }

  clear(): void {
    this.count = 0;
    this.dropPersisted();
  }

  /**
   * Loads the file if it is present and well formed for a .log of `logSize`
   * bytes. Returns false (and stays empty) otherwise; the caller rebuilds.
   * Whether the last entry really points at a batch is checked by the caller,
   * which reads the .log from there anyway.
   */
  load(logSize: number): boolean {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.path);
    } catch {
      return false;
    }
    if (bytes.length % ENTRY_SIZE !== 0) return false;
    this.clear();
    let prevOffset = -1;
    let prevPosition = -1;
    for (let p = 0; p < bytes.length; p += ENTRY_SIZE) {
      const relativeOffset = bytes.readInt32BE(p);
      const position = bytes.readInt32BE(p + 4);
      if (relativeOffset <= prevOffset || position <= prevPosition || position >= logSize) {
        this.clear();
        return false;
      }
      this.append(relativeOffset, position);
      prevOffset = relativeOffset;
      prevPosition = position;
    }
    this.markPersisted();
    return true;
  }

  protected bytesFrom(from: number): Buffer {
    const out = Buffer.allocUnsafe((this.count - from) * ENTRY_SIZE);
    for (let i = from; i < this.count; i++) {
      out.writeInt32BE(this.entries[i * 2], (i - from) * ENTRY_SIZE);
      out.writeInt32BE(this.entries[i * 2 + 1], (i - from) * ENTRY_SIZE + 4);
    }
    return out;
  }
}
