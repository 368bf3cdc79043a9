// The controller's per-partition decisions when brokers come and go.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionAssignment } from '../../src/cluster/control-plane.js';
import { afterBrokerChange, afterResign, elect } from '../../src/cluster/leader-election.js';

const p = (leader: number, isr: number[], replicas = [1, 2, 3]): PartitionAssignment => ({ partition: 0, leader, leaderEpoch: 4, replicas, isr, partitionEpoch: 9 });

test('nothing changes while the leader and every ISR member are live', () => {
  assert.equal(afterBrokerChange(p(1, [1, 2, 3]), new Set([1, 2, 3]), false), null);
});

test('a follower gone leaves the ISR; the leader and its epoch stay', () => {
  assert.deepEqual(afterBrokerChange(p(1, [1, 2, 3]), new Set([1, 3]), false), { ...p(1, [1, 3]), partitionEpoch: 10 });
});

test('the leader gone: the first live ISR member in replica order leads with the next epoch', () => {
  const next = afterBrokerChange(p(1, [3, 1, 2], [1, 2, 3]), new Set([2, 3]), false);
  assert.deepEqual(next, { ...p(2, [3, 2]), leaderEpoch: 5, partitionEpoch: 10 });
});

test('no live ISR member: the partition goes offline and keeps its last ISR member', () => {
  const next = afterBrokerChange(p(1, [1]), new Set([2, 3]), false);
  assert.deepEqual(next, { ...p(-1, [1]), leaderEpoch: 5, partitionEpoch: 10 });
  assert.equal(afterBrokerChange(next as PartitionAssignment, new Set([2, 3]), false), null, 'an offline partition stays as it is');
});

test('an ISR of several dead brokers keeps the leader when it goes offline', () => {
  assert.deepEqual(afterBrokerChange(p(2, [1, 2]), new Set([3]), false)?.isr, [2]);
});

test('unclean leader election lets a live out-of-sync replica lead, alone in the ISR', () => {
  const next = afterBrokerChange(p(1, [1]), new Set([2, 3]), true);
  assert.deepEqual(next, { ...p(2, [2]), leaderEpoch: 5, partitionEpoch: 10 });
});

test('the last ISR member of an offline partition leads again when it comes back', () => {
  const offline = { ...p(-1, [1]), leaderEpoch: 5, partitionEpoch: 10 };
  assert.deepEqual(afterBrokerChange(offline, new Set([1, 2]), false), { ...p(1, [1]), leaderEpoch: 6, partitionEpoch: 11 });
});

test('an out-of-sync replica coming back does not lead an offline partition without unclean election', () => {
  const offline = { ...p(-1, [1]), leaderEpoch: 5, partitionEpoch: 10 };
  assert.equal(afterBrokerChange(offline, new Set([2, 3]), false), null);
});

test('a leader shutting down cleanly hands over to the first live ISR member in replica order and leaves the ISR', () => {
  assert.deepEqual(afterResign(p(1, [1, 3, 2]), 1, new Set([1, 2, 3])), { ...p(2, [3, 2]), leaderEpoch: 5, partitionEpoch: 10 });
});

test('a follower shutting down cleanly only leaves the ISR', () => {
  assert.deepEqual(afterResign(p(1, [1, 2, 3]), 3, new Set([1, 2, 3])), { ...p(1, [1, 2]), partitionEpoch: 10 });
});

test('the only live ISR member keeps its place on a clean shutdown, and a replica outside the ISR changes nothing', () => {
  assert.equal(afterResign(p(1, [1, 2]), 1, new Set([1, 3])), null);
  assert.equal(afterResign(p(1, [1, 2]), 3, new Set([1, 2, 3])), null);
});

test('preferred election: the first replica leads again when live and in sync, with the next epoch', () => {
  assert.deepEqual(elect(p(2, [1, 2, 3]), 'preferred', new Set([1, 2, 3])), { outcome: 'elected', next: { ...p(1, [1, 2, 3]), leaderEpoch: 5, partitionEpoch: 10 } });
  assert.deepEqual(elect(p(1, [1, 2, 3]), 'preferred', new Set([1, 2, 3])), { outcome: 'not-needed', next: null });
  assert.deepEqual(elect(p(2, [2, 3]), 'preferred', new Set([1, 2, 3])), { outcome: 'not-available', next: null }, 'out of sync');
  assert.deepEqual(elect(p(2, [1, 2]), 'preferred', new Set([2, 3])), { outcome: 'not-available', next: null }, 'not live');
});

test('unclean election: only for a partition without a live leader, preferring a live ISR member', () => {
  assert.deepEqual(elect(p(1, [1]), 'unclean', new Set([1, 2])), { outcome: 'not-needed', next: null });
  assert.deepEqual(elect(p(-1, [1]), 'unclean', new Set([2, 3])), { outcome: 'elected', next: { ...p(2, [2]), leaderEpoch: 5, partitionEpoch: 10 } });
  assert.deepEqual(elect(p(-1, [3]), 'unclean', new Set([2, 3])), { outcome: 'elected', next: { ...p(3, [3]), leaderEpoch: 5, partitionEpoch: 10 } });
  assert.deepEqual(elect(p(-1, [1]), 'unclean', new Set([4])), { outcome: 'not-available', next: null });
});
