// The round-robin assignor ("roundrobin"): every partition of every
// subscribed topic, sorted by topic then partition, dealt in turn to the
// members in member order (compareMembers); a member not subscribed to a
// partition's topic is skipped for it. 7 partitions of t over a, b, c:
//
//   a: 0 3 6    b: 1 4    c: 2 5
//
// With several topics the deal runs on across them, so members end up with
// at most one partition more than each other when all subscribe alike.

import { type AssignmentPlan, type Assignor, type AssignorMember, compareMembers, groupByTopic, subscribedTopics } from './assignor.js';

export function assignRoundRobin(members: AssignorMember[], partitionCounts: Map<string, number>): AssignmentPlan {
  const ordered = [...members].sort(compareMembers);
  const dealt = new Map<string, { topic: string; partition: number }[]>(members.map((m) => [m.memberId, []]));
  let next = 0;
  for (const topic of subscribedTopics(members, partitionCounts)) {
    // subscribedTopics only lists topics some member subscribes to, so this search ends.
    for (let partition = 0; partition < partitionCounts.get(topic)!; partition++) {
      while (!ordered[next].topics.includes(topic)) next = (next + 1) % ordered.length;
      dealt.get(ordered[next].memberId)!.push({ topic, partition });
      next = (next + 1) % ordered.length;
    }
  }
  return new Map([...dealt].map(([memberId, list]) => [memberId, groupByTopic(list)]));
}

export const roundRobinAssignor: Assignor = { name: 'roundrobin', rebalanceProtocol: 'eager', assign: assignRoundRobin };
