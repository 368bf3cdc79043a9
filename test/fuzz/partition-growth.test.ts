// Proves which frames the fuzzer holds back: readable CreateTopics and
// CreatePartitions requests for more than MAX_PARTITIONS_PER_TOPIC partitions
// in a topic, and nothing else.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreatePartitionsRequest } from '../../src/protocol/messages/create-partitions.js';
import { CreateTopicsRequest } from '../../src/protocol/messages/create-topics.js';
import { MetadataRequest } from '../../src/protocol/messages/metadata.js';
import { encodeRequest } from '../helpers/raw-socket.js';
import { MAX_PARTITIONS_PER_TOPIC, asksForManyPartitions } from './partition-growth.js';

const createTopics = (numPartitions: number) =>
  encodeRequest(CreateTopicsRequest, 7, { topics: [{ name: 't', numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false }, 1);
const createPartitions = (count: number) => encodeRequest(CreatePartitionsRequest, 3, { topics: [{ name: 't', count, assignments: null }], timeoutMs: 1000, validateOnly: false }, 1);

test('CreateTopics and CreatePartitions past the per-topic bound are held back; within it, unreadable, or other APIs are not', () => {
  assert.equal(asksForManyPartitions(createTopics(100_000)), true);
  assert.equal(asksForManyPartitions(createPartitions(MAX_PARTITIONS_PER_TOPIC + 1)), true);
  assert.equal(asksForManyPartitions(createTopics(MAX_PARTITIONS_PER_TOPIC)), false);
  assert.equal(asksForManyPartitions(createPartitions(3)), false);
  assert.equal(asksForManyPartitions(createTopics(100_000).subarray(0, 20)), false);
  assert.equal(asksForManyPartitions(encodeRequest(MetadataRequest, 1, { topics: null }, 1)), false);
});
