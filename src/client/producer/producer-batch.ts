// One partition's batch as the producer holds it: the records encoded so far
// (BatchBuilder), who waits for each record, the buffer bytes it holds, and
// its retry state. It is encoded once (build), so a retry resends the very
// same bytes; only an epoch bump (KIP-360) restamps its producer fields.

import { BatchBuilder } from '../../protocol/batch-builder.js';
import { writeCrc } from '../../protocol/record-batch.js';
import { writeInt64 } from '../../protocol/varint.js';
import type { BatchOptions, NewRecord } from '../../protocol/records.js';
import type { DeliverySink } from './delivery.js';

let batchesCreated = 0;

/** Records of one sink in consecutive slots with one timestamp: told of their outcome in one call. */
interface DeliveryRun {
  readonly sink: DeliverySink;
  readonly firstSlot: number;
  readonly timestamp: number;
  count: number;
}

export class ProducerBatch {
  /** Creation order: a batch to retry goes back before every later one of its partition. */
  readonly serial = batchesCreated++;
  private readonly builder: BatchBuilder;
  private readonly runs: DeliveryRun[] = [];
  private encoded: Buffer | null = null;
  /** Buffer bytes charged for its records, released when it completes. */
  chargedBytes = 0;
  /** Whether no more records go in (full, lingered long enough, or flushed). */
  closed = false;
  /** Idempotent producers: the first record's sequence, given when the batch is first sent; -1 before. */
  baseSequence = -1;
  /** Not to be sent again before this time (retry backoff). */
  notBefore = 0;
  /** Whether it failed once and waits to be sent again. */
  retrying = false;
  /** The failure that made it wait, reported if it runs out of time. */
  lastError: Error | null = null;

  /** `buffer` is where the records are encoded (it grows as needed). */
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAt: number,
    buffer: Buffer,
  ) {
    this.builder = new BatchBuilder(buffer);
  }

  /** The buffer its records were encoded in, for a later batch once this one is answered and nothing reads it. */
  get storage(): Buffer {
    return this.builder.storage;
  }

  /** Never built for a request yet, so it may still take records (a closed batch waiting for a free request slot does). */
  get unsent(): boolean {
    return this.encoded === null;
  }

  get recordCount(): number {
    return this.builder.recordCount;
  }

  get sizeInBytes(): number {
    return this.encoded?.length ?? this.builder.sizeInBytes;
  }

  /** Appends unless the batch already holds records and would pass `limitBytes`. */
  tryAppend(record: NewRecord, timestamp: number, sink: DeliverySink, slot: number, limitBytes: number): boolean {
    if (!this.builder.tryAppend(record, timestamp, limitBytes)) return false;
    const last = this.runs[this.runs.length - 1];
    if (last && last.sink === sink && last.timestamp === timestamp && last.firstSlot + last.count === slot) last.count++;
    else this.runs.push({ sink, firstSlot: slot, timestamp, count: 1 });
    return true;
  }

  /** The batch's bytes, built on first use and the same on every later call. */
  records(opts: BatchOptions): Buffer {
    this.encoded ??= this.builder.build(opts);
    return this.encoded;
  }

  /** Gives an already built batch a new producer id, epoch and sequence (after an epoch bump). */
  restamp(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.baseSequence = baseSequence;
    const b = this.encoded;
    if (!b) return;
    writeInt64(b, 43, producerId);
    b.writeInt16BE(producerEpoch, 51);
    b.writeInt32BE(baseSequence, 53);
    writeCrc(b, 0);
  }

  /** Reports each record delivered: offsets from `baseOffset` (-1: unknown, acks=0), timestamps as sent unless `logAppendTime` is set. */
  succeed(baseOffset: number, logAppendTime: number): void {
    let offset = baseOffset;
    for (const run of this.runs) {
      const timestamp = logAppendTime >= 0 ? logAppendTime : run.timestamp;
      run.sink.delivered(run.firstSlot, run.count, { topic: this.topic, partition: this.partition, offset, timestamp });
      if (offset >= 0) offset += run.count;
    }
  }

  fail(err: Error): void {
    let last: DeliverySink | null = null;
    for (const { sink } of this.runs) {
      if (sink !== last) sink.failed(err);
      last = sink;
    }
  }
}
