// Moving partitions with Kafka's own admin APIs, on three broker processes
// over etcd: kafkajs reassigns a partition to a broker that held no replica
// while a producer writes to it (the new replica catches up, joins the ISR,
// takes the lead, the old one is removed, nothing acknowledged is lost);
// ElectLeaders puts the preferred replica back in the lead; and SIGTERM hands
// a broker's leaderships over before it stops, without waiting for its lease.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { type BrokerCluster, startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { skipUnless } from '../helpers/interop-tools.js';
import { readPartitionsUntil } from '../helpers/partition-reader.js';
import { runCli } from '../helpers/cli.js';

const { Kafka, logLevel } = kafkajs;

async function setUp(t: TestContext, leaseTtlMs = 3000) {
  const etcdCluster = await startEtcd(t, 1);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3, args: ['--broker-lease-ttl-ms', String(leaseTtlMs)] });
  const client = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'partition-moves', requestTimeoutMs: 10_000 });
  defer(t, () => client.close());
  const kafka = new Kafka({ clientId: 'partition-moves', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  return { cluster, client, kafka };
}

function partitionOf(cluster: BrokerCluster, topic: string) {
  return cluster.describe().then((d) => d.partitions.find((p) => p.topic === topic && p.partition === 0)!);
}

/** Acknowledged values, written one at a time until `stop()`. */
function keepProducing(t: TestContext, kafka: kafkajs.Kafka, topic: string) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  defer(t, () => producer.disconnect());
  const acked: string[] = [];
  let producing = true;
  const done = (async () => {
    await producer.connect();
    for (let i = 0; producing; i++) {
      try {
        await producer.send({ topic, acks: -1, messages: [{ value: `v-${i}` }] });
        acked.push(`v-${i}`);
      } catch {
        // Not acknowledged: allowed to be missing.
      }
    }
  })();
  return {
    acked,
    async stop() {
      producing = false;
      await done;
    },
  };
}

test('kafkajs reassigns a partition to a new broker under load: it catches up, leads, the old replica goes, nothing is lost', skipUnless(etcdServer), async (t) => {
  const { cluster, client, kafka } = await setUp(t);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'moving', replicaAssignment: [{ partition: 0, replicas: [1, 2] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
  await cluster.waitUntil('the partition on brokers 1 and 2, in sync', (d) => d.partitions.some((p) => p.topic === 'moving' && p.leader === 1 && p.isr.length === 2));
  const load = keepProducing(t, kafka, 'moving');
  await waitFor('writes flowing', () => load.acked.length >= 100, 30_000);

  await admin.alterPartitionReassignments({ topics: [{ topic: 'moving', partitionAssignment: [{ partition: 0, replicas: [3, 2] }] }] });
  const moved = await cluster.waitUntil('the partition on brokers 3 and 2, led by 3', (d) => d.partitions.some((p) => p.topic === 'moving' && p.leader === 3 && p.replicas.join() === '3,2'));
  assert.deepEqual([...moved.partitions.find((p) => p.topic === 'moving')!.isr].sort(), [2, 3]);
  const ongoing = await admin.listPartitionReassignments({ topics: [{ topic: 'moving', partitions: [0] }] });
  assert.deepEqual(ongoing.topics, [], 'no reassignment left in progress');
  await waitFor('the old replica removed from broker 1', () => !fs.existsSync(path.join(cluster.broker(1).dataDir, 'moving-0')), 10_000);
  const ackedBeforeStop = load.acked.length;
  await waitFor('writes acknowledged by the new leader', () => load.acked.length >= ackedBeforeStop + 50, 30_000);
  await load.stop();

  const read = await readPartitionsUntil(client, 'moving', [0], 'every acknowledged record', (r) => load.acked.every((v) => r.get(0)!.some((x) => x.value!.toString() === v)));
  const values = read.get(0)!.map((r) => r.value!.toString());
  assert.equal(new Set(values).size, values.length, 'no record twice');
  t.diagnostic(`${load.acked.length} records acknowledged across the move, all present`);
});

test('ElectLeaders puts the preferred replica back in the lead after a failover', skipUnless(etcdServer), async (t) => {
  const { cluster, client } = await setUp(t);
  const admin = new Admin(client);
  await admin.createTopic('elected', { partitions: 1, replicationFactor: 3 });
  const first = await cluster.waitUntil('fully in sync', (d) => d.partitions.some((p) => p.topic === 'elected' && p.isr.length === 3));
  const preferred = first.partitions.find((p) => p.topic === 'elected')!.replicas[0];
  assert.deepEqual(await admin.electLeaders('preferred', [{ topic: 'elected', partitions: [0] }]), [
    { topic: 'elected', partition: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'the partition already has the leader this election would choose' },
  ]);

  await cluster.broker(preferred).kill9();
  await cluster.waitUntil('another leader', (d) => d.partitions.some((p) => p.topic === 'elected' && p.leader > 0 && p.leader !== preferred));
  await cluster.broker(preferred).restart();
  await cluster.waitUntil('the preferred replica back in the ISR', (d) => d.partitions.some((p) => p.topic === 'elected' && p.isr.includes(preferred)), 60_000);
  const elected = await admin.electLeaders('preferred', [{ topic: 'elected', partitions: [0] }]);
  assert.deepEqual(elected, [{ topic: 'elected', partition: 0, errorCode: ErrorCode.NONE, errorMessage: null }]);
  assert.equal((await partitionOf(cluster, 'elected')).leader, preferred);
});

test('SIGTERM hands the leaderships over before the broker stops: no wait for its lease, nothing acknowledged lost', skipUnless(etcdServer), async (t) => {
  // A lease this long would make a failover by lease expiry far slower than the test allows.
  const { cluster, client, kafka } = await setUp(t, 60_000);
  await new Admin(client).createTopic('rolling', { partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  const before = await cluster.waitUntil('fully in sync', (d) => d.partitions.some((p) => p.topic === 'rolling' && p.isr.length === 3));
  const leader = before.partitions.find((p) => p.topic === 'rolling')!.leader;
  const load = keepProducing(t, kafka, 'rolling');
  await waitFor('writes flowing', () => load.acked.length >= 100, 30_000);

  const stoppedAt = Date.now();
  assert.equal(await cluster.broker(leader).stop(), 0, 'a clean exit');
  const after = await cluster.waitUntil('a new leader', (d) => d.partitions.some((p) => p.topic === 'rolling' && p.leader > 0 && p.leader !== leader), 10_000);
  t.diagnostic(`leadership moved within ${Date.now() - stoppedAt} ms of SIGTERM (lease TTL 60000 ms)`);
  assert.ok(!after.partitions.find((p) => p.topic === 'rolling')!.isr.includes(leader), 'the stopped broker left the ISR');
  const ackedAtStop = load.acked.length;
  await waitFor('writes acknowledged by the new leader', () => load.acked.length >= ackedAtStop + 50, 30_000);
  await load.stop();
  await readPartitionsUntil(client, 'rolling', [0], 'every acknowledged record', (r) => load.acked.every((v) => r.get(0)!.some((x) => x.value!.toString() === v)));
});

test('sluice cluster reassign: --generate proposes, --execute starts, --verify reports in progress then completed', skipUnless(etcdServer), async (t) => {
  const { cluster, client } = await setUp(t);
  const b = ['-b', cluster.bootstrap];
  await new Admin(client).createTopic('cli-moved', { partitions: 2, replicationFactor: 1 });
  await cluster.waitUntil('both partitions led', (d) => d.partitions.filter((p) => p.topic === 'cli-moved' && p.leader > 0).length === 2);

  const generated = await runCli(['cluster', 'reassign', '--generate', '--topics', 'cli-moved', '--brokers', '3', ...b]);
  assert.equal(generated.code, 0, generated.stderr);
  const proposed = JSON.parse(generated.stdout.split('Proposed partition reassignment configuration\n')[1]);
  assert.deepEqual(proposed, { version: 1, partitions: [{ topic: 'cli-moved', partition: 0, replicas: [3] }, { topic: 'cli-moved', partition: 1, replicas: [3] }] });
  const plan = path.join(cluster.broker(1).dataDir, '..', `plan-${process.pid}.json`);
  fs.writeFileSync(plan, JSON.stringify(proposed));
  defer(t, () => fs.rmSync(plan, { force: true }));

  const executed = await runCli(['cluster', 'reassign', '--execute', '--reassignment-json-file', plan, ...b]);
  assert.equal(executed.code, 0, executed.stderr);
  assert.match(executed.stdout, /^Current partition replica assignment\n/);
  assert.match(executed.stdout, /Successfully started partition reassignments for cli-moved-0,cli-moved-1\n$/);
  await waitFor('--verify reporting every move complete', async () => (await runCli(['cluster', 'reassign', '--verify', '--reassignment-json-file', plan, ...b])).code === 0, 30_000);
  const verified = await runCli(['cluster', 'reassign', '--verify', '--reassignment-json-file', plan, ...b]);
  assert.equal(verified.stdout, 'Reassignment of partition cli-moved-0 is completed.\nReassignment of partition cli-moved-1 is completed.\nThrottle was removed.\n');
  const d = await cluster.describe();
  assert.deepEqual(
    d.partitions.filter((p) => p.topic === 'cli-moved').map((p) => [p.replicas, p.leader]),
    [
      [[3], 3],
      [[3], 3],
    ],
  );

  const wrong = await runCli(['cluster', 'reassign', '--execute', ...b]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /--execute needs --reassignment-json-file/);
});

test('--throttle keeps a new replica\'s catch-up to the rate asked, and --verify removes the throttle once complete', skipUnless(etcdServer), async (t) => {
  const { cluster, client, kafka } = await setUp(t);
  const b = ['-b', cluster.bootstrap];
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'throttled', replicaAssignment: [{ partition: 0, replicas: [1] }] }] });
  await cluster.waitUntil('the partition led by 1', (d) => d.partitions.some((p) => p.topic === 'throttled' && p.leader === 1));
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  // 3 MB for the new replica to fetch, at 1 MB/s: at least 2 s even after the bucket's first second.
  for (let i = 0; i < 30; i++) await producer.send({ topic: 'throttled', acks: -1, messages: Array.from({ length: 10 }, () => ({ value: Buffer.alloc(10_000, i) })) });
  const plan = path.join(cluster.broker(1).dataDir, '..', `throttle-plan-${process.pid}.json`);
  fs.writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'throttled', partition: 0, replicas: [2] }] }));
  defer(t, () => fs.rmSync(plan, { force: true }));

  const started = Date.now();
  const executed = await runCli(['cluster', 'reassign', '--execute', '--reassignment-json-file', plan, '--throttle', '1000000', ...b]);
  assert.equal(executed.code, 0, executed.stderr);
  const configs = new Admin(client);
  const rateOn2 = async () => (await configs.describeConfigs({ type: 'broker', name: '2' })).find((c) => c.name === 'follower.replication.throttled.rate')!;
  assert.equal((await rateOn2()).value, '1000000');
  await cluster.waitUntil('the partition moved to broker 2', (d) => d.partitions.some((p) => p.topic === 'throttled' && p.replicas.join() === '2' && p.leader === 2), 60_000);
  const tookMs = Date.now() - started;
  t.diagnostic(`3 MB caught up under a 1 MB/s throttle in ${tookMs} ms`);
  assert.ok(tookMs >= 2000, `the catch-up took ${tookMs} ms, faster than the throttle allows`);

  const verified = await runCli(['cluster', 'reassign', '--verify', '--reassignment-json-file', plan, ...b]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /Throttle was removed\.\n$/);
  assert.equal((await rateOn2()).source, 'DEFAULT_CONFIG');
  const topicConfigs = await configs.describeConfigs('throttled');
  assert.equal(topicConfigs.find((c) => c.name === 'follower.replication.throttled.replicas')!.source, 'DEFAULT_CONFIG');
});
