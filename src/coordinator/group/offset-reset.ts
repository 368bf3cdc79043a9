// Resetting a consumer group's committed offsets, as kafka-consumer-groups.sh
// --reset-offsets does: per partition of a topic, a target from the log
// (earliest, latest, a given offset, the first record at or after a time),
// shown first (dry run), then committed as an admin commit (generation -1),
// which the group coordinator accepts only while the group has no members.
// As Kafka's tool, an offset target outside the log is clamped into
// [log start, high watermark], and a time after every record means the high watermark.

import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffset } from '../../broker/list-offsets.js';
import type { Partition } from '../../broker/partition.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { GroupCoordinator } from './group-coordinator.js';

export type ResetTarget = { to: 'earliest' } | { to: 'latest' } | { to: 'offset'; offset: number } | { to: 'time'; time: number };

export interface PlannedReset {
  topic: string;
  partition: number;
  /** The committed offset now; null when the group has none there. */
  current: number | null;
  target: number;
}

/** The identity of a commit made by no member: accepted by an empty group only. */
const ADMIN_COMMITTER = { memberId: '', groupInstanceId: null, generationId: -1 };

async function targetOf(p: Partition, target: ResetTarget): Promise<number> {
  switch (target.to) {
    case 'earliest':
      return (await listOffset(p, EARLIEST_TIMESTAMP)).offset;
    case 'latest':
      return (await listOffset(p, LATEST_TIMESTAMP)).offset;
    case 'offset':
      await p.awaitLogEnd();
      return Math.min(Math.max(target.offset, p.logStartOffset), p.highWatermark);
    case 'time': {
      const found = await listOffset(p, target.time);
      return found.offset === -1 ? p.highWatermark : found.offset;
    }
  }
}

/** The targets of a reset of `groupId` on `partitions` of `topic`; changes nothing. */
export async function planOffsetReset(groups: GroupCoordinator, groupId: string, topic: string, partitions: Partition[], target: ResetTarget): Promise<PlannedReset[]> {
  const committed = new Map(groups.fetchOffsets(groupId, [{ topic, partitions: partitions.map((p) => p.index) }]).map((o) => [o.partition, o.offset]));
  const plan: PlannedReset[] = [];
  for (const p of partitions) {
    const current = committed.get(p.index) ?? -1;
    plan.push({ topic, partition: p.index, current: current < 0 ? null : current, target: await targetOf(p, target) });
  }
  return plan;
}

/** The commit errors that mean the group has members (a standalone commit is accepted only while it has none). */
const GROUP_ACTIVE_ERRORS = new Set<number>([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.ILLEGAL_GENERATION, ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.FENCED_INSTANCE_ID]);

export function isGroupActiveError(errorCode: number): boolean {
  return GROUP_ACTIVE_ERRORS.has(errorCode);
}

/**
 * Commits each entry's target as no member does (generation -1): a reset's
 * plan, or a standalone consumer's position. One Kafka error code per entry
 * (NONE, or one that isGroupActiveError names when the group has members).
 */
export function commitStandalone(groups: GroupCoordinator, groupId: string, entries: Omit<PlannedReset, 'current'>[]): Promise<number[]> {
  return groups.commitOffsets(
    groupId,
    ADMIN_COMMITTER,
    entries.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.target, leaderEpoch: -1, metadata: null, commitTimestamp: -1 })),
  );
}
