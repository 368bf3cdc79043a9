// Regression: Metadata, DescribeCluster and DescribeGroups always answered
// "authorized operations not provided" (Int32.MIN_VALUE). Kafka without an
// authorizer answers, when asked, the bit field of every operation valid for
// the resource type (AclEntry.supportedOperations), and clients assert on it.
// Also proves the field keeps Kafka's default when not asked.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Admin } from '../../../src/client/index.js';
import type { Message } from '../../../src/protocol/codec.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { DescribeClusterRequest, DescribeClusterResponse } from '../../../src/protocol/messages/describe-cluster.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from '../../../src/protocol/messages/describe-groups.js';
import { MetadataRequest, MetadataResponse } from '../../../src/protocol/messages/metadata.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';

const NOT_PROVIDED = -2147483648;
// Bit n set = AclOperation code n allowed (Kafka's AclOperation codes).
const bits = (...codes: number[]) => codes.reduce((acc, c) => acc | (1 << c), 0);
const [READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const TOPIC_OPS = bits(READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS);
const CLUSTER_OPS = bits(CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE);
const GROUP_OPS = bits(READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS);

const { client } = await startTestBrokerWithClient({ after });
const admin = new Admin(client);
await admin.createTopic('ops-topic', 1);
await admin.commitOffsets('ops-group', [{ topic: 'ops-topic', partition: 0, offset: 0 }]);

const METADATA = { request: MetadataRequest, response: MetadataResponse };
const DESCRIBE_CLUSTER = { request: DescribeClusterRequest, response: DescribeClusterResponse };
const DESCRIBE_GROUPS = { request: DescribeGroupsRequest, response: DescribeGroupsResponse };

async function metadata(version: number, includeCluster: boolean, includeTopic: boolean): Promise<Message> {
  const conn = await client.any();
  return conn.sendVersion(METADATA, version, {
    topics: [{ name: 'ops-topic' }, { name: 'ops-missing' }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: includeCluster,
    includeTopicAuthorizedOperations: includeTopic,
  });
}

test('Metadata v8-10 answers the cluster and topic operations when asked', async () => {
  for (const v of [8, 9, 10]) {
    const res = await metadata(v, true, true);
    assert.equal(res.clusterAuthorizedOperations, CLUSTER_OPS, `v${v} cluster`);
    assert.deepEqual(
      res.topics.map((t: Message) => [t.name, t.errorCode, t.topicAuthorizedOperations]),
      [
        ['ops-topic', ErrorCode.NONE, TOPIC_OPS],
        ['ops-missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, TOPIC_OPS],
      ],
      `v${v} topics`,
    );
  }
});

test('Metadata v11+ answers topic operations when asked (the cluster field is gone)', async () => {
  for (const v of [11, 12]) {
    const res = await metadata(v, false, true);
    assert.equal(res.topics[0].topicAuthorizedOperations, TOPIC_OPS, `v${v}`);
  }
});

test('Metadata leaves the operations "not provided" when not asked', async () => {
  const res = await metadata(10, false, false);
  assert.equal(res.clusterAuthorizedOperations, NOT_PROVIDED);
  assert.deepEqual(res.topics.map((t: Message) => t.topicAuthorizedOperations), [NOT_PROVIDED, NOT_PROVIDED]);
});

test('DescribeCluster answers the cluster operations when asked, else "not provided"', async () => {
  const conn = await client.any();
  for (const v of [0, 1, 2]) {
    const asked = await conn.sendVersion(DESCRIBE_CLUSTER, v, { includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: false });
    assert.equal(asked.clusterAuthorizedOperations, CLUSTER_OPS, `v${v} asked`);
    const notAsked = await conn.sendVersion(DESCRIBE_CLUSTER, v, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
    assert.equal(notAsked.clusterAuthorizedOperations, NOT_PROVIDED, `v${v} not asked`);
  }
});

test('DescribeGroups v3+ answers the group operations when asked, else "not provided"', async () => {
  const conn = await admin.coordinatorOf('ops-group');
  for (const v of [3, 4, 5]) {
    const asked = await conn.sendVersion(DESCRIBE_GROUPS, v, { groups: ['ops-group'], includeAuthorizedOperations: true });
    assert.deepEqual(asked.groups.map((g: Message) => [g.groupId, g.errorCode, g.groupState, g.authorizedOperations]), [['ops-group', ErrorCode.NONE, 'Empty', GROUP_OPS]], `v${v}`);
    const notAsked = await conn.sendVersion(DESCRIBE_GROUPS, v, { groups: ['ops-group'], includeAuthorizedOperations: false });
    assert.equal(notAsked.groups[0].authorizedOperations, NOT_PROVIDED, `v${v} not asked`);
  }
});
