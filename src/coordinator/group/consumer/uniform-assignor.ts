// The server-side "uniform" assignor, Kafka's default: every member gets as
// many partitions as the others within one (among members subscribed to the
// same topics), and keeps as much of its previous target as that allows, so
// a rebalance moves few partitions.
//
// 1. Each member keeps the partitions of its previous target that still exist
//    and that it still subscribes to (a partition claimed twice goes to the first).
// 2. Each unowned partition goes to the least-loaded member subscribed to its topic.
// 3. While a member holds two or more partitions more than a member that could
//    take one of them, one moves. Each move lowers the sum of squared loads, so
//    this ends.

import type { ServerAssignor } from './assignor.js';
import { type PartitionSet, add, entries, remove } from './partition-set.js';

export const uniformAssignor: ServerAssignor = {
  name: 'uniform',
  assign(spec) {
    const memberIds = [...spec.members.keys()].sort();
    const out = new Map<string, PartitionSet>(memberIds.map((id) => [id, new Map()]));
    const load = new Map<string, number>(memberIds.map((id) => [id, 0]));
    const owner = new Map<string, string>();
    const key = (topicId: string, p: number) => `${topicId}:${p}`;
    const give = (id: string, topicId: string, p: number) => {
      add(out.get(id)!, topicId, p);
      load.set(id, load.get(id)! + 1);
      owner.set(key(topicId, p), id);
    };
    const subscribers = (topicId: string) => memberIds.filter((id) => spec.members.get(id)!.topics.has(topicId));

    for (const id of memberIds) {
      const m = spec.members.get(id)!;
      for (const [topicId, p] of entries(m.current)) {
        const count = spec.partitionCounts.get(topicId);
        if (count !== undefined && p < count && m.topics.has(topicId) && !owner.has(key(topicId, p))) give(id, topicId, p);
      }
    }

    const byLoad = (ids: string[]) => ids.reduce((best, id) => (load.get(id)! < load.get(best)! ? id : best));
    for (const topicId of [...spec.partitionCounts.keys()].sort()) {
      const candidates = subscribers(topicId);
      if (candidates.length === 0) continue;
      for (let p = 0; p < spec.partitionCounts.get(topicId)!; p++) {
        if (!owner.has(key(topicId, p))) give(byLoad(candidates), topicId, p);
      }
    }

    for (;;) {
      let moved = false;
      for (const from of [...memberIds].sort((x, y) => load.get(y)! - load.get(x)!)) {
        for (const [topicId, p] of entries(out.get(from)!)) {
          const to = byLoad(subscribers(topicId));
          if (load.get(from)! - load.get(to)! < 2) continue;
          remove(out.get(from)!, topicId, p);
          load.set(from, load.get(from)! - 1);
          give(to, topicId, p);
          moved = true;
          break;
        }
        if (moved) break;
      }
      if (!moved) return out;
    }
  },
};
