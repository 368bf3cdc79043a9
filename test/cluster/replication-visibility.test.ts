// Replication trouble made visible over HTTP: with a follower killed, the
// partition's leader reports it under-replicated (sluice_under_replicated_partitions,
// an ISR shrink, and GET /cluster, which the console's overview shows), and the
// controller counts the partition whose only replica was on that broker as
// offline (sluice_offline_partitions).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { httpCall } from '../helpers/http-api.js';
import { skipUnless } from '../helpers/interop-tools.js';
import { scrapeMetrics } from '../helpers/prometheus.js';

const { Kafka, logLevel } = kafkajs;

test('a killed follower leaves its partition under-replicated on the leader, and its lone replica offline on the controller', skipUnless(etcdServer), async (t) => {
  const etcd = await startEtcd(t);
  const cluster = await startBrokerCluster(t, { etcd: etcd.endpoints(), brokers: 3, http: true, args: ['--broker-lease-ttl-ms', '3000', '--replica-lag-time-max-ms', '1000'] });
  const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'visibility-test' });
  defer(t, () => client.close());
  await new Admin(client).createTopic('watched', { partitions: 1, replicationFactor: 3 });
  const synced = await cluster.waitUntil('watched-0 in sync on 3 brokers', (d) => d.partitions.some((p) => p.topic === 'watched' && p.leader > 0 && p.isr.length === 3));
  const leader = synced.partitions.find((p) => p.topic === 'watched')!.leader;
  // A follower that is not the controller either, when there is one, so the controller stays put.
  const victim = [1, 2, 3].filter((id) => id !== leader).sort((a, b) => Number(a === synced.controllerId) - Number(b === synced.controllerId))[0];
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'lone', replicaAssignment: [{ partition: 0, replicas: [victim] }] }] });
  await cluster.waitUntil('lone-0 led by its replica', (d) => d.partitions.some((p) => p.topic === 'lone' && p.leader === victim));

  const api = (id: number) => {
    const base = `http://127.0.0.1:${cluster.broker(id).process!.httpPort}`;
    return { call: (method: string, path: string) => httpCall(base, method, path) };
  };
  const before = await scrapeMetrics(api(leader));
  assert.equal(before.value('sluice_under_replicated_partitions'), 0);
  assert.equal(before.value('sluice_offline_partitions'), 0);

  await cluster.broker(victim).kill9();
  await waitFor('the leader to see watched-0 under-replicated', async () => (await scrapeMetrics(api(leader))).value('sluice_under_replicated_partitions') === 1, 20_000);
  const after = await scrapeMetrics(api(leader));
  assert.ok(after.value('sluice_isr_shrinks_total') >= 1, 'the shrink is counted');
  const view = (await api(leader).call('GET', '/cluster')).json;
  const watched = view.underReplicatedPartitions.find((p: { topic: string }) => p.topic === 'watched');
  assert.deepEqual([watched.partition, watched.leader, watched.isr.includes(victim)], [0, leader, false]);

  const { controllerId } = await cluster.describe();
  await waitFor('the controller to count lone-0 offline', async () => (await scrapeMetrics(api(controllerId))).value('sluice_offline_partitions') === 1, 20_000);
  const offline = (await api(controllerId).call('GET', '/cluster')).json.offlinePartitions;
  assert.deepEqual(offline.map((p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`), ['lone-0']);
  for (const id of [1, 2, 3].filter((id) => id !== victim && id !== controllerId)) {
    assert.equal((await scrapeMetrics(api(id))).value('sluice_offline_partitions'), 0, `broker ${id} is not the controller`);
  }
});
