// The range assignor, Kafka's default ("range"): each topic on its own, its
// partitions cut into contiguous ranges over the members subscribed to it,
// in member order (compareMembers); the first (partitions % members) members
// get one extra. 7 partitions over members a, b, c:
//
//   a: 0 1 2    b: 3 4    c: 5 6
//
// Deterministic: the same members and partition counts always give the same
// assignment, whichever member leads.

import { type AssignmentPlan, type Assignor, type AssignorMember, compareMembers, subscribedTopics } from './assignor.js';

export function assignRange(members: AssignorMember[], partitionCounts: Map<string, number>): AssignmentPlan {
  const out: AssignmentPlan = new Map(members.map((m) => [m.memberId, []]));
  const ordered = [...members].sort(compareMembers);
  for (const topic of subscribedTopics(members, partitionCounts)) {
    const count = partitionCounts.get(topic)!;
    const subscribers = ordered.filter((m) => m.topics.includes(topic));
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((member, i) => {
      const start = i * per + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      if (length === 0) return;
      out.get(member.memberId)!.push({ topic, partitions: Array.from({ length }, (_, k) => start + k) });
    });
  }
  return out;
}

export const rangeAssignor: Assignor = { name: 'range', rebalanceProtocol: 'eager', assign: assignRange };
