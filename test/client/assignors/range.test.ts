// The range assignor against the ranges Kafka's RangeAssignor documents.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignRange } from '../../../src/client/assignors/range.js';

test('range: contiguous ranges per topic over the members sorted by id, the first ones taking the remainder', () => {
  const plan = assignRange(
    [
      { memberId: 'c', topics: ['t'] },
      { memberId: 'a', topics: ['t', 'u'] },
      { memberId: 'b', topics: ['t', 'u'] },
    ],
    new Map([
      ['t', 7],
      ['u', 3],
    ]),
  );
  assert.deepEqual(Object.fromEntries(plan), {
    a: [
      { topic: 't', partitions: [0, 1, 2] },
      { topic: 'u', partitions: [0, 1] },
    ],
    b: [
      { topic: 't', partitions: [3, 4] },
      { topic: 'u', partitions: [2] },
    ],
    c: [{ topic: 't', partitions: [5, 6] }],
  });
});

test('range: more members than partitions leaves the last ones empty; unknown topics are skipped', () => {
  const plan = assignRange(
    ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, topics: ['small', 'missing'] })),
    new Map([['small', 2]]),
  );
  assert.deepEqual(Object.fromEntries(plan), { m1: [{ topic: 'small', partitions: [0] }], m2: [{ topic: 'small', partitions: [1] }], m3: [] });
});

test('range: static members (KIP-345) come first, by instance id, so a restart under a new member id keeps the ranges', () => {
  const plan = assignRange(
    [
      { memberId: 'a', topics: ['t'] },
      { memberId: 'z-1', groupInstanceId: 'host-2', topics: ['t'] },
      { memberId: 'y-1', groupInstanceId: 'host-1', topics: ['t'] },
    ],
    new Map([['t', 3]]),
  );
  assert.deepEqual(Object.fromEntries(plan), { 'y-1': [{ topic: 't', partitions: [0] }], 'z-1': [{ topic: 't', partitions: [1] }], a: [{ topic: 't', partitions: [2] }] });
});
