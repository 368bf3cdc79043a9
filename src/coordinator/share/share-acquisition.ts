// Reading a partition's log for a share group: the whole batches from where
// the share partition says to start, below the high watermark (the last
// stable offset under read_committed), of which the member acquires up to its
// record budget; only batches holding acquired records are returned (a share
// consumer delivers just the acquired offsets of them). Batches stay bytes.
//
// Control batches are never deliverable, nor, under read_committed, the
// batches of aborted transactions (found through the partition's
// aborted-transaction index, as Fetch does): the share partition archives
// their offsets, and when a read finds nothing else the read goes on past
// them, so a long aborted transaction never stalls a share group.

import type { Partition } from '../../broker/partition.js';
import { inAbortedTxn } from '../../broker/partition-txns.js';
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
 * at most about `maxBytes` (the first batch goes whole, as in Fetch);
 * `readCommitted`: share.isolation.level=read_committed.
 */
export function acquireFromLog(partition: Partition, share: SharePartition, memberId: string, maxRecords: number, maxBytes: number, topicConfigs: TopicConfigs, readCommitted: boolean): Acquisition {
  if (partition.offline) return { ...NOTHING, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
  if (share.startOffset < partition.logStartOffset) share.moveStartTo(partition.logStartOffset);
  const end = readCommitted ? partition.lastStableOffset : partition.highWatermark;
  for (;;) {
    const from = share.nextFetchOffset();
    if (from === null || from >= end || maxRecords <= 0) return NOTHING;
    let data: Buffer;
    try {
      data = partition.log.read(from, Math.max(maxBytes, 1), end, true);
    } catch (err) {
      if (!(err instanceof CorruptBatchError)) throw err;
      return { ...NOTHING, errorCode: ErrorCode.CORRUPT_MESSAGE };
    }
    const aborted = readCommitted ? partition.txns.abortedIn(from, end) : [];
    const batches: { pos: number; size: number; first: number; last: number; firstTimestamp: number }[] = [];
    /** Runs of undeliverable batches, adjacent ones merged. */
    const skipped: { first: number; last: number }[] = [];
    for (let pos = 0; pos < data.length; pos += batchSize(data, pos)) {
      if (isControlBatch(data, pos) || inAbortedTxn(data, pos, aborted)) {
        const prev = skipped[skipped.length - 1];
        if (prev && prev.last + 1 === batchBaseOffset(data, pos)) prev.last = batchLastOffset(data, pos);
        else skipped.push({ first: batchBaseOffset(data, pos), last: batchLastOffset(data, pos) });
        continue;
      }
      batches.push({ pos, size: batchSize(data, pos), first: batchBaseOffset(data, pos), last: batchLastOffset(data, pos), firstTimestamp: Number(data.readBigInt64BE(pos + FIRST_TIMESTAMP_OFFSET)) });
    }
    // delivery.delay.ms: a batch is deliverable once its first record's timestamp plus the delay has passed.
    const delay = deliveryDelayMs(topicConfigs);
    const notBefore = delay > 0 ? (first: number) => (batches.find((b) => b.first <= first && first <= b.last)?.firstTimestamp ?? 0) + delay : undefined;
    const acquired = share.acquire(memberId, batches, maxRecords, notBefore);
    const changed = skipped.reduce((any, run) => share.skipUndeliverable(run.first, run.last) || any, false);
    if (acquired.length > 0) {
      const kept = batches.filter((b) => acquired.some((a) => a.firstOffset <= b.last && a.lastOffset >= b.first));
      return { errorCode: ErrorCode.NONE, records: Buffer.concat(kept.map((b) => data.subarray(b.pos, b.pos + b.size))), acquired };
    }
    // Nothing acquired but undeliverable records archived: read on past them.
    if (!changed) return NOTHING;
  }
}
