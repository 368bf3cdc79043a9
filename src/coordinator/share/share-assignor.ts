// Which partitions each member of a share group fetches from. Unlike a
// consumer group, a partition may go to several members: records are handed
// out one acquisition at a time, so sharing a partition is safe, and it lets
// more members than partitions all do work. Every partition of a subscribed
// topic goes to at least one subscriber; partitions are dealt round the
// subscribers (sorted by member id, so the result is deterministic), and when
// there are more subscribers than partitions, the partitions are dealt again
// until every subscriber has one.

import type { TopicInfo } from '../group/consumer/consumer-group.js';

export interface ShareSubscriber {
  memberId: string;
  topics: readonly string[];
}

/** Member id → topic id → partitions. */
export type ShareAssignment = Map<string, Map<string, number[]>>;

export function assignShares(members: readonly ShareSubscriber[], topic: (name: string) => TopicInfo | undefined): ShareAssignment {
  const out: ShareAssignment = new Map(members.map((m) => [m.memberId, new Map()]));
  const names = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const name of names) {
    const info = topic(name);
    if (!info || info.partitions === 0) continue;
    const subscribers = members
      .filter((m) => m.topics.includes(name))
      .map((m) => m.memberId)
      .sort();
    const deals = Math.max(info.partitions, subscribers.length);
    for (let i = 0; i < deals; i++) {
      const owner = out.get(subscribers[i % subscribers.length])!;
      const partitions = owner.get(info.topicId) ?? [];
      const partition = i % info.partitions;
      if (!partitions.includes(partition)) partitions.push(partition);
      owner.set(info.topicId, partitions);
    }
  }
  return out;
}
