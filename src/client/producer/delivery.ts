// Where a record's outcome goes once its batch is answered. One sink serves a
// whole sendBatch() call (records are told apart by their slot), so a call of
// many records costs one promise, not one per record; and a batch tells a sink
// about a run of its records (consecutive slots, consecutive offsets) in one
// call, not one call per record.

import type { RecordMetadata } from './record-metadata.js';
import { SentBatch } from './sent-batch.js';

export interface DeliverySink {
  /**
   * Records in slots `firstSlot` .. `firstSlot + count - 1` were delivered:
   * the first as `first` says, each next one at the next offset (offset -1
   * stays -1: acks=0 learns no offsets) with the same timestamp.
   */
  delivered(firstSlot: number, count: number, first: RecordMetadata): void;
  failed(err: Error): void;
}

/** The sink of one send(): resolves with the record's metadata. */
export function singleDelivery(): { sink: DeliverySink; promise: Promise<RecordMetadata> } {
  let sink!: DeliverySink;
  const promise = new Promise<RecordMetadata>((resolve, reject) => {
    sink = { delivered: (_slot, _count, first) => resolve(first), failed: reject };
  });
  return { sink, promise };
}

/** The sink of one sendBatch(): resolves once every record is delivered, or rejects with the first failure. */
export function batchDelivery(count: number): { sink: DeliverySink; promise: Promise<SentBatch> } {
  let sink!: DeliverySink;
  const promise = new Promise<SentBatch>((resolve, reject) => {
    const sent = new SentBatch(count);
    let remaining = count;
    sink = {
      delivered(firstSlot, n, first) {
        sent.add(firstSlot, n, first);
        remaining -= n;
        if (remaining === 0) resolve(sent);
      },
      failed: reject,
    };
    if (count === 0) resolve(sent);
  });
  return { sink, promise };
}
