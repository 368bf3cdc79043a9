// The round-robin assignor deals partitions in turn over the members, as
// Kafka's RoundRobinAssignor does, skipping members not subscribed to a topic.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignRoundRobin } from '../../../src/client/assignors/round-robin.js';

test('roundrobin: partitions of every topic, sorted, dealt in turn over the members sorted by id', () => {
  const plan = assignRoundRobin(
    ['c', 'a', 'b'].map((memberId) => ({ memberId, topics: ['t', 'u'] })),
    new Map([
      ['t', 4],
      ['u', 3],
    ]),
  );
  assert.deepEqual(Object.fromEntries(plan), {
    a: [
      { topic: 't', partitions: [0, 3] },
      { topic: 'u', partitions: [2] },
    ],
    b: [
      { topic: 't', partitions: [1] },
      { topic: 'u', partitions: [0] },
    ],
    c: [
      { topic: 't', partitions: [2] },
      { topic: 'u', partitions: [1] },
    ],
  });
});

test('roundrobin: a member not subscribed to a topic is skipped for its partitions; unknown topics are not assigned', () => {
  const plan = assignRoundRobin(
    [
      { memberId: 'a', topics: ['t'] },
      { memberId: 'b', topics: ['t', 'u', 'missing'] },
    ],
    new Map([
      ['t', 3],
      ['u', 2],
    ]),
  );
  // t0 a, t1 b, t2 a, then u0 and u1 both to b, the only subscriber.
  assert.deepEqual(Object.fromEntries(plan), {
    a: [{ topic: 't', partitions: [0, 2] }],
    b: [
      { topic: 't', partitions: [1] },
      { topic: 'u', partitions: [0, 1] },
    ],
  });
});

test('roundrobin: members subscribed alike hold counts at most one apart', () => {
  const members = Array.from({ length: 7 }, (_, i) => ({ memberId: `m${i}`, topics: ['x', 'y', 'z'] }));
  const plan = assignRoundRobin(members, new Map([['x', 5], ['y', 11], ['z', 1]]));
  const counts = [...plan.values()].map((list) => list.reduce((n, tp) => n + tp.partitions.length, 0));
  assert.equal(counts.reduce((a, b) => a + b), 17);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts}`);
});
