// The server-side "uniform" assignor, Kafka's default: every member gets as
// many partitions as the others within one (among members subscribed to the
// same topics), and keeps as much of its previous target as that allows, so
// a rebalance moves few partitions.
//
// 1. Each member keeps the partitions of its previous target that still exist
//    and that it still subscribes to (a partition claimed twice goes to the first).
// 2. Each unowned partition goes to the least-loaded member subscribed to its topic.
// 3. While a member holds two or more partitions more than a member that could
//    take one of them, one moves (its highest-numbered of that topic). Each
//    move lowers the sum of squared loads, so this ends.

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
    const subscribers = new Map<string, string[]>();
    for (const topicId of spec.partitionCounts.keys()) subscribers.set(topicId, memberIds.filter((id) => spec.members.get(id)!.topics.has(topicId)));

    for (const id of memberIds) {
      const m = spec.members.get(id)!;
      for (const [topicId, p] of entries(m.current)) {
        const count = spec.partitionCounts.get(topicId);
        if (count !== undefined && p < count && m.topics.has(topicId) && !owner.has(key(topicId, p))) give(id, topicId, p);
      }
    }

    const lighter = (x: string, y: string) => load.get(x)! < load.get(y)! || (load.get(x) === load.get(y) && x < y);
    const leastLoaded = (ids: string[]) => ids.reduce((best, id) => (lighter(id, best) ? id : best));
    for (const topicId of [...spec.partitionCounts.keys()].sort()) {
      const candidates = subscribers.get(topicId)!;
      if (candidates.length === 0) continue;
      // The least loaded subscriber (ties by member id) takes the next partition: a heap keeps that O(log n).
      const heap = new MinHeap(candidates, lighter);
      for (let p = 0; p < spec.partitionCounts.get(topicId)!; p++) {
        if (owner.has(key(topicId, p))) continue;
        const id = heap.pop();
        give(id, topicId, p);
        heap.push(id);
      }
    }

    // Balance: the most loaded member that can pass a partition to a subscriber of its topic two or more below it does so.
    for (;;) {
      const byLoad = [...memberIds].sort((x, y) => load.get(y)! - load.get(x)!);
      const floor = load.get(byLoad.at(-1)!)!;
      let move: { from: string; to: string; topicId: string } | null = null;
      for (const from of byLoad) {
        if (load.get(from)! - floor < 2) break;
        for (const topicId of out.get(from)!.keys()) {
          const to = leastLoaded(subscribers.get(topicId)!);
          if (load.get(from)! - load.get(to)! >= 2) {
            move = { from, to, topicId };
            break;
          }
        }
        if (move) break;
      }
      if (!move) return out;
      const partitions = out.get(move.from)!.get(move.topicId)!;
      const p = Math.max(...partitions);
      remove(out.get(move.from)!, move.topicId, p);
      load.set(move.from, load.get(move.from)! - 1);
      give(move.to, move.topicId, p);
    }
  },
};

/** A binary min-heap under `less`; the keys of its items may change only while they are out of it. */
class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(
    items: Iterable<T>,
    private readonly less: (x: T, y: T) => boolean,
  ) {
    for (const item of items) this.push(item);
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  /** Removes and returns the least item; the heap must not be empty. */
  pop(): T {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length === 0) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      let least = i;
      for (const child of [2 * i + 1, 2 * i + 2]) if (child < a.length && this.less(a[child], a[least])) least = child;
      if (least === i) break;
      [a[i], a[least]] = [a[least], a[i]];
      i = least;
    }
    return top;
  }
}
