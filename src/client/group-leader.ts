// The group leader's part of a classic rebalance: after JoinGroup the
// coordinator hands the leader every member's subscription; the leader asks
// for the subscribed topics' partition counts, runs the assignor the
// coordinator chose, and returns each member's assignment for SyncGroup.

import type { Message } from '../protocol/codec.js';
import { type TopicPartitions, decodeSubscription, encodeAssignment } from '../protocol/consumer-protocol.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { MetadataRequest, MetadataResponse } from '../protocol/messages/metadata.js';
import type { Assignor, AssignorMember } from './assignors/assignor.js';
import type { BrokerConnection } from './connection.js';

const METADATA = { request: MetadataRequest, response: MetadataResponse };

/**
 * Every member's assignment, encoded for SyncGroup. `members` is the
 * JoinGroup response's list; Metadata is asked on `conn`, the coordinator
 * connection, since the client's may be held by a long-polling fetch.
 */
export async function assignAsLeader(conn: BrokerConnection, assignor: Assignor, members: Message[]): Promise<{ memberId: string; assignment: Buffer }[]> {
  const subscriptions = members.map((m): AssignorMember => {
    const member = { memberId: m.memberId as string, groupInstanceId: m.groupInstanceId as string | null, topics: [] as string[], ownedPartitions: [] as TopicPartitions[] };
    try {
      const subscription = decodeSubscription(m.metadata);
      member.topics = subscription.topics;
      member.ownedPartitions = subscription.ownedPartitions;
    } catch {
      // A member whose subscription does not parse gets nothing rather than breaking the group.
    }
    return member;
  });
  const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
  const md = await conn.send(METADATA, { topics: topics.map((name) => ({ name, topicId: undefined })), allowAutoTopicCreation: false });
  const counts = new Map<string, number>();
  for (const t of md.topics as Message[]) if (t.errorCode === ErrorCode.NONE) counts.set(t.name, t.partitions.length);
  const plan = assignor.assign(subscriptions, counts);
  return subscriptions.map((s) => ({ memberId: s.memberId, assignment: encodeAssignment({ version: 0, partitions: plan.get(s.memberId) ?? [], userData: null }) }));
}
