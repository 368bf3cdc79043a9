// Reading a partition's log for a share group: the whole batches from where
// the share partition says to start, below the high watermark, of which the
// member acquires up to its record budget; only batches holding acquired
// records are returned (a share consumer delivers just the acquired offsets
// of them). Control batches are never deliverable. Batches stay bytes; the
// records of new batches are searched for a deliver-at header
// (delivery-times.ts).

import type { Partition } from '../../broker/partition.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { batchBaseOffset, batchLastOffset, batchSize, isControlBatch } from '../../protocol/record-batch.js';
import { type TopicConfigs, deliveryDelayMs } from '../../metadata/topic-configs.js';
import { CorruptBatchError } from '../../storage/corrupt-batch.js';
import { type DeliveryTime, batchDeliveryTimes } from './delivery-times.js';
import type { AcquiredRecords, SharePartition } from './share-partition.js';

export interface Acquisition {
  errorCode: number;
  records: Buffer;
  acquired: AcquiredRecords[];
}

/** Where a v2 record batch keeps its first record's timestamp (after length, epoch, magic, crc, attributes, lastOffsetDelta). */
const FIRST_TIMESTAMP_OFFSET = 27;

interface LogBatch {
  pos: number;
  size: number;
  first: number;
  last: number;
  /** Delivery times of its records, once asked for. */
  times: DeliveryTime[] | null;
}

const NOTHING: Acquisition = { errorCode: ErrorCode.NONE, records: Buffer.alloc(0), acquired: [] };

/**
 * Acquires for `memberId` up to `maxRecords` records of `partition`, reading
 * at most about `maxBytes` (the first batch goes whole, as in Fetch).
 */
export function acquireFromLog(partition: Partition, share: SharePartition, memberId: string, maxRecords: number, maxBytes: number, topicConfigs: TopicConfigs): Acquisition {
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
    batches.push({ pos, size: batchSize(data, pos), first: batchBaseOffset(data, pos), last: batchLastOffset(data, pos), times: null });
  }
  const delay = deliveryDelayMs(topicConfigs);
  // Times are worked out only for the batches the share partition asks about (records never delivered), once each.
  const timesOf = (first: number, last: number): DeliveryTime[] => {
    const out: DeliveryTime[] = [];
    for (const b of batches) {
      if (b.last < first || b.first > last) continue;
      // delivery.delay.ms: due once the batch's first record's timestamp plus the delay has passed.
      b.times ??= batchDeliveryTimes(data, b.pos, b.first, b.last, delay > 0 ? Number(data.readBigInt64BE(b.pos + FIRST_TIMESTAMP_OFFSET)) + delay : 0);
      for (const t of b.times) if (t.last >= first && t.first <= last) out.push({ first: Math.max(first, t.first), last: Math.min(last, t.last), notBefore: t.notBefore });
    }
    return out;
  };
  const acquired = share.acquire(memberId, batches, maxRecords, timesOf);
  if (acquired.length === 0) return NOTHING;
  const kept = batches.filter((b) => acquired.some((a) => a.firstOffset <= b.last && a.lastOffset >= b.first));
  return { errorCode: ErrorCode.NONE, records: Buffer.concat(kept.map((b) => data.subarray(b.pos, b.pos + b.size))), acquired };
}
