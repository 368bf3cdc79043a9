// A broker's high-watermark checkpoint (storage/high-watermark-checkpoint.ts):
// read once at start, where the partitions opened then find where their high
// watermark starts, and written every replicaHighWatermarkCheckpointIntervalMs
// when some high watermark moved, and at a clean close (Kafka's
// replica.high.watermark.checkpoint.interval.ms).

import type { StorageLogger } from '../storage/storage-logger.js';
import { type HighWatermarks, readHighWatermarkCheckpoint, writeHighWatermarkCheckpoint } from '../storage/high-watermark-checkpoint.js';
import type { Partition } from './partition.js';

export class HighWatermarkCheckpoints {
  /** What start() read; emptied by opened(): later partitions are new replicas, or replicas of a topic created again under its name. */
  private checkpointed: HighWatermarks = new Map();
  /** Each partition's high watermark as last written. */
  private written = new Map<Partition, number>();

  constructor(
    private readonly dataDir: string,
    private readonly log: StorageLogger,
  ) {}

  /** Reads the checkpoint; call before opening the partitions. */
  start(): void {
    this.checkpointed = readHighWatermarkCheckpoint(this.dataDir, this.log);
  }

  /** The checkpointed high watermark of a partition being opened at start (null: none). */
  startOf(topic: string, partition: number): number | null {
    return this.checkpointed.get(topic)?.get(partition) ?? null;
  }

  /**
   * The partitions of the start are open: the values read are used up, and
   * count as written for those whose high watermark is still the checkpointed
   * one, so that a start after a clean stop writes nothing (nor fails on a
   * full disk) until a high watermark moves.
   */
  opened(partitions: readonly Partition[]): void {
    this.written = new Map();
    for (const p of partitions) if (this.startOf(p.topic, p.index) === p.highWatermark) this.written.set(p, p.highWatermark);
    this.checkpointed = new Map();
  }

  /** Writes the high watermarks of `partitions` (every one this broker holds) unless none changed since the last write. */
  writeIfChanged(partitions: readonly Partition[]): void {
    if (partitions.length === this.written.size && partitions.every((p) => this.written.get(p) === p.highWatermark)) return;
    const entries = partitions.map((p) => ({ topic: p.topic, partition: p.index, highWatermark: p.highWatermark }));
    writeHighWatermarkCheckpoint(this.dataDir, entries);
    this.written = new Map(partitions.map((p) => [p, p.highWatermark]));
  }
}
