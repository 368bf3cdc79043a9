// Which partitions are under-replicated and offline, from a control-plane
// image: an ISR short of the replicas (but not of replicas a reassignment is
// still adding), a leader of -1 or one that is not a live broker.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionAssignment, TopicMetadata } from '../../src/cluster/control-plane.js';
import { partitionHealth } from '../../src/cluster/partition-health.js';

const assignment = (partition: number, leader: number, replicas: number[], isr: number[], more: Partial<PartitionAssignment> = {}): PartitionAssignment => ({
  partition,
  leader,
  leaderEpoch: 1,
  replicas,
  isr,
  partitionEpoch: 1,
  ...more,
});

const topic = (name: string, partitions: PartitionAssignment[]): TopicMetadata => ({ name, topicId: Buffer.alloc(16), partitions, configs: {} });

test('under-replicated: an ISR short of the replicas, not counting replicas a reassignment is adding; offline: no live leader', () => {
  const topics = [
    topic('orders', [
      assignment(0, 1, [1, 2, 3], [1, 2, 3]),
      assignment(1, 2, [2, 3, 1], [2, 1]),
      assignment(2, 3, [3, 1, 2], [3]),
    ]),
    topic('moving', [assignment(0, 1, [1, 2, 4], [1, 2], { addingReplicas: [4], removingReplicas: [] })]),
    topic('solo', [assignment(0, -1, [4], [4]), assignment(1, 4, [4], [4])]),
  ];
  const health = partitionHealth(topics, new Set([1, 2, 3]));
  assert.deepEqual(
    health.underReplicated.map((p) => [p.topic, p.partition, p.leader]),
    [
      ['orders', 1, 2],
      ['orders', 2, 3],
    ],
  );
  assert.deepEqual(
    health.offline.map((p) => [p.topic, p.partition, p.leader]),
    [
      ['solo', 0, -1],
      ['solo', 1, 4],
    ],
  );
});

test('a single broker leading every partition has nothing short', () => {
  const health = partitionHealth([topic('orders', [assignment(0, 1, [1], [1]), assignment(1, 1, [1], [1])])], new Set([1]));
  assert.deepEqual(health, { underReplicated: [], offline: [] });
});
