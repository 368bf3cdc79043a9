// Regression: CreatePartitions ignored its assignments (`[[10]]` on a
// one-broker cluster succeeded). Proves CreatePartitions and CreateTopics
// check manual replica assignments and replication factors as Kafka's
// controller does: INVALID_REPLICA_ASSIGNMENT with a message for unknown
// brokers, the wrong number of assignments, the wrong replication factor,
// duplicate brokers, empty lists, repeated or gapped partition indexes;
// INVALID_REQUEST when an assignment comes with a partition count or factor;
// INVALID_REPLICATION_FACTOR beyond the number of brokers. Nothing is created
// by a refused request; valid assignments (this broker) are served.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Admin } from '../../../src/client/index.js';
import type { Message } from '../../../src/protocol/codec.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from '../../../src/protocol/messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../../../src/protocol/messages/create-topics.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';

const CREATE_PARTITIONS = { request: CreatePartitionsRequest, response: CreatePartitionsResponse };
const CREATE_TOPICS = { request: CreateTopicsRequest, response: CreateTopicsResponse };

const { client } = await startTestBrokerWithClient({ after });
const admin = new Admin(client);

async function createPartitions(topic: string, count: number, assignments: number[][] | null, validateOnly = false): Promise<Message> {
  const res = await client.send(CREATE_PARTITIONS, {
    topics: [{ name: topic, count, assignments: assignments === null ? null : assignments.map((brokerIds) => ({ brokerIds })) }],
    timeoutMs: 5000,
    validateOnly,
  });
  return res.results[0];
}

async function createTopic(name: string, numPartitions: number, replicationFactor: number, assignments: [number, number[]][], validateOnly = false): Promise<Message> {
  const res = await client.send(CREATE_TOPICS, {
    topics: [{ name, numPartitions, replicationFactor, assignments: assignments.map(([partitionIndex, brokerIds]) => ({ partitionIndex, brokerIds })), configs: [] }],
    timeoutMs: 5000,
    validateOnly,
  });
  return res.topics[0];
}

test('CreatePartitions refuses assignments Kafka refuses, with a message, and grows nothing', async () => {
  await admin.createTopic('ra-grow', 1);
  const cases: [string, number, number[][], RegExp][] = [
    ['unknown broker', 2, [[10]], /broker 10, but no such broker is registered/],
    ['too few assignments', 3, [[0]], /add 2 partition\(s\), but 1 assignment\(s\)/],
    ['too many assignments', 2, [[0], [0]], /add 1 partition\(s\), but 2 assignment\(s\)/],
    ['replication factor 2 on a factor-1 topic', 2, [[0, 1]], /broker 1, but no such broker/],
    ['duplicate broker', 2, [[0, 0]], /broker 0 more than once/],
    ['empty replica list', 2, [[]], /empty replica list/],
  ];
  for (const [what, count, assignments, message] of cases) {
    for (const validateOnly of [false, true]) {
      const r = await createPartitions('ra-grow', count, assignments, validateOnly);
      assert.equal(r.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${what} (validateOnly ${validateOnly})`);
      assert.match(r.errorMessage, message, what);
    }
  }
  assert.equal((await client.topic('ra-grow')).partitions.length, 1, 'nothing was added');
});

test('CreatePartitions serves assignments that name this broker, and none', async () => {
  await admin.createTopic('ra-grow-ok', 1);
  assert.deepEqual([(await createPartitions('ra-grow-ok', 3, [[0], [0]], true)).errorCode], [ErrorCode.NONE], 'validateOnly');
  assert.equal((await client.topic('ra-grow-ok')).partitions.length, 1);
  assert.equal((await createPartitions('ra-grow-ok', 3, [[0], [0]])).errorCode, ErrorCode.NONE);
  assert.equal((await createPartitions('ra-grow-ok', 4, null)).errorCode, ErrorCode.NONE);
  assert.deepEqual(
    (await client.topic('ra-grow-ok')).partitions.map((p) => p.partition),
    [0, 1, 2, 3],
  );
});

test('CreateTopics checks manual assignments and replication factors as Kafka does', async () => {
  const cases: [string, number, number, [number, number[]][], number, RegExp][] = [
    ['unknown broker', -1, -1, [[0, [10]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT, /broker 10, but no such broker is registered/],
    ['duplicate broker', -1, -1, [[0, [0, 0]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT, /broker 0 more than once/],
    ['empty replica list', -1, -1, [[0, []]], ErrorCode.INVALID_REPLICA_ASSIGNMENT, /empty replica list/],
    ['repeated partition', -1, -1, [[0, [0]], [0, [0]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT, /more than one manual assignment for partition 0/],
    ['gap in partitions', -1, -1, [[0, [0]], [2, [0]]], ErrorCode.INVALID_REPLICA_ASSIGNMENT, /without gaps/],
    ['assignment with a partition count', 1, -1, [[0, [0]]], ErrorCode.INVALID_REQUEST, /number of partitions was not -1/],
    ['assignment with a replication factor', -1, 1, [[0, [0]]], ErrorCode.INVALID_REQUEST, /replication factor was not -1/],
    ['replication factor above the broker count', 1, 3, [], ErrorCode.INVALID_REPLICATION_FACTOR, /factor of 3 cannot be reached because only 1 broker/],
    ['replication factor 0', 1, 0, [], ErrorCode.INVALID_REPLICATION_FACTOR, /larger than 0/],
  ];
  for (const [what, numPartitions, replicationFactor, assignments, errorCode, message] of cases) {
    const r = await createTopic('ra-new', numPartitions, replicationFactor, assignments);
    assert.equal(r.errorCode, errorCode, what);
    assert.match(r.errorMessage, message, what);
  }
  assert.equal((await client.metadata(['ra-new'])).topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'nothing was created');

  const ok = await createTopic('ra-new', -1, -1, [[1, [0]], [0, [0]]]);
  assert.deepEqual([ok.errorCode, ok.numPartitions, ok.replicationFactor], [ErrorCode.NONE, 2, 1]);
  assert.deepEqual((await client.topic('ra-new')).partitions.map((p) => p.partition), [0, 1]);
});
