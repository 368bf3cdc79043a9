// Reading a partition's log for a share group: the whole batches from where
// the share partition says to start, below the high watermark (the last
// stable offset under read_committed), of which the member acquires up to its
// record budget; only batches holding acquired records are returned (a share
// consumer delivers just the acquired offsets of them), each uncompressed one
// cut to the span of its acquired records, so that a member taking a few
// records of a large batch at a time is not sent the whole batch again for
// each few (a valid batch with offset gaps, as after compaction; Kafka sends
// it whole). Batches stay bytes otherwise; the
// records of new batches are searched for a deliver-at header and checked
// against the group's filter (delivery-plan.ts).
//
// Control batches are never deliverable, nor, under read_committed, the
// batches of aborted transactions (found through the partition's
// aborted-transaction index, as Fetch does): the share partition archives
// their offsets, and a read that only moved past such records (or past
// filtered or not yet due ones) says so, so the caller reads on at once and a
// long aborted transaction never stalls a share group.

import type { Partition } from '../../broker/partition.js';
import { inAbortedTxn } from '../../broker/partition-txns.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { batchBaseOffset, batchFirstTimestamp, batchLastOffset, batchSize, isControlBatch } from '../../protocol/record-batch.js';
import { trimBatch } from '../../protocol/records.js';
import { type TopicConfigs, deliveryDelayMs } from '../../metadata/topic-configs.js';
import { CorruptBatchError } from '../../storage/corrupt-batch.js';
import type { ShareFilter } from '../../metadata/share-filter.js';
import { type DeliveryRun, planBatch } from './delivery-plan.js';
import type { AcquiredRecords, SharePartition } from './share-partition.js';

export interface Acquisition {
  errorCode: number;
  records: Buffer;
  acquired: AcquiredRecords[];
  /** The window took records in without acquiring any (filtered out, or due later): reading on may find some. */
  movedOn: boolean;
}

interface LogBatch {
  pos: number;
  size: number;
  first: number;
  last: number;
  /** The delivery plan of its records, once asked for. */
  plan: DeliveryRun[] | null;
}

/** Whole, CRC-checked batches of the partition from the one holding `from`, below `end`, about `maxBytes` (share-read-cache.ts). */
export type LogRead = (from: number, maxBytes: number, end: number) => Buffer;

const NOTHING: Acquisition = { errorCode: ErrorCode.NONE, records: Buffer.alloc(0), acquired: [], movedOn: false };

/**
 * Acquires for `memberId` up to `maxRecords` records of `partition`, reading
 * its log through `read` at most about `maxBytes` (the first batch goes whole, as in Fetch); records
 * `filter` does not pass are settled without being delivered;
 * `readCommitted`: share.isolation.level=read_committed.
 */
export function acquireFromLog(
  partition: Partition,
  share: SharePartition,
  read: LogRead,
  memberId: string,
  maxRecords: number,
  maxBytes: number,
  topicConfigs: TopicConfigs,
  filter: ShareFilter | null,
  readCommitted: boolean,
): Acquisition {
  if (partition.offline) return { ...NOTHING, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
  if (share.startOffset < partition.logStartOffset) share.moveStartTo(partition.logStartOffset);
  const from = share.nextFetchOffset();
  const end = readCommitted ? partition.lastStableOffset : partition.highWatermark;
  if (from === null || from >= end || maxRecords <= 0) return NOTHING;
  let data: Buffer;
  try {
    data = read(from, readBytesFor(maxRecords, maxBytes), end);
  } catch (err) {
    if (!(err instanceof CorruptBatchError)) throw err;
    return { ...NOTHING, errorCode: ErrorCode.CORRUPT_MESSAGE };
  }
  const aborted = readCommitted ? partition.txns.abortedIn(from, end) : [];
  const batches: LogBatch[] = [];
  /** Runs of undeliverable batches, adjacent ones merged. */
  const skipped: { first: number; last: number }[] = [];
  for (let pos = 0; pos < data.length; pos += batchSize(data, pos)) {
    if (isControlBatch(data, pos) || inAbortedTxn(data, pos, aborted)) {
      const prev = skipped[skipped.length - 1];
      if (prev && prev.last + 1 === batchBaseOffset(data, pos)) prev.last = batchLastOffset(data, pos);
      else skipped.push({ first: batchBaseOffset(data, pos), last: batchLastOffset(data, pos) });
      continue;
    }
    batches.push({ pos, size: batchSize(data, pos), first: batchBaseOffset(data, pos), last: batchLastOffset(data, pos), plan: null });
  }
  const delay = deliveryDelayMs(topicConfigs);
  // Plans are made only for the batches the share partition asks about (records never delivered), once each.
  const planOf = (first: number, last: number): DeliveryRun[] => {
    const out: DeliveryRun[] = [];
    for (const b of batches) {
      if (b.last < first || b.first > last) continue;
      // delivery.delay.ms: due once the batch's first record's timestamp plus the delay has passed.
      b.plan ??= planBatch(data, b.pos, b.first, b.last, delay > 0 ? batchFirstTimestamp(data, b.pos) + delay : 0, filter);
      for (const r of b.plan) if (r.last >= first && r.first <= last) out.push({ first: Math.max(first, r.first), last: Math.min(last, r.last), notBefore: r.notBefore, filteredOut: r.filteredOut });
    }
    return out;
  };
  const endBefore = share.endOffset;
  const acquired = share.acquire(memberId, batches, maxRecords, planOf);
  const archived = skipped.reduce((any, run) => share.skipUndeliverable(run.first, run.last) || any, false);
  if (acquired.length === 0) return { ...NOTHING, movedOn: archived || share.endOffset > endBefore };
  return { errorCode: ErrorCode.NONE, records: deliveredBytes(data, batches, acquired), acquired, movedOn: false };
}

/**
 * How much of the log to read for `maxRecords`: a member asks for a few
 * records at a time (its prefetch), and reading, checking and answering a
 * whole `maxBytes` for each would cost far more than the records it takes.
 * About 1 KiB a record, at least 64 KiB; the first batch goes whole anyway.
 */
function readBytesFor(maxRecords: number, maxBytes: number): number {
  return Math.max(1, Math.min(maxBytes, Math.max(64 * 1024, maxRecords * 1024)));
}

/**
 * The batches holding acquired records, each cut to the span from its first
 * to its last acquired record (trimBatch): a view of the read when none was
 * cut and they lie side by side (a member taking whole batches), else a copy.
 */
function deliveredBytes(data: Buffer, batches: LogBatch[], acquired: AcquiredRecords[]): Buffer {
  const kept: { batch: LogBatch; bytes: Buffer }[] = [];
  let cut = false;
  for (const batch of batches) {
    let first = Infinity;
    let last = -Infinity;
    for (const a of acquired) {
      if (a.firstOffset > batch.last || a.lastOffset < batch.first) continue;
      first = Math.min(first, a.firstOffset);
      last = Math.max(last, a.lastOffset);
    }
    if (first === Infinity) continue;
    const bytes = trimBatch(data, batch.pos, Math.max(first, batch.first), Math.min(last, batch.last));
    cut ||= bytes.length !== batch.size;
    kept.push({ batch, bytes });
  }
  const contiguous = !cut && kept.every((k, i) => i === 0 || k.batch.pos === kept[i - 1].batch.pos + kept[i - 1].batch.size);
  if (!contiguous) return Buffer.concat(kept.map((k) => k.bytes));
  const first = kept[0].batch;
  const last = kept[kept.length - 1].batch;
  return data.subarray(first.pos, last.pos + last.size);
}
