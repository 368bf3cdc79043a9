// The replica placement checks on a cluster of several brokers, where a
// replication factor that disagrees with the topic's can be told apart from
// an unknown broker (on one broker every wrong factor names an unknown or
// repeated broker first, as in Kafka's order of checks).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPartitionsProblem, newTopicProblem } from '../../src/broker/replica-placement.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';

const BROKERS = [0, 1, 2];

test('CreatePartitions: every new partition must have the topic\'s replication factor', () => {
  assert.equal(newPartitionsProblem([[0, 1], [1, 2]], 2, 2, BROKERS), null);
  const wrong = newPartitionsProblem([[0, 1], [2]], 2, 2, BROKERS);
  assert.equal(wrong?.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  assert.match(wrong!.message, /a partition with 1 replica\(s\), but the other partitions have 2/);
});

test('CreateTopics: every manual assignment must have the first one\'s replication factor', () => {
  const assignments = (...lists: number[][]) => ({ replicationFactor: -1, assignments: lists.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })) });
  assert.equal(newTopicProblem(-1, assignments([0, 1], [2, 0]), BROKERS), null);
  const wrong = newTopicProblem(-1, assignments([0, 1], [2, 0, 1]), BROKERS);
  assert.equal(wrong?.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  assert.match(wrong!.message, /3 replica\(s\), but the other partitions have 2/);
  assert.equal(newTopicProblem(1, { replicationFactor: 3, assignments: [] }, BROKERS), null);
  assert.equal(newTopicProblem(1, { replicationFactor: 4, assignments: [] }, BROKERS)?.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
});
