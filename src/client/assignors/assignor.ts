// What a partition assignor is: a pure function from the members'
// subscriptions (and, for sticky assignors, what each member owned in the
// last generation) and the topics' partition counts to each member's
// partitions. The group leader runs the one the coordinator chose among the
// names every member offered in JoinGroup (Kafka's
// `partition.assignment.strategy`).

import type { TopicPartitions } from '../../protocol/consumer-protocol.js';

/**
 * How members give partitions up. 'eager': every member revokes everything
 * before it rejoins. 'cooperative' (KIP-429): a member keeps consuming what it
 * owns through the rebalance and revokes only what the new assignment takes
 * away, then rejoins so those partitions can go to their new owners.
 */
export type RebalanceProtocol = 'eager' | 'cooperative';

export interface AssignorMember {
  memberId: string;
  /** KIP-345 static membership; members with one sort before those without, by it. */
  groupInstanceId?: string | null;
  topics: string[];
  /** Partitions the member held in its last generation (subscription v1+, KIP-429); empty under eager rebalancing. */
  ownedPartitions?: TopicPartitions[];
}

/** Each member's partitions, by member id; every member appears, possibly with nothing. */
export type AssignmentPlan = Map<string, TopicPartitions[]>;

export interface Assignor {
  /** The protocol name offered in JoinGroup, as every Kafka client spells it. */
  name: string;
  rebalanceProtocol: RebalanceProtocol;
  /** Topics missing from `partitionCounts` (unknown to the cluster) are not assigned. */
  assign(members: AssignorMember[], partitionCounts: Map<string, number>): AssignmentPlan;
}

/** Kafka's member order: static members first, by instance id, then the others by member id. */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const ai = a.groupInstanceId ?? null;
  const bi = b.groupInstanceId ?? null;
  if (ai !== null && bi !== null) return compareStrings(ai, bi);
  if (ai !== null) return -1;
  if (bi !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** Code-unit order, as Java's String.compareTo (localeCompare would depend on the locale). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The topics any member subscribes to that the cluster knows, sorted. */
export function subscribedTopics(members: AssignorMember[], partitionCounts: Map<string, number>): string[] {
  return [...new Set(members.flatMap((m) => m.topics))].filter((t) => (partitionCounts.get(t) ?? 0) > 0).sort(compareStrings);
}

/** Lists of { topic, partition } grouped by topic, topics and partitions sorted. */
export function groupByTopic(list: { topic: string; partition: number }[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const o of list) {
    let partitions = byTopic.get(o.topic);
    if (!partitions) byTopic.set(o.topic, (partitions = []));
    partitions.push(o.partition);
  }
  return [...byTopic].sort(([a], [b]) => compareStrings(a, b)).map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) }));
}
