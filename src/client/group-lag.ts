// A consumer group's lag, as `kafka-consumer-groups --describe` reports it:
// for every partition the group has a committed offset on or a member is
// assigned, the committed offset, the log end offset (what a consumer can
// read: the high watermark) and their difference, with the member that owns
// the partition now.
//
// Lag is counted from the log start when the commit is older than the log
// (records deleted by retention are not lag: no consumer can read them), and
// is never negative. A partition without a commit has no lag figure, and is
// left out of the total, as in Kafka.

import { ErrorCode } from '../protocol/error-codes.js';
import { type Admin, EARLIEST, LATEST } from './admin.js';
import { KafkaError } from './client-error.js';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Committed offset; null when the group never committed on this partition. */
  currentOffset: number | null;
  /** null when the topic no longer exists. */
  logStartOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  /** The member assigned this partition now (consumer groups only), else nulls. */
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

export interface MemberWithoutPartitions {
  memberId: string;
  clientId: string;
  host: string;
}

export interface GroupLag {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: number;
  totalLag: number;
  partitions: PartitionLag[];
  /** Members the assignor gave nothing (more members than partitions). */
  idleMembers: MemberWithoutPartitions[];
}

/** The lag report of `groupId`; null when the coordinator knows no such group (no members, no offsets). */
export async function describeGroupLag(admin: Admin, groupId: string): Promise<GroupLag | null> {
  const [[group], committed] = await Promise.all([admin.describeGroups([groupId]), admin.fetchOffsets(groupId)]);
  if (group.state === 'Dead' && committed.length === 0) return null;

  const rows = new Map<string, PartitionLag>();
  const row = (topic: string, partition: number) => {
    const key = `${partition}:${topic}`;
    let r = rows.get(key);
    if (!r) {
      r = { topic, partition, currentOffset: null, logStartOffset: null, logEndOffset: null, lag: null, memberId: null, clientId: null, host: null };
      rows.set(key, r);
    }
    return r;
  };
  for (const c of committed) if (c.offset >= 0) row(c.topic, c.partition).currentOffset = c.offset;
  const idleMembers: MemberWithoutPartitions[] = [];
  for (const m of group.members) {
    if (m.assignment.every((tp) => tp.partitions.length === 0)) idleMembers.push({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost });
    for (const tp of m.assignment) {
      for (const p of tp.partitions) Object.assign(row(tp.topic, p), { memberId: m.memberId, clientId: m.clientId, host: m.clientHost });
    }
  }

  const partitions = [...rows.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const topics = [...new Set(partitions.map((r) => r.topic))];
  await Promise.all(topics.map((topic) => fillOffsets(admin, topic, partitions.filter((r) => r.topic === topic))));
  let totalLag = 0;
  for (const r of partitions) {
    if (r.currentOffset === null || r.logEndOffset === null || r.logStartOffset === null) continue;
    r.lag = Math.max(0, r.logEndOffset - Math.max(r.currentOffset, r.logStartOffset));
    totalLag += r.lag;
  }
  return { groupId, state: group.state, protocolType: group.protocolType, protocol: group.protocol, members: group.members.length, totalLag, partitions, idleMembers };
}

async function fillOffsets(admin: Admin, topic: string, rows: PartitionLag[]): Promise<void> {
  const ids = rows.map((r) => r.partition);
  let earliest: Map<number, { offset: number }>;
  let latest: Map<number, { offset: number }>;
  try {
    [earliest, latest] = await Promise.all([admin.listOffsets(topic, ids, EARLIEST), admin.listOffsets(topic, ids, LATEST)]);
  } catch (err) {
    // A topic deleted after the group committed on it: offsets stay, log offsets are unknown.
    if (err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return;
    throw err;
  }
  for (const r of rows) {
    r.logStartOffset = earliest.get(r.partition)?.offset ?? null;
    r.logEndOffset = latest.get(r.partition)?.offset ?? null;
  }
}
