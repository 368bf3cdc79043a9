// The server-side "range" assignor: per topic, its subscribers in member id
// order each get a contiguous range of partitions, the first (count mod
// subscribers) of them one more. Members subscribed to the same topics get the
// same partition numbers of each, which co-partitioned topics (joins) need.
// Unlike Kafka's it does not try to keep a member's previous ranges.

import type { ServerAssignor } from './assignor.js';
import { type PartitionSet, add } from './partition-set.js';

export const rangeAssignor: ServerAssignor = {
  name: 'range',
  assign(spec) {
    const out = new Map<string, PartitionSet>();
    const memberIds = [...spec.members.keys()].sort();
    for (const id of memberIds) out.set(id, new Map());
    for (const [topicId, count] of spec.partitionCounts) {
      const subscribers = memberIds.filter((id) => spec.members.get(id)!.topics.has(topicId));
      if (subscribers.length === 0) continue;
      const base = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      let next = 0;
      subscribers.forEach((id, i) => {
        const n = base + (i < extra ? 1 : 0);
        for (let p = next; p < next + n; p++) add(out.get(id)!, topicId, p);
        next += n;
      });
    }
    return out;
  },
};
