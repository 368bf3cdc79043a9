// The server-side assignors (KIP-848): every partition of a subscribed topic
// goes to exactly one of its subscribers; uniform balances within one and
// keeps previous targets where balance allows; range gives contiguous,
// co-partitioned ranges.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssignmentSpec } from '../../src/coordinator/group/consumer/assignor.js';
import { type PartitionSet, entries, fromList, has, size } from '../../src/coordinator/group/consumer/partition-set.js';
import { rangeAssignor } from '../../src/coordinator/group/consumer/range-assignor.js';
import { uniformAssignor } from '../../src/coordinator/group/consumer/uniform-assignor.js';

function spec(members: Record<string, { topics: string[]; current?: PartitionSet }>, partitionCounts: Record<string, number>): AssignmentSpec {
  return {
    members: new Map(Object.entries(members).map(([id, m]) => [id, { topics: new Set(m.topics), current: m.current ?? new Map() }])),
    partitionCounts: new Map(Object.entries(partitionCounts)),
  };
}

/** Every partition of every topic goes to exactly one member, and only to one subscribed to its topic. */
function assertCompleteAndDisjoint(s: AssignmentSpec, result: Map<string, PartitionSet>): void {
  assert.deepEqual([...result.keys()].sort(), [...s.members.keys()].sort());
  const owner = new Map<string, string>();
  for (const [id, set] of result) {
    for (const [topicId, p] of entries(set)) {
      assert.ok(s.members.get(id)!.topics.has(topicId), `${id} got ${topicId} without subscribing`);
      assert.equal(owner.get(`${topicId}:${p}`), undefined, `${topicId}:${p} assigned twice`);
      owner.set(`${topicId}:${p}`, id);
    }
  }
  for (const [topicId, count] of s.partitionCounts) {
    const subscribed = [...s.members.values()].some((m) => m.topics.has(topicId));
    for (let p = 0; p < count; p++) assert.equal(owner.has(`${topicId}:${p}`), subscribed, `${topicId}:${p}`);
  }
}

test('uniform: members with the same subscription get shares within one of each other, across topics', () => {
  for (const [members, counts] of [
    [3, { a: 7 }],
    [4, { a: 3, b: 5, c: 1 }],
    [5, { a: 2 }],
    [1, { a: 4, b: 4 }],
  ] as const) {
    const m: Record<string, { topics: string[] }> = {};
    for (let i = 0; i < members; i++) m[`m${i}`] = { topics: Object.keys(counts) };
    const s = spec(m, counts);
    const result = uniformAssignor.assign(s);
    assertCompleteAndDisjoint(s, result);
    const loads = [...result.values()].map(size);
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `loads ${loads}`);
  }
});

test('uniform: a new member takes only what balance needs; the others keep the rest of their previous targets', () => {
  const before = uniformAssignor.assign(spec({ a: { topics: ['t'] }, b: { topics: ['t'] } }, { t: 12 }));
  const s = spec({ a: { topics: ['t'], current: before.get('a') }, b: { topics: ['t'], current: before.get('b') }, c: { topics: ['t'] } }, { t: 12 });
  const after = uniformAssignor.assign(s);
  assertCompleteAndDisjoint(s, after);
  for (const id of ['a', 'b']) {
    assert.equal(size(after.get(id)!), 4);
    for (const [topicId, p] of entries(after.get(id)!)) assert.ok(has(before.get(id)!, topicId, p), `${id} kept ${topicId}:${p}`);
  }
});

test('uniform: mixed subscriptions assign each topic only to its subscribers and even out the loads where they can', () => {
  const s = spec({ a: { topics: ['x'] }, b: { topics: ['x', 'y'] }, c: { topics: ['y'] } }, { x: 4, y: 4 });
  const result = uniformAssignor.assign(s);
  assertCompleteAndDisjoint(s, result);
  const loads = [...result.values()].map(size);
  assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `loads ${loads}`);
});

test('uniform: previous targets of deleted partitions or unsubscribed topics are dropped', () => {
  const s = spec({ a: { topics: ['x'], current: fromList([{ topicId: 'x', partitions: [0, 5] }, { topicId: 'y', partitions: [0] }]) } }, { x: 2, y: 1 });
  const result = uniformAssignor.assign(s);
  assertCompleteAndDisjoint(s, result);
  assert.deepEqual([...result.get('a')!.get('x')!].sort(), [0, 1]);
  assert.equal(result.get('a')!.has('y'), false);
});

test('range: contiguous ranges in member id order, the first ones one longer, the same numbers for every co-subscribed topic', () => {
  const s = spec({ b: { topics: ['x', 'y'] }, a: { topics: ['x', 'y'] }, c: { topics: ['x', 'y'] } }, { x: 7, y: 7 });
  const result = rangeAssignor.assign(s);
  assertCompleteAndDisjoint(s, result);
  assert.deepEqual([...result.get('a')!.get('x')!], [0, 1, 2]);
  assert.deepEqual([...result.get('b')!.get('x')!], [3, 4]);
  assert.deepEqual([...result.get('c')!.get('x')!], [5, 6]);
  for (const id of ['a', 'b', 'c']) assert.deepEqual([...result.get(id)!.get('x')!], [...result.get(id)!.get('y')!]);
});
