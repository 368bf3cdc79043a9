// What operators watch of a queue: per share group and partition, gauges of
// the records now (ready, delayed, in flight, the age of the oldest ready one)
// and counters since the broker started; per group, their totals. Read by
// ShareCoordinator.figures(); the HTTP API, metrics and `sluice queue stats`
// show them.

import type { Partition } from '../../broker/partition.js';
import { ATTRIBUTES_OFFSET, Attr, batchFirstTimestamp, batchMaxTimestamp } from '../../protocol/record-batch.js';
import { CorruptBatchError } from '../../storage/corrupt-batch.js';
import type { SharePartition } from './share-partition.js';

/** What a share partition counts as its records change state (since this broker started). */
export interface ShareCounters {
  /** Records accepted by consumers (and gaps they acknowledged). */
  acknowledged: number;
  /** Records archived: rejected, or released at the delivery-count limit (what a dead-letter topic receives). */
  archived: number;
  /** Deliveries of records that had been delivered before. */
  redeliveries: number;
  /** Records the group's share.filter did not pass, settled without a delivery. */
  filtered: number;
}

export interface ShareFigures extends ShareCounters {
  /**
   * Records a consumer could be given now: available records in the window,
   * plus the offsets past it up to the high watermark, not read yet (their
   * delivery times and the filter are judged when the group reads them;
   * control records and compacted offsets count there too).
   */
  ready: number;
  /** Records available only from a later time (a delivery time, a release delay). */
  delayed: number;
  /** Records acquired by consumers and not yet acknowledged. */
  inFlight: number;
  /** Now minus the timestamp of the oldest ready record (its batch's first record's; the batch's for LogAppendTime); null when none is ready. */
  oldestReadyAgeMs: number | null;
  /** Records copied to the group's dead-letter topic (since this broker started). */
  deadLettered: number;
}

export interface SharePartitionFigures extends ShareFigures {
  topic: string;
  partition: number;
  /** The share-partition start offset: the first record not settled. */
  startOffset: number;
  /** One past the last offset the group has read. */
  endOffset: number;
}

export interface ShareGroupFigures {
  groupId: string;
  /** Sums over the partitions; the oldest ready age is the largest. */
  totals: ShareFigures;
  /** The partitions the group has state for (read since start-up, or stored), by topic and partition. */
  partitions: SharePartitionFigures[];
}

export const noCounters = (): ShareCounters => ({ acknowledged: 0, archived: 0, redeliveries: 0, filtered: 0 });

export function sumFigures(parts: readonly ShareFigures[]): ShareFigures {
  const total: ShareFigures = { ...noCounters(), ready: 0, delayed: 0, inFlight: 0, oldestReadyAgeMs: null, deadLettered: 0 };
  for (const p of parts) {
    total.ready += p.ready;
    total.delayed += p.delayed;
    total.inFlight += p.inFlight;
    total.acknowledged += p.acknowledged;
    total.archived += p.archived;
    total.redeliveries += p.redeliveries;
    total.filtered += p.filtered;
    total.deadLettered += p.deadLettered;
    if (p.oldestReadyAgeMs !== null) total.oldestReadyAgeMs = Math.max(total.oldestReadyAgeMs ?? 0, p.oldestReadyAgeMs);
  }
  return total;
}


/** One share partition's figures; `log` its topic partition here (none: nothing unread is counted). */
export function partitionFigures(topic: string, partition: number, share: SharePartition, log: Partition | undefined, deadLettered: number, now: number): SharePartitionFigures {
  const counts = share.stateCounts();
  const unread = log ? Math.max(0, log.highWatermark - share.endOffset) : 0;
  // The first record deliverable now: in the window, else the first one not read yet.
  const next = share.nextFetchOffset() ?? share.endOffset;
  const oldest = log && (next < share.endOffset || unread > 0) ? batchTimestampAt(log, next) : null;
  return {
    topic,
    partition,
    startOffset: share.startOffset,
    endOffset: share.endOffset,
    ready: counts.available + unread,
    delayed: counts.delayed,
    inFlight: counts.acquired,
    oldestReadyAgeMs: oldest === null ? null : Math.max(0, now - oldest),
    ...share.counters,
    deadLettered,
  };
}

/** The timestamp of the batch holding `offset` (its first record's; under LogAppendTime, the batch's), or null when it cannot be read. */
export function batchTimestampAt(partition: Partition, offset: number): number | null {
  try {
    const data = partition.log.read(offset, 1, partition.highWatermark, true);
    if (data.length === 0) return null;
    return data.readInt16BE(ATTRIBUTES_OFFSET) & Attr.LogAppendTime ? batchMaxTimestamp(data, 0) : batchFirstTimestamp(data, 0);
  } catch (err) {
    if (err instanceof CorruptBatchError) return null;
    throw err;
  }
}
