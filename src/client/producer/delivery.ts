// Where a record's outcome goes once its batch is answered. One sink serves a
// whole sendBatch() call (records are told apart by their slot), so a call of
// many records costs one promise, not one per record.

import type { RecordMetadata } from './record-metadata.js';

export interface DeliverySink {
  delivered(slot: number, metadata: RecordMetadata): void;
  failed(err: Error): void;
}

/** The sink of one send(): resolves with the record's metadata. */
export function singleDelivery(): { sink: DeliverySink; promise: Promise<RecordMetadata> } {
  let sink!: DeliverySink;
  const promise = new Promise<RecordMetadata>((resolve, reject) => {
    sink = { delivered: (_slot, metadata) => resolve(metadata), failed: reject };
  });
  return { sink, promise };
}

/** The sink of one sendBatch(): resolves once every record is delivered, or rejects with the first failure. */
export function batchDelivery(count: number): { sink: DeliverySink; promise: Promise<RecordMetadata[]> } {
  let sink!: DeliverySink;
  const promise = new Promise<RecordMetadata[]>((resolve, reject) => {
    const results: RecordMetadata[] = new Array(count);
    let remaining = count;
    sink = {
      delivered(slot, metadata) {
        results[slot] = metadata;
        if (--remaining === 0) resolve(results);
      },
      failed: reject,
    };
    if (count === 0) resolve(results);
  });
  return { sink, promise };
}
