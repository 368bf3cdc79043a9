// What one sendBatch() call delivered. A call of thousands of records would
// cost an object per record if each record's metadata were built when its
// batch is answered (a quarter of a producing loop's time, measured); a
// SentBatch keeps a few numbers per run of records that went together (one
// partition, consecutive offsets) and builds a record's metadata when asked.

import type { RecordMetadata } from './record-metadata.js';

interface Run {
  firstSlot: number;
  count: number;
  first: RecordMetadata;
}

export class SentBatch implements Iterable<RecordMetadata> {
  private readonly runs: Run[] = [];
  /** Whether runs are in slot order (partitions may be answered in any order). */
  private ordered = true;

  /** `length`: how many records the call sent. */
  constructor(readonly length: number) {}

  /** Records in slots `firstSlot` .. `firstSlot + count - 1` were delivered, the first as `first` says, the next ones at the next offsets. */
  add(firstSlot: number, count: number, first: RecordMetadata): void {
    const last = this.runs[this.runs.length - 1];
    if (last && last.firstSlot > firstSlot) this.ordered = false;
    this.runs.push({ firstSlot, count, first });
  }

  /** The metadata of the call's `index`-th record (negative counts from the end, as Array.at). */
  at(index: number): RecordMetadata | undefined {
    const slot = index < 0 ? this.length + index : index;
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.length) return undefined;
    const runs = this.sortedRuns();
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid].firstSlot <= slot) lo = mid;
      else hi = mid - 1;
    }
    return metadataIn(runs[lo], slot - runs[lo].firstSlot);
  }

  *[Symbol.iterator](): Iterator<RecordMetadata> {
    for (const run of this.sortedRuns()) {
      for (let i = 0; i < run.count; i++) yield metadataIn(run, i);
    }
  }

  private sortedRuns(): Run[] {
    if (!this.ordered) {
      this.runs.sort((a, b) => a.firstSlot - b.firstSlot);
      this.ordered = true;
    }
    return this.runs;
  }
}

function metadataIn({ first }: Run, i: number): RecordMetadata {
  return { topic: first.topic, partition: first.partition, offset: first.offset < 0 ? -1 : first.offset + i, timestamp: first.timestamp };
}
