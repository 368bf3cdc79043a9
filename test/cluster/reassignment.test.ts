// Reassignment steps (KIP-455) as pure changes of a partition's assignment.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionAssignment } from '../../src/cluster/control-plane.js';
import { cancelReassignment, completeReassignment, reassigning, startReassignment } from '../../src/cluster/reassignment.js';

const base: PartitionAssignment = { partition: 0, leader: 1, leaderEpoch: 4, replicas: [1, 2, 3], isr: [1, 2, 3], partitionEpoch: 9 };

test('moving [1,2,3] to [4,2,3]: 4 is added, 1 removed once 4 is in sync, and the leader hands over to the first replica of the target', () => {
  const started = startReassignment(base, [4, 2, 3]);
  assert.deepEqual(started, { ...base, replicas: [4, 2, 3, 1], addingReplicas: [4], removingReplicas: [1], partitionEpoch: 10 });
  assert.ok(reassigning(started));
  assert.equal(completeReassignment(started), null, 'not while 4 is out of sync');
  const done = completeReassignment({ ...started, isr: [1, 2, 3, 4], partitionEpoch: 11 });
  assert.deepEqual(done, { partition: 0, replicas: [4, 2, 3], isr: [2, 3, 4], leader: 4, leaderEpoch: 5, partitionEpoch: 12 });
  assert.ok(!reassigning(done!));
});

test('a leader that stays a replica keeps leading, and its epoch', () => {
  const done = completeReassignment({ ...startReassignment(base, [1, 2, 4]), isr: [1, 2, 3, 4] });
  assert.equal(done!.leader, 1);
  assert.equal(done!.leaderEpoch, 4);
  assert.deepEqual(done!.replicas, [1, 2, 4]);
});

test('shrinking to replicas already in sync completes at once; cancelling restores the original replicas', () => {
  assert.deepEqual(startReassignment(base, [2, 3]), { partition: 0, replicas: [2, 3], isr: [2, 3], leader: 2, leaderEpoch: 5, partitionEpoch: 10 });
  const cancelled = cancelReassignment({ ...startReassignment(base, [4, 5, 6]), isr: [1, 2, 3, 4] });
  assert.deepEqual(cancelled, { partition: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 4, partitionEpoch: 11 });
});

test('a target with no replica in sync is refused rather than left without a leader', () => {
  assert.throws(() => startReassignment({ ...base, isr: [1] }, [2, 3]), /none of the replicas \[2,3\] of partition 0 is in sync/);
});
