// The cooperative sticky assignor: balanced, moving as few partitions as
// possible from what members own, withholding a moved partition for one
// round (KIP-429), and giving contested or stale claims out afresh. The last
// test replays random groups through both rounds of a rebalance.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssignmentPlan, AssignorMember } from '../../../src/client/assignors/assignor.js';
import { assignCooperativeSticky } from '../../../src/client/assignors/cooperative-sticky.js';
import type { TopicPartitions } from '../../../src/protocol/consumer-protocol.js';
import { prng } from '../../helpers/seeded-random.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const owning = (memberId: string, partitions: number[], topics = ['t']): AssignorMember => ({
  memberId,
  topics,
  ownedPartitions: partitions.length > 0 ? [{ topic: 't', partitions }] : [],
});
const partitionsOf = (plan: AssignmentPlan, memberId: string) => (plan.get(memberId) ?? []).flatMap((tp) => tp.partitions);

/** The members as they rejoin after taking `plan` (each now owns what it was given). */
function afterRound(members: AssignorMember[], plan: AssignmentPlan): AssignorMember[] {
  return members.map((m) => ({ ...m, ownedPartitions: plan.get(m.memberId) ?? [] }));
}

test('cooperative-sticky: a fresh group is balanced and every partition is assigned once', () => {
  const plan = assignCooperativeSticky(['a', 'b', 'c'].map((id) => owning(id, [])), new Map([['t', 10]]));
  assert.deepEqual(
    ['a', 'b', 'c'].flatMap((id) => partitionsOf(plan, id)).sort((x, y) => x - y),
    range(0, 10),
  );
  assert.deepEqual(['a', 'b', 'c'].map((id) => partitionsOf(plan, id).length), [4, 3, 3]);
});

test('cooperative-sticky: a joining member gets nothing in the first round; the others keep all but their surplus, which it gets in the second', () => {
  const members = [owning('a', range(0, 5)), owning('b', range(5, 10)), owning('c', [])];
  const first = assignCooperativeSticky(members, new Map([['t', 10]]));
  assert.deepEqual(partitionsOf(first, 'a'), [0, 1, 2]);
  assert.deepEqual(partitionsOf(first, 'b'), [5, 6, 7, 8]);
  assert.deepEqual(partitionsOf(first, 'c'), []);

  const second = assignCooperativeSticky(afterRound(members, first), new Map([['t', 10]]));
  assert.deepEqual(partitionsOf(second, 'a'), [0, 1, 2]);
  assert.deepEqual(partitionsOf(second, 'b'), [5, 6, 7, 8]);
  assert.deepEqual(partitionsOf(second, 'c'), [3, 4, 9]);
});

test('cooperative-sticky: when a member leaves, the others keep theirs and share its partitions at once', () => {
  const plan = assignCooperativeSticky([owning('a', range(0, 4)), owning('b', range(4, 8))], new Map([['t', 12]]));
  assert.deepEqual(partitionsOf(plan, 'a'), [0, 1, 2, 3, 8, 10]);
  assert.deepEqual(partitionsOf(plan, 'b'), [4, 5, 6, 7, 9, 11]);
});

test('cooperative-sticky: a partition two members claim stays with neither claim and is given out once, without waiting a round', () => {
  const plan = assignCooperativeSticky([owning('a', [0, 1]), owning('b', [1, 2]), owning('c', [])], new Map([['t', 3]]));
  assert.deepEqual(partitionsOf(plan, 'a'), [0]);
  assert.deepEqual(partitionsOf(plan, 'b'), [2]);
  assert.deepEqual(partitionsOf(plan, 'c'), [1]);
});

test('cooperative-sticky: claims on partitions that no longer exist or of topics no longer subscribed are ignored', () => {
  const members: AssignorMember[] = [
    { memberId: 'a', topics: ['t'], ownedPartitions: [{ topic: 't', partitions: [0, 7] }, { topic: 'gone', partitions: [0] }] },
    { memberId: 'b', topics: ['t'], ownedPartitions: [{ topic: 't', partitions: [1] }] },
  ];
  const plan = assignCooperativeSticky(members, new Map([['t', 3]]));
  assert.deepEqual(Object.fromEntries(plan), { a: [{ topic: 't', partitions: [0, 2] }], b: [{ topic: 't', partitions: [1] }] });
});

test('cooperative-sticky: members with different subscriptions each get only their topics, balanced where they overlap', () => {
  const plan = assignCooperativeSticky(
    [
      { memberId: 'a', topics: ['t'] },
      { memberId: 'b', topics: ['t', 'u'] },
      { memberId: 'c', topics: ['u'] },
    ],
    new Map([['t', 4], ['u', 4]]),
  );
  const topicsOf = (id: string) => (plan.get(id) ?? []).map((tp: TopicPartitions) => tp.topic);
  assert.deepEqual(topicsOf('a'), ['t']);
  assert.deepEqual(topicsOf('c'), ['u']);
  const counts = ['a', 'b', 'c'].map((id) => partitionsOf(plan, id).length);
  assert.equal(counts.reduce((x, y) => x + y), 8);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts}`);
});

test('cooperative-sticky, random groups through both rounds: each partition once, counts at most one apart, a member keeps min(owned, final) of its partitions, nothing moves in round one', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rng = prng(seed);
    const partitions = 1 + Math.floor(rng() * 40);
    const memberCount = 1 + Math.floor(rng() * 8);
    // Start from an arbitrary (possibly unbalanced, partial) ownership, then let some members go and others come.
    const owner = range(0, partitions).map(() => Math.floor(rng() * (memberCount + 2)));
    const members = range(0, memberCount).map((i) => owning(`m${i}`, range(0, partitions).filter((p) => owner[p] === i)));
    const counts = new Map([['t', partitions]]);

    const first = assignCooperativeSticky(members, counts);
    for (const m of members) {
      const owned = new Set(m.ownedPartitions!.flatMap((tp) => tp.partitions));
      for (const p of partitionsOf(first, m.memberId)) {
        assert.ok(owned.has(p) || !members.some((o) => o.ownedPartitions!.some((tp) => tp.partitions.includes(p))), `seed ${seed}: ${p} moved in round one`);
      }
    }
    const second = assignCooperativeSticky(afterRound(members, first), counts);
    const all = members.flatMap((m) => partitionsOf(second, m.memberId)).sort((x, y) => x - y);
    assert.deepEqual(all, range(0, partitions), `seed ${seed}`);
    const sizes = members.map((m) => partitionsOf(second, m.memberId).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `seed ${seed}: sizes ${sizes}`);
    for (const m of members) {
      const owned = m.ownedPartitions!.flatMap((tp) => tp.partitions);
      const final = partitionsOf(second, m.memberId);
      const kept = owned.filter((p) => final.includes(p)).length;
      assert.equal(kept, Math.min(owned.length, final.length), `seed ${seed}: ${m.memberId} gave up more than its surplus`);
    }
  }
});
