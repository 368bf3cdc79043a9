// Chooses a record's partition: the one given, else murmur2 of the key as the
// Java client does (so keyed records land where every Kafka client puts
// them), else the topic's sticky partition (KIP-480): keyless records stay on
// one partition until its batch is closed, then move to another chosen at
// random, so batches fill up instead of every partition getting a small one.

import { partitionForKey } from '../../protocol/murmur2.js';

export class Partitioner {
  private readonly sticky = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  partition(topic: string, partitionCount: number, key: Buffer | null | undefined, explicit: number | undefined): number {
    if (explicit !== undefined) return explicit;
    if (key) return partitionForKey(key, partitionCount);
    let p = this.sticky.get(topic);
    if (p === undefined || p >= partitionCount) {
      p = Math.floor(this.random() * partitionCount);
      this.sticky.set(topic, p);
    }
    return p;
  }

  /** The batch of `topic`-`partition` was closed: keyless records move on if they were sticking to it. */
  batchClosed(topic: string, partition: number, partitionCount: number): void {
    if (this.sticky.get(topic) !== partition) return;
    if (partitionCount <= 1) return;
    // Any partition but this one, uniformly.
    const next = Math.floor(this.random() * (partitionCount - 1));
    this.sticky.set(topic, next >= partition ? next + 1 : next);
  }
}
