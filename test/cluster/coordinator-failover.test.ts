// The coordinators move with the leadership of their internal topics'
// partitions: a consumer group and a transaction carry on after kill -9 of the
// broker that coordinates them, as kafkajs sees it. The group resumes from its
// committed offsets on the new coordinator; a transaction whose coordinator
// died before the commit is committed by the next one, and a read_committed
// reader sees all of its records.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin } from '../../src/client/admin.js';
import { findGroupCoordinator, findTransactionCoordinator } from '../../src/client/find-coordinator.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { readPartitions } from '../helpers/partition-reader.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { skipUnless } from '../helpers/interop-tools.js';

const { Kafka, logLevel } = kafkajs;

async function setUp(t: TestContext, topic: string) {
  const etcdCluster = await startEtcd(t, 1);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3, args: ['--broker-lease-ttl-ms', '3000'] });
  const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'coordinator-failover', requestTimeoutMs: 10_000 });
  defer(t, () => client.close());
  await new Admin(client).createTopic(topic, { partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  await cluster.waitUntil(`${topic} fully in sync`, (d) => d.partitions.filter((p) => p.topic === topic && p.isr.length === 3).length === 3);
  const kafka = new Kafka({ clientId: 'coordinator-failover', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  return { cluster, client, kafka };
}

test('a consumer group carries on from its committed offsets after kill -9 of its coordinator', skipUnless(etcdServer), async (t) => {
  const { cluster, client, kafka } = await setUp(t, 'work');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const send = (from: number, count: number) => producer.send({ topic: 'work', acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: String(from + i) })) });

  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: 'billing', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: 'work', fromBeginning: true });
  await consumer.run({ autoCommitInterval: 100, eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
  await send(0, 100);
  await waitFor('the first 100 records consumed', () => seen.size === 100, 30_000);

  const coordinator = (await findGroupCoordinator(client, 'billing')).nodeId;
  await cluster.broker(coordinator).kill9();
  await send(100, 100);
  await waitFor('every record consumed after the coordinator died', () => seen.size === 200, 60_000);
  const moved = (await findGroupCoordinator(client, 'billing')).nodeId;
  assert.notEqual(moved, coordinator);
  t.diagnostic(`group coordinator moved from broker ${coordinator} to ${moved}`);
});

test('a transaction whose coordinator is killed before the commit is committed by the next coordinator', skipUnless(etcdServer), async (t) => {
  const { cluster, client, kafka } = await setUp(t, 'ledger');
  const producer = kafka.producer({ transactionalId: 'ledger-writer', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());

  const first = await producer.transaction();
  await first.send({ topic: 'ledger', messages: [{ key: 'a', value: 'committed-before' }] });
  await first.commit();

  const txn = await producer.transaction();
  await txn.send({ topic: 'ledger', messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `in-flight-${i}` })) });
  const coordinator = (await findTransactionCoordinator(client, 'ledger-writer')).nodeId;
  await cluster.broker(coordinator).kill9();
  await txn.commit();
  const moved = (await findTransactionCoordinator(client, 'ledger-writer')).nodeId;
  assert.notEqual(moved, coordinator);

  const read = await readPartitions(client, 'ledger', [0, 1, 2], { isolationLevel: 'read_committed' });
  const values = [...read.values()].flat().map((r) => r.value!.toString());
  assert.deepEqual(values.sort(), ['committed-before', ...Array.from({ length: 30 }, (_, i) => `in-flight-${i}`)].sort());
});
