// What a cluster must refuse rather than lose: a leader cut off from its
// followers (a fault proxy on the replication links only) answers acks=all
// writes NOT_ENOUGH_REPLICAS instead of acknowledging them; a leader frozen
// past its etcd lease (SIGSTOP) acknowledges nothing after it resumes; and an
// etcd that loses its own leader does not stop the writes of healthy partitions.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { type BrokerCluster, startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { kafkajsErrorType } from '../helpers/client-errors.js';
import { readPartitionsUntil } from '../helpers/partition-reader.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { skipUnless } from '../helpers/interop-tools.js';

const { Kafka, logLevel } = kafkajs;
const PRODUCE = { request: ProduceRequest, response: ProduceResponse };
const TOPIC = 'payments';

async function replicatedTopic(t: TestContext, cluster: BrokerCluster): Promise<{ client: KafkaClient; leader: number }> {
  const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'faults-test', requestTimeoutMs: 10_000 });
  defer(t, () => client.close());
  await new Admin(client).createTopic(TOPIC, { partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  const d = await cluster.waitUntil('the partition fully in sync', (x) => x.partitions.some((p) => p.topic === TOPIC && p.leader > 0 && p.isr.length === 3));
  return { client, leader: d.partitions.find((p) => p.topic === TOPIC)!.leader };
}

function kafkajsProducer(t: TestContext, cluster: BrokerCluster, retries: number) {
  const kafka = new Kafka({ clientId: 'faults-kafkajs', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries, initialRetryTime: 100 } });
  const producer = kafka.producer({ idempotent: retries > 0, maxInFlightRequests: retries > 0 ? 1 : undefined });
  defer(t, () => producer.disconnect());
  return producer;
}

test('a leader cut off from its followers answers NOT_ENOUGH_REPLICAS and acknowledges nothing it could lose', skipUnless(etcdServer), async (t) => {
  const etcdCluster = await startEtcd(t, 1);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3, args: ['--replica-lag-time-max-ms', '1500'] });
  const { client, leader } = await replicatedTopic(t, cluster);
  const producer = kafkajsProducer(t, cluster, 0);
  await producer.connect();
  const acked: string[] = [];
  for (let i = 0; i < 10; i++) {
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `before-${i}` }] });
    acked.push(`before-${i}`);
  }

  cluster.broker(leader).replicationProxy.cut();
  let refusal: string | undefined;
  const ackedWhileCut: string[] = [];
  await waitFor(
    'acks=all refused while the followers cannot fetch',
    async () => {
      const value = `cut-${ackedWhileCut.length}-${Date.now()}`;
      try {
        await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ value }] });
        ackedWhileCut.push(value);
        return false;
      } catch (err) {
        refusal = kafkajsErrorType(err);
        return refusal === 'NOT_ENOUGH_REPLICAS' || refusal === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
      }
    },
    20_000,
  );
  assert.deepEqual(ackedWhileCut, [], 'no write is acknowledged by the leader alone');
  const shrunk = await cluster.describe();
  assert.deepEqual(shrunk.partitions.find((p) => p.topic === TOPIC)!.isr, [leader], 'the leader took the unreachable followers out of the ISR');

  cluster.broker(leader).replicationProxy.heal();
  await cluster.waitUntil('the followers back in the ISR', (d) => d.partitions.some((p) => p.topic === TOPIC && p.isr.length === 3));
  await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: 'after' }] });
  acked.push('after');

  // Every acknowledged record is on the followers too: it survives the leader's loss.
  await cluster.broker(leader).kill9();
  await cluster.waitUntil('a new leader', (d) => d.partitions.some((p) => p.topic === TOPIC && p.leader > 0 && p.leader !== leader));
  const valuesOf = (read: Map<number, { value: Buffer | null }[]>) => read.get(0)!.map((r) => r.value!.toString());
  const read = await readPartitionsUntil(client, TOPIC, [0], 'every acknowledged record at the new leader', (r) => acked.every((v) => valuesOf(r).includes(v)));
  assert.deepEqual(valuesOf(read).filter((v) => v.startsWith('before-') || v === 'after'), acked);
});

test('a leader frozen past its lease answers NOT_LEADER_OR_FOLLOWER after it resumes, and the write is not in the log', skipUnless(etcdServer), async (t) => {
  const etcdCluster = await startEtcd(t, 1);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3, args: ['--broker-lease-ttl-ms', '2000'] });
  const { client, leader } = await replicatedTopic(t, cluster);
  await client.metadata(null); // node() reaches brokers the client's last metadata named
  const connection = await client.node(leader, 'produce');
  const produce = (acks: number, value: string) =>
    connection.send(PRODUCE, {
      transactionalId: null,
      acks,
      timeoutMs: 30_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from(value) }]) }] }],
    }, { timeoutMs: 60_000 });
  // The leader answers NOT_LEADER_OR_FOLLOWER until it has applied the new topic's state itself.
  let lastError = -1;
  await waitFor(
    'the leader taking the first write',
    async () => (lastError = (await produce(-1, 'before-pause')).responses[0].partitionResponses[0].errorCode) === ErrorCode.NONE,
    30_000,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; last error code ${lastError}`);
  });

  cluster.broker(leader).pause();
  // Sent while the leader is frozen: the bytes wait in its socket until it resumes.
  const leaderOnly = produce(1, 'acks-1-while-frozen');
  const allReplicas = produce(-1, 'acks-all-while-frozen');
  await cluster.waitUntil('another broker leads', (d) => d.partitions.some((p) => p.topic === TOPIC && p.leader > 0 && p.leader !== leader), 30_000);
  cluster.broker(leader).resume();

  for (const answer of [await leaderOnly, await allReplicas]) {
    assert.equal(answer.responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }
  const read = await readPartitionsUntil(client, TOPIC, [0], 'the record written before the pause', (r) => r.get(0)!.length > 0);
  assert.deepEqual(
    read.get(0)!.map((r) => r.value!.toString()),
    ['before-pause'],
    'the writes sent to the frozen leader are nowhere',
  );
});

test('etcd losing its leader does not stop the writes of healthy partitions', skipUnless(etcdServer), async (t) => {
  const etcdCluster = await startEtcd(t, 3);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3 });
  await replicatedTopic(t, cluster);
  const before = (await cluster.describe()).partitions.find((p) => p.topic === TOPIC)!;
  const producer = kafkajsProducer(t, cluster, 10);
  await producer.connect();
  const ackTimes: number[] = [];
  let producing = true;
  const loop = (async () => {
    for (let i = 0; producing; i++) {
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `v-${i}` }] });
      ackTimes.push(Date.now());
    }
  })();
  await waitFor('writes flowing', () => ackTimes.length >= 20);
  const killedAt = Date.now();
  await etcdCluster.kill(await etcdCluster.leader());
  await waitFor('writes acknowledged after etcd lost its leader', () => ackTimes.filter((at) => at > killedAt).length >= 100, 20_000);
  producing = false;
  await loop;
  const after = (await cluster.describe()).partitions.find((p) => p.topic === TOPIC)!;
  assert.equal(after.leader, before.leader, 'the partition kept its leader');
  assert.equal(after.leaderEpoch, before.leaderEpoch, 'no leader election happened');
  t.diagnostic(`longest gap between acknowledgements around the etcd leader's loss: ${Math.max(...ackTimes.slice(1).map((at, i) => at - ackTimes[i]))} ms`);
});
