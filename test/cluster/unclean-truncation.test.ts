// An unclean leader change, end to end on three broker processes: the leader
// keeps writing alone after its followers were cut off (min.insync.replicas 1,
// so acks=all is answered by it alone), dies, and an out-of-sync replica
// takes over (unclean.leader.election.enable) and writes other records at the
// same offsets. When the old leader comes back it cuts its divergent tail
// (OffsetForLeaderEpoch, KIP-279) and fetches the new one: every replica's log
// is then byte for byte the same.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, segmentFiles } from '../helpers/broker-process.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { skipUnless } from '../helpers/interop-tools.js';
import { readPartitionsUntil } from '../helpers/partition-reader.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'unclean';

test('after an unclean leader change every replica ends with the new leader\'s log, byte for byte', skipUnless(etcdServer), async (t) => {
  const etcdCluster = await startEtcd(t, 1);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3, args: ['--replica-lag-time-max-ms', '1500', '--broker-lease-ttl-ms', '2000'] });
  const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'unclean-test', requestTimeoutMs: 10_000 });
  defer(t, () => client.close());
  const kafka = new Kafka({ clientId: 'unclean-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'unclean.leader.election.enable', value: 'true' }, { name: 'min.insync.replicas', value: '1' }] }],
  });
  await cluster.waitUntil('led by 1, fully in sync', (d) => d.partitions.some((p) => p.topic === TOPIC && p.leader === 1 && p.isr.length === 3));
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const send = (value: string) => producer.send({ topic: TOPIC, acks: -1, messages: [{ value }] });
  for (let i = 0; i < 5; i++) await send(`shared-${i}`);

  cluster.broker(1).replicationProxy.cut();
  await cluster.waitUntil('broker 1 alone in the ISR', (d) => d.partitions.some((p) => p.topic === TOPIC && p.isr.join() === '1'));
  for (let i = 0; i < 3; i++) await send(`lost-${i}`);
  await cluster.broker(1).kill9();
  const after = await cluster.waitUntil('an out-of-sync replica leading', (d) => d.partitions.some((p) => p.topic === TOPIC && p.leader > 1));
  const newLeader = after.partitions.find((p) => p.topic === TOPIC)!.leader;
  for (let i = 0; i < 4; i++) await send(`kept-${i}`);

  cluster.broker(1).replicationProxy.heal();
  await cluster.broker(1).restart();
  await cluster.waitUntil('every replica back in the ISR', (d) => d.partitions.some((p) => p.topic === TOPIC && p.isr.length === 3), 60_000);
  const expected = ['shared-0', 'shared-1', 'shared-2', 'shared-3', 'shared-4', 'kept-0', 'kept-1', 'kept-2', 'kept-3'];
  const read = await readPartitionsUntil(client, TOPIC, [0], 'the new leader\'s records', (r) => r.get(0)!.length === expected.length);
  assert.deepEqual(
    read.get(0)!.map((r) => r.value!.toString()),
    expected,
  );

  const logs = await Promise.all(
    cluster.brokers.map(async (b) => Buffer.concat(await Promise.all((await segmentFiles(b.dataDir, TOPIC, 0)).map((s) => fs.readFile(s.path))))),
  );
  const leaderLog = logs[newLeader - 1];
  for (const [i, log] of logs.entries()) assert.ok(log.equals(leaderLog), `broker ${i + 1}'s log (${log.length} bytes) equals the leader's (${leaderLog.length} bytes)`);
});
