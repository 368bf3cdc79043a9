// Reading a partition's log for a share group: the whole batches from where
// the share partition says to start, below the high watermark, of which the
// member acquires up to its record budget; only batches holding acquired
// records are returned (a share consumer delivers just the acquired offsets
// of them). Control batches are never deliverable. Batches stay bytes.

import type { Partition } from '../../broker/partition.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { batchBaseOffset, batchLastOffset, batchSize, isControlBatch } from '../../protocol/record-batch.js';
import { type TopicConfigs, deliveryDelayMs } from '../../metadata/topic-configs.js';
import { CorruptBatchError } from '../../storage/corrupt-batch.js';
import type { AcquiredRecords, SharePartition } from './share-partition.js';

export interface Acquisition {
  errorCode: number;
  records: Buffer;
  acquired: AcquiredRecords[];
}

/** Where a v2 record batch keeps its first record's timestamp (after length, epoch, magic, crc, attributes, lastOffsetDelta). */
const FIRST_TIMESTAMP_OFFSET = 27;

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
  const batches: { pos: number; size: number; first: number; last: number; firstTimestamp: number }[] = [];
  for (let pos = 0; pos < data.length; pos += batchSize(data, pos)) {
    if (isControlBatch(data, pos)) continue;
    batches.push({ pos, size: batchSize(data, pos), first: batchBaseOffset(data, pos), last: batchLastOffset(data, pos), firstTimestamp: Number(data.readBigInt64BE(pos + FIRST_TIMESTAMP_OFFSET)) });
  }
  // delivery.delay.ms: a batch is deliverable once its first record's timestamp plus the delay has passed.
  const delay = deliveryDelayMs(topicConfigs);
  const notBefore = delay > 0 ? (from: number) => (batches.find((b) => b.first <= from && from <= b.last)?.firstTimestamp ?? 0) + delay : undefined;
  const acquired = share.acquire(memberId, batches, maxRecords, notBefore);
  if (acquired.length === 0) return NOTHING;
  const kept = batches.filter((b) => acquired.some((a) => a.firstOffset <= b.last && a.lastOffset >= b.first));
  return { errorCode: ErrorCode.NONE, records: Buffer.concat(kept.map((b) => data.subarray(b.pos, b.pos + b.size))), acquired };
}
