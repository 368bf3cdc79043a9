// Reading a partition's log for a share group: the whole batches from where
// the share partition says to start, below the high watermark, of which the
// member acquires up to its record budget; only batches holding acquired
// records are returned (a share consumer delivers just the acquired offsets
// of them). Control batches are never deliverable. Batches stay bytes; the
// records of new batches are searched for a deliver-at header and checked
// against the group's filter (delivery-plan.ts).

import type { Partition } from '../../broker/partition.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { batchBaseOffset, batchFirstTimestamp, batchLastOffset, batchSize, isControlBatch } from '../../protocol/record-batch.js';
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

const NOTHING: Acquisition = { errorCode: ErrorCode.NONE, records: Buffer.alloc(0), acquired: [], movedOn: false };

/**
 * Acquires for `memberId` up to `maxRecords` records of `partition`, reading
 * at most about `maxBytes` (the first batch goes whole, as in Fetch); records
 * `filter` does not pass are settled without being delivered.
 */
export function acquireFromLog(partition: Partition, share: SharePartition, memberId: string, maxRecords: number, maxBytes: number, topicConfigs: TopicConfigs, filter: ShareFilter | null): Acquisition {
  if (partition.offline) return { ...NOTHING, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
  if (share.startOffset < partition.logStartOffset) share.moveStartTo(partition.logStartOffset);
  const from = share.nextFetchOffset();
  const end = partition.highWatermark;
  if (from === null || from >= end || maxRecords <= 0) return NOTHING;
  let data: Buffer;
  try {
    data = partition.log.read(from, Math.max(maxBytes, 1), end, true);
  } catch (err) {
    if (!(err instanceof CorruptBatchError)) throw err;
    return { ...NOTHING, errorCode: ErrorCode.CORRUPT_MESSAGE };
  }
  const batches: LogBatch[] = [];
  for (let pos = 0; pos < data.length; pos += batchSize(data, pos)) {
    if (isControlBatch(data, pos)) continue;
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
      for (const r of b.plan) if (r.last >= first && r.first <= last) out.push({ ...r, first: Math.max(first, r.first), last: Math.min(last, r.last) });
    }
    return out;
  };
  const endBefore = share.endOffset;
  const acquired = share.acquire(memberId, batches, maxRecords, planOf);
  if (acquired.length === 0) return { ...NOTHING, movedOn: share.endOffset > endBefore };
  const kept = batches.filter((b) => acquired.some((a) => a.firstOffset <= b.last && a.lastOffset >= b.first));
  return { errorCode: ErrorCode.NONE, records: Buffer.concat(kept.map((b) => data.subarray(b.pos, b.pos + b.size))), acquired, movedOn: false };
}
