// A group's lag, seen from the broker: for every partition the group has a
// committed offset on, how far the commit is behind the high watermark in
// offsets, and in time: the age of the oldest record the group has not
// consumed (now minus its timestamp). Both are counted from the log start when
// the commit is older than the log, since records removed by retention are no
// one's lag; both are 0 when the group is caught up. For the HTTP API's group
// detail, GET /metrics and the stats history.

import type { Broker } from '../../broker/broker.js';
import type { Partition } from '../../broker/partition.js';
import { scanRecords } from '../../broker/partition-scan.js';
import type { GroupCoordinator } from './group-coordinator.js';

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  /** null when the topic or partition no longer exists here. */
  logStartOffset: number | null;
  highWatermark: number | null;
  lag: number | null;
  /** Age of the oldest unconsumed record (ms); null when unknown (no partition, or a corrupt batch there). */
  lagMs: number | null;
}

/** Records whose first one gives the lag in time: a transaction marker or a compacted gap may come first. */
const OLDEST_SCAN = { maxRecords: 1, maxBytes: 1024 * 1024 };

/** Offsets from `committed`, or the log start if later, to the high watermark. */
function offsetLag(p: Partition, committed: number): number {
  return Math.max(0, p.highWatermark - Math.max(committed, p.logStartOffset));
}

export function groupLag(broker: Broker, groups: GroupCoordinator, groupId: string, now: number): PartitionLag[] {
  return groups
    .fetchOffsets(groupId, null)
    .filter((o) => o.offset >= 0)
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
    .map((o) => {
      const row: PartitionLag = { topic: o.topic, partition: o.partition, committedOffset: o.offset, logStartOffset: null, highWatermark: null, lag: null, lagMs: null };
      const p = broker.partition(o.topic, o.partition);
      if (!p) return row;
      const from = Math.max(o.offset, p.logStartOffset);
      row.logStartOffset = p.logStartOffset;
      row.highWatermark = p.highWatermark;
      row.lag = offsetLag(p, o.offset);
      if (row.lag === 0) {
        row.lagMs = 0;
      } else {
        const scan = scanRecords(p, from, OLDEST_SCAN);
        const oldest = scan.records[0];
        // No record below the high watermark (only markers left) and nothing corrupt: nothing to wait for.
        row.lagMs = oldest ? Math.max(0, now - oldest.timestamp) : scan.corrupt ? null : 0;
      }
      return row;
    });
}

/** Lag in offsets summed over every group's committed partitions (no record is read for it). */
export function totalGroupLag(broker: Broker, groups: GroupCoordinator): number {
  let total = 0;
  for (const groupId of groups.groupsWithOffsets()) {
    for (const o of groups.fetchOffsets(groupId, null)) {
      const p = o.offset >= 0 ? broker.partition(o.topic, o.partition) : undefined;
      if (p) total += offsetLag(p, o.offset);
    }
  }
  return total;
}

/** Every group with committed offsets and its lag per partition. */
export function allGroupsLag(broker: Broker, groups: GroupCoordinator, now: number): { groupId: string; partitions: PartitionLag[] }[] {
  return groups.groupsWithOffsets().map((groupId) => ({ groupId, partitions: groupLag(broker, groups, groupId, now) }));
}
