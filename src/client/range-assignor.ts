// The range assignor, Kafka's default ("range"): each topic on its own, its
// partitions cut into contiguous ranges over the members subscribed to it,
// sorted by member id; the first (partitions % members) members get one
// extra. 7 partitions over members a, b, c:
//
//   a: 0 1 2    b: 3 4    c: 5 6
//
// Deterministic: the same members and partition counts always give the same
// assignment, whichever member leads.

import type { TopicPartitions } from '../protocol/consumer-protocol.js';

export const RANGE_ASSIGNOR = 'range';

export interface AssignorMember {
  memberId: string;
  topics: string[];
}

/**
 * Assigns the partitions of every subscribed topic. `partitionCounts` gives
 * each topic's partition count; topics missing from it (unknown to the
 * cluster) are not assigned. Every member appears in the result, possibly
 * with nothing.
 */
export function assignRange(members: AssignorMember[], partitionCounts: Map<string, number>): Map<string, TopicPartitions[]> {
  const out = new Map<string, TopicPartitions[]>(members.map((m) => [m.memberId, []]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined || count <= 0) continue;
    const subscribers = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((memberId, i) => {
      const start = i * per + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      if (length === 0) return;
      out.get(memberId)!.push({ topic, partitions: Array.from({ length }, (_, k) => start + k) });
    });
  }
  return out;
}
