// Holds records per partition until they are worth a request. Each partition
// has at most one open batch (taking records) and a queue of closed ones
// waiting for the sender:
//
//   append ──► open batch ──(batchBytes reached, lingerMs since its first
//              record, or closeAll)──► ready[] ──► Sender (one batch per
//              partition per request, oldest first)
//
// A batch closes when the next record would pass batchBytes (a single
// larger record gets a batch of its own) or once it reaches batchBytes.
// A closed batch still takes records until the sender builds it into a
// request (as Kafka's accumulator appends to a partition's last batch while it
// has room): while maxInFlight requests are out, records keep batching, also
// with lingerMs 0.

import type { Clock, Timer } from '../../clock.js';
import type { NewRecord } from '../../protocol/records.js';
import type { BatchBufferPool } from './batch-buffer-pool.js';
import type { DeliverySink } from './delivery.js';
import { ProducerBatch } from './producer-batch.js';

export interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  open: ProducerBatch | null;
  /** Closed batches not yet sent, oldest first (batches to retry go back in their place). */
  readonly ready: ProducerBatch[];
  /** Its batches in Produce requests not yet answered. */
  inFlight: number;
  /** Its batches waiting to be sent again; while any does, one batch at a time is in flight. */
  retries: number;
}

export interface AccumulatorOptions {
  batchBytes: number;
  lingerMs: number;
  clock: Clock;
  /** Where new batches get their buffers. */
  buffers: BatchBufferPool;
  /** A batch was closed: the sender has work. */
  onReady: () => void;
  /** The open batch of a partition was closed (the sticky partitioner moves on). */
  onBatchClosed: (topic: string, partition: number) => void;
}

export class RecordAccumulator {
  private readonly queues = new Map<string, PartitionQueue[]>();
  private readonly openQueues = new Set<PartitionQueue>();
  private lingerTimer: Timer | null = null;

  constructor(private readonly options: AccumulatorOptions) {}

  append(topic: string, partition: number, record: NewRecord, timestamp: number, sink: DeliverySink, slot: number, chargedBytes: number): void {
    const q = this.queue(topic, partition);
    const { batchBytes } = this.options;
    const waiting = q.ready[q.ready.length - 1];
    const target = q.open ?? (waiting?.unsent ? waiting : null);
    if (target && target.tryAppend(record, timestamp, sink, slot, batchBytes)) {
      target.chargedBytes += chargedBytes;
      if (target === q.open && (target.sizeInBytes >= batchBytes || this.options.lingerMs === 0)) this.close(q);
      return;
    }
    if (q.open) this.close(q);
    const batch = new ProducerBatch(topic, partition, this.options.clock.now(), this.options.buffers.take(batchBytes));
    batch.tryAppend(record, timestamp, sink, slot, Infinity);
    q.open = batch;
    this.openQueues.add(q);
    this.armLinger();
    batch.chargedBytes += chargedBytes;
    if (batch.sizeInBytes >= batchBytes || this.options.lingerMs === 0) this.close(q);
  }

  /** Every partition with a batch waiting to be sent. */
  *readyQueues(): Iterable<PartitionQueue> {
    for (const list of this.queues.values()) {
      for (const q of list) if (q && q.ready.length > 0) yield q;
    }
  }

  /** Closes every open batch now (a flush): the sender may take them without waiting out lingerMs. */
  closeAll(): void {
    for (const q of [...this.openQueues]) this.close(q);
  }

  /** Closes the open batches of `topic`'s partitions now. */
  closeTopic(topic: string): void {
    for (const q of this.queues.get(topic) ?? []) if (q?.open) this.close(q);
  }

  stop(): void {
    this.lingerTimer?.cancel();
    this.lingerTimer = null;
  }

  queue(topic: string, partition: number): PartitionQueue {
    let list = this.queues.get(topic);
    if (!list) this.queues.set(topic, (list = []));
    return (list[partition] ??= { topic, partition, open: null, ready: [], inFlight: 0, retries: 0 });
  }

  private close(q: PartitionQueue): void {
    const batch = q.open;
    if (!batch) return;
    batch.closed = true;
    q.ready.push(batch);
    q.open = null;
    this.openQueues.delete(q);
    this.options.onBatchClosed(q.topic, q.partition);
    this.options.onReady();
  }

  private armLinger(): void {
    if (this.lingerTimer || this.openQueues.size === 0) return;
    let first = Infinity;
    for (const q of this.openQueues) first = Math.min(first, (q.open as ProducerBatch).createdAt);
    const wait = Math.max(0, first + this.options.lingerMs - this.options.clock.now());
    this.lingerTimer = this.options.clock.schedule(wait, () => {
      this.lingerTimer = null;
      const now = this.options.clock.now();
      for (const q of [...this.openQueues]) {
        if (now - (q.open as ProducerBatch).createdAt >= this.options.lingerMs) this.close(q);
      }
      this.armLinger();
    });
  }
}
