// A restarted follower starts its high watermark where it was
// (replication-offset-checkpoint in its data directory, written at a clean
// close and every replica.high.watermark.checkpoint.interval.ms), not at its
// log start: with its leader's replication address cut off, so that it cannot
// have learned the leader's, it reports every acks=all record as committed.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { type ClusterBroker, startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { httpCall } from '../helpers/http-api.js';
import { skipUnless } from '../helpers/interop-tools.js';
import { HIGH_WATERMARK_CHECKPOINT_FILE } from '../../src/storage/high-watermark-checkpoint.js';

const { Kafka, logLevel } = kafkajs;

const TOPIC = 'kept';
const RECORDS = 20;

/** This broker's own replica of partition 0 of TOPIC, as its HTTP API shows it. */
async function ownReplica(broker: ClusterBroker): Promise<{ highWatermark: number; logEndOffset: number }> {
  const answer = await httpCall(`http://127.0.0.1:${broker.process!.httpPort}`, 'GET', `/topics/${TOPIC}`);
  assert.equal(answer.status, 200);
  const { highWatermark, logEndOffset } = answer.json.partitions[0];
  return { highWatermark, logEndOffset };
}

/** Two brokers, TOPIC led by broker 1 and followed by broker 2, holding RECORDS records written with acks=all that the follower knows are committed. */
async function committedOnBoth(t: TestContext, checkpointIntervalMs: number) {
  const etcd = await startEtcd(t);
  const cluster = await startBrokerCluster(t, { etcd: etcd.endpoints(), brokers: 2, http: true, args: ['--replica-high-watermark-checkpoint-interval-ms', String(checkpointIntervalMs), '--broker-lease-ttl-ms', '2000'] });
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
  await cluster.waitUntil(`${TOPIC}-0 led by broker 1 with both in sync`, (d) => d.partitions.some((p) => p.topic === TOPIC && p.leader === 1 && p.isr.length === 2));
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: RECORDS }, (_, i) => ({ partition: 0, value: `record-${i}` })) });
  const [leader, follower] = [cluster.broker(1), cluster.broker(2)];
  await waitFor('the follower to learn the high watermark', async () => (await ownReplica(follower)).highWatermark === RECORDS);
  return { cluster, leader, follower };
}

function checkpointed(broker: ClusterBroker): boolean {
  const file = path.join(broker.dataDir, HIGH_WATERMARK_CHECKPOINT_FILE);
  return fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').includes(`${TOPIC} 0 ${RECORDS}`);
}

/** Starts both brokers again, the follower unable to reach its leader, and returns what the follower reports of its replica. */
async function restartCutOff(leader: ClusterBroker, follower: ClusterBroker) {
  // The follower reaches its leader only through this proxy: cut, it can learn nothing from it.
  leader.replicationProxy.cut();
  await leader.restart();
  await follower.restart();
  return ownReplica(follower);
}

test('a follower restarted cleanly starts at the high watermark its close checkpointed, before it fetches from its leader', skipUnless(etcdServer), async (t) => {
  // No periodic write within the test: only the clean close writes the checkpoint.
  const { leader, follower } = await committedOnBoth(t, 600_000);
  assert.equal(checkpointed(follower), false, 'nothing written before the close');
  assert.equal(await follower.stop(), 0, 'the follower exits cleanly');
  assert.equal(await leader.stop(), 0, 'the leader exits cleanly');
  assert.equal(checkpointed(follower), true, 'the close wrote it');
  assert.deepEqual(await restartCutOff(leader, follower), { highWatermark: RECORDS, logEndOffset: RECORDS });
});

test('a follower killed after a periodic checkpoint starts at the high watermark it holds', skipUnless(etcdServer), async (t) => {
  const { cluster, leader, follower } = await committedOnBoth(t, 100);
  await waitFor('the periodic checkpoint of the follower', () => checkpointed(follower));
  await follower.kill9();
  // Its registration must lapse before it may register again.
  await cluster.waitUntil('the killed follower gone from the cluster', (d) => !d.brokers.some((b) => b.nodeId === follower.id));
  assert.equal(await leader.stop(), 0, 'the leader exits cleanly');
  assert.deepEqual(await restartCutOff(leader, follower), { highWatermark: RECORDS, logEndOffset: RECORDS });
});
