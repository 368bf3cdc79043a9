// OffsetFetch and OffsetCommit against a group's coordinator, shared by the
// group consumer and Admin. OffsetFetch v8 moved the group into a list
// (KIP-709); both layouts are filled in, and the codec writes the one the
// negotiated version has. An OffsetCommit with generation -1 and an empty
// member id is Kafka's "simple" commit, which a coordinator accepts only for
// a group without members.

import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/messages/offset-commit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages/offset-fetch.js';
import { KafkaError, check } from './client-error.js';
import type { BrokerConnection } from './connection.js';
import type { TopicPartitions } from '../protocol/consumer-protocol.js';

const OFFSET_FETCH = { request: OffsetFetchRequest, response: OffsetFetchResponse };
const OFFSET_COMMIT = { request: OffsetCommitRequest, response: OffsetCommitResponse };

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface CommittedOffset extends PartitionOffset {
  metadata: string | null;
}

/** Who commits: a member of a generation, or (generation -1, member '') nobody, for an empty group. */
export interface Committer {
  generationId: number;
  memberId: string;
  /** A static member's instance id (KIP-345), checked by the coordinator against the member id. */
  groupInstanceId?: string | null;
}

export const SIMPLE_COMMITTER: Committer = { generationId: -1, memberId: '' };

/**
 * Committed offsets of `groupId` for `topics`, or for everything the group
 * committed when `topics` is null. A partition without a commit has offset
 * -1 (when asked for by name) or is absent (when asking for everything).
 * Throws KafkaError on a group or partition error.
 */
export async function fetchCommitted(conn: BrokerConnection, groupId: string, topics: TopicPartitions[] | null): Promise<CommittedOffset[]> {
  const wanted = topics === null ? null : topics.map((t) => ({ name: t.topic, partitionIndexes: t.partitions }));
  const version = conn.versionFor(OFFSET_FETCH);
  const res = await conn.sendVersion(OFFSET_FETCH, version, { groupId, topics: wanted, groups: [{ groupId, topics: wanted }], requireStable: true });
  const group: Message | undefined = version >= 8 ? res.groups[0] : res;
  if (!group) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'no answer for the group', `fetch committed offsets of group '${groupId}'`);
  check(group.errorCode, null, `fetch committed offsets of group '${groupId}'`);
  const out: CommittedOffset[] = [];
  for (const t of group.topics as Message[]) {
    for (const p of t.partitions as Message[]) {
      check(p.errorCode, null, `fetch committed offset of ${t.name}-${p.partitionIndex} for group '${groupId}'`);
      out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata });
    }
  }
  return out;
}

/** Commits `offsets`; resolves with one Kafka error code per offset, in order (0 when stored). */
export async function commitOffsets(conn: BrokerConnection, groupId: string, committer: Committer, offsets: PartitionOffset[]): Promise<number[]> {
  const byTopic = new Map<string, PartitionOffset[]>();
  for (const o of offsets) {
    let list = byTopic.get(o.topic);
    if (!list) byTopic.set(o.topic, (list = []));
    list.push(o);
  }
  const res = await conn.send(OFFSET_COMMIT, {
    groupId,
    generationIdOrMemberEpoch: committer.generationId,
    memberId: committer.memberId,
    groupInstanceId: committer.groupInstanceId ?? null,
    retentionTimeMs: -1,
    topics: [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null })),
    })),
  });
  const codes = new Map<string, number>();
  for (const t of res.topics as Message[]) for (const p of t.partitions as Message[]) codes.set(`${p.partitionIndex}:${t.name}`, p.errorCode);
  // A partition the broker left out of its answer was not stored.
  return offsets.map((o) => codes.get(`${o.partition}:${o.topic}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
}
