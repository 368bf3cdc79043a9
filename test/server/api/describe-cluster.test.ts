// Regression: DescribeCluster (API 60) was not served. Proves v0-2 as Kafka 4
// answers them on a broker listener: cluster id, controller and brokers (v2:
// is_fenced, false for a live broker), the endpoint type echoed (v1+), and
// MISMATCHED_ENDPOINT_TYPE / UNSUPPORTED_ENDPOINT_TYPE for controllers and
// unknown types.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Message } from '../../../src/protocol/codec.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../../src/protocol/messages/api-versions.js';
import { DescribeClusterRequest, DescribeClusterResponse } from '../../../src/protocol/messages/describe-cluster.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';

const DESCRIBE_CLUSTER = { request: DescribeClusterRequest, response: DescribeClusterResponse };

const { broker, client } = await startTestBrokerWithClient({ after });

async function describeCluster(version: number, body: Message): Promise<Message> {
  return (await client.any()).sendVersion(DESCRIBE_CLUSTER, version, { includeClusterAuthorizedOperations: false, includeFencedBrokers: false, ...body });
}

test('ApiVersions advertises DescribeCluster v0-2', async () => {
  const res = await client.send({ request: ApiVersionsRequest, response: ApiVersionsResponse }, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  const entry = res.apiKeys.find((k: Message) => k.apiKey === 60);
  assert.deepEqual(entry && [entry.minVersion, entry.maxVersion], [0, 2]);
});

test('DescribeCluster v0-2 describes the cluster as Metadata does', async () => {
  const md = await client.metadata([]);
  for (const v of [0, 1, 2]) {
    const res = await describeCluster(v, { endpointType: 1, includeFencedBrokers: true });
    assert.equal(res.errorCode, ErrorCode.NONE, `v${v}`);
    assert.equal(res.errorMessage, null);
    assert.equal(res.clusterId, md.clusterId, `v${v} cluster id`);
    assert.equal(res.controllerId, md.controllerId, `v${v} controller`);
    assert.equal(res.endpointType, 1, `v${v} endpoint type`);
    assert.deepEqual(
      res.brokers.map((b: Message) => [b.brokerId, b.host, b.port, b.rack, b.isFenced]),
      [[0, broker.host, broker.port, null, false]],
      `v${v} brokers`,
    );
  }
});

test('DescribeCluster for controllers gets MISMATCHED_ENDPOINT_TYPE, an unknown type UNSUPPORTED_ENDPOINT_TYPE', async () => {
  for (const v of [1, 2]) {
    const controllers = await describeCluster(v, { endpointType: 2 });
    assert.equal(controllers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE, `v${v}`);
    assert.ok(controllers.errorMessage, 'with a message');
    assert.deepEqual(controllers.brokers, []);
    const unknown = await describeCluster(v, { endpointType: 7 });
    assert.equal(unknown.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `v${v}`);
    assert.ok(unknown.errorMessage, 'with a message');
  }
});
