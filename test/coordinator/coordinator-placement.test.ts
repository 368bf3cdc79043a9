// Where FindCoordinator sends a key: the leader of the key's partition of the
// internal topic, as the control plane tells it; none while that partition is
// offline or its leader is not a live broker.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerInfo, PartitionAssignment, TopicMetadata } from '../../src/cluster/control-plane.js';
import { coordinatorBroker } from '../../src/coordinator/coordinator-placement.js';
import { offsetsPartitionFor } from '../../src/coordinator/group/offsets-log.js';

const broker = (nodeId: number): BrokerInfo => ({ nodeId, host: `h${nodeId}`, port: 9000 + nodeId, rack: null, replicationHost: `h${nodeId}`, replicationPort: 9100 + nodeId });

function cluster(leaders: number[], live: number[]) {
  const partitions: PartitionAssignment[] = leaders.map((leader, partition) => ({ partition, leader, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3], partitionEpoch: 0 }));
  const topic: TopicMetadata = { name: '__consumer_offsets', topicId: Buffer.alloc(16), partitions, configs: {} };
  return { topic: (name: string) => (name === topic.name ? topic : undefined), brokers: () => live.map(broker) };
}

test('a group is coordinated by the leader of its partition of __consumer_offsets', () => {
  const leaders = [1, 2, 3, 1, 2];
  for (const group of ['orders', 'billing', 'g', '']) {
    const expected = leaders[offsetsPartitionFor(group, leaders.length)];
    assert.equal(coordinatorBroker(cluster(leaders, [1, 2, 3]), '__consumer_offsets', group)?.nodeId, expected, group);
  }
  assert.deepEqual(coordinatorBroker(cluster([2], [1, 2]), '__consumer_offsets', 'any'), broker(2));
});

test('an offline partition, a leader that is not live, or a missing topic has no coordinator', () => {
  assert.equal(coordinatorBroker(cluster([-1], [1, 2, 3]), '__consumer_offsets', 'g'), null);
  assert.equal(coordinatorBroker(cluster([3], [1, 2]), '__consumer_offsets', 'g'), null);
  assert.equal(coordinatorBroker(cluster([1], [1]), '__transaction_state', 'g'), null);
});
