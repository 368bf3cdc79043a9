// Internal topics are created with Kafka's default of three copies per
// partition (offsets.topic.replication.factor), or one per live broker on a
// smaller cluster; the broker hands that factor to the control plane.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Broker } from '../../src/broker/broker.js';
import type { BrokerInfo, ControlPlane, ReplicaRequest } from '../../src/cluster/control-plane.js';
import { LocalControlPlane } from '../../src/cluster/local-control-plane.js';
import { resolveConfig } from '../../src/config.js';
import { InternalTopic, STATE_TOPIC_CONFIGS } from '../../src/coordinator/internal-topic.js';
import { createLogger } from '../../src/logger.js';
import { defer, makeDataDir } from '../helpers/broker-process.js';

const info = (nodeId: number): BrokerInfo => ({ nodeId, host: '127.0.0.1', port: 9092, rack: null, replicationHost: '127.0.0.1', replicationPort: 9092 });

/** A broker over the single-node control plane, told that `live` brokers are registered; returns the replica requests of the topics it creates. */
async function brokerSeeing(t: TestContext, live: number): Promise<{ broker: Broker; requests: (ReplicaRequest | undefined)[] }> {
  const config = resolveConfig({ dataDir: await makeDataDir(t), nodeId: 0 });
  const cluster = LocalControlPlane.open(config.dataDir, info(0));
  const requests: (ReplicaRequest | undefined)[] = [];
  const create = cluster.createTopic.bind(cluster);
  cluster.brokers = () => Array.from({ length: live }, (_, i) => info(i));
  const observed: ControlPlane['createTopic'] = (name, partitions, configs, replicas) => {
    requests.push(replicas);
    return create(name, partitions, configs);
  };
  cluster.createTopic = observed;
  const broker = new Broker(config, cluster, createLogger('silent'));
  await broker.start();
  defer(t, async () => {
    await broker.close();
    await cluster.close();
  });
  return { broker, requests };
}

for (const [live, factor] of [
  [1, 1],
  [2, 2],
  [3, 3],
  [5, 3],
]) {
  test(`an internal topic created on a cluster of ${live} live broker(s) asks for ${factor} replica(s) per partition`, async (t) => {
    const { broker, requests } = await brokerSeeing(t, live);
    await new InternalTopic(broker, createLogger('silent'), '__consumer_offsets', 4, STATE_TOPIC_CONFIGS).ensureTopic();
    assert.deepEqual(requests, [{ replicationFactor: factor, assignments: null }]);
    assert.equal(broker.cluster.topic('__consumer_offsets')?.partitions.length, 4);
  });
}
