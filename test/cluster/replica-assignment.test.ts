// Placement of new partitions' replicas over the live brokers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignReplicas } from '../../src/cluster/replica-assignment.js';

const brokers = (...racks: (string | null)[]) => racks.map((rack, i) => ({ nodeId: i + 1, rack }));

test('each partition gets distinct replicas, and leaders spread evenly', () => {
  const placed = assignReplicas(brokers(null, null, null), 6, 3, 0);
  for (const replicas of placed) assert.equal(new Set(replicas).size, 3);
  const leaders = placed.map((r) => r[0]);
  assert.deepEqual([1, 2, 3].map((id) => leaders.filter((l) => l === id).length), [2, 2, 2]);
});

test('followers spread too: every broker holds as many replicas', () => {
  const placed = assignReplicas(brokers(null, null, null, null), 8, 2, 5);
  const counts = [1, 2, 3, 4].map((id) => placed.flat().filter((r) => r === id).length);
  assert.deepEqual(counts, [4, 4, 4, 4]);
});

test('the start rotates the first leader', () => {
  assert.equal(assignReplicas(brokers(null, null, null), 1, 1, 0)[0][0], 1);
  assert.equal(assignReplicas(brokers(null, null, null), 1, 1, 1)[0][0], 2);
  assert.equal(assignReplicas(brokers(null, null, null), 1, 1, 5)[0][0], 3);
});

test('with racks, the replicas of a partition are on different racks where possible', () => {
  const racks = new Map([[1, 'a'], [2, 'a'], [3, 'b'], [4, 'b'], [5, 'c'], [6, 'c']]);
  const placed = assignReplicas([...racks].map(([nodeId, rack]) => ({ nodeId, rack })), 12, 3, 7);
  for (const replicas of placed) assert.equal(new Set(replicas.map((id) => racks.get(id))).size, 3, `replicas ${replicas}`);
});

test('more replicas than racks: racks repeat only once each is used', () => {
  const racks = new Map([[1, 'a'], [2, 'a'], [3, 'b'], [4, 'b']]);
  const placed = assignReplicas([...racks].map(([nodeId, rack]) => ({ nodeId, rack })), 4, 3, 0);
  for (const replicas of placed) {
    assert.equal(new Set(replicas).size, 3);
    assert.notEqual(racks.get(replicas[0]), racks.get(replicas[1]), `replicas ${replicas}`);
  }
});
