// Share groups (KIP-932 queues) in a cluster of three brokers: a share
// partition lives on its topic partition's leader, and its state is stored by
// its share coordinator, the leader of its key's partition of
// __share_group_state, often another broker (Read/WriteShareGroupState
// between them). Queue members of the Sluice client go on across kill -9 of a
// partition's leader and of the broker holding its share state: no record
// whose acknowledgement was stored is delivered again, records held when the
// leader died come back available, and every record is acknowledged in the
// end. A ShareFetch sent to a broker that does not lead the partition answers
// NOT_LEADER_OR_FOLLOWER with the leader's hint.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import diagnostics_channel from 'node:diagnostics_channel';
import { type TestContext, test } from 'node:test';
import { Admin, type ClusterDescription } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { type SluiceClient, connect } from '../../src/client/index.js';
import { offsetsPartitionFor } from '../../src/coordinator/group/offsets-log.js';
import { SHARE_STATE_TOPIC, placementKey } from '../../src/coordinator/share/share-state-store.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ShareFetchRequest, ShareFetchResponse } from '../../src/protocol/messages/share-fetch.js';
import { type BrokerCluster, startBrokerCluster } from '../helpers/broker-cluster.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { skipUnless } from '../helpers/interop-tools.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

const TOPIC = 'tasks';
const STARTED = Date.now();

/**
 * A step that must end within `ms`, else the test fails naming it. Progress
 * goes to stderr as well as t.diagnostic: a test file that runs past its
 * timeout is killed, and only what it printed so far says where it was.
 */
async function step<T>(t: TestContext, what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    const line = `share-groups ${((Date.now() - STARTED) / 1000).toFixed(1)} s: ${what}`;
    t.diagnostic(line);
    console.error(line);
  }
}
const PARTITIONS = 6;
const WARM_UP = 'warm-up';

async function setUp(t: TestContext) {
  const etcdCluster = await startEtcd(t, 1);
  const cluster = await startBrokerCluster(t, { etcd: etcdCluster.endpoints(), brokers: 3, args: ['--broker-lease-ttl-ms', '3000'] });
  const kafka = new KafkaClient({ bootstrap: cluster.bootstrap, clientId: 'share-groups', requestTimeoutMs: 10_000 });
  defer(t, () => kafka.close());
  await new Admin(kafka).createTopic(TOPIC, { partitions: PARTITIONS, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  await new Admin(kafka).createTopic(WARM_UP, { partitions: 1, replicationFactor: 3 });
  await cluster.waitUntil(`${TOPIC} fully in sync`, (d) => d.partitions.filter((p) => p.topic === TOPIC && p.isr.length === 3).length === PARTITIONS);
  const topicId = (await kafka.cachedTopic(TOPIC)).topicId.toString('hex');
  const client = await connect({ bootstrap: cluster.bootstrap, clientId: 'share-groups' });
  defer(t, () => client.close());
  return { cluster, kafka, client, topicId };
}

async function produce(client: SluiceClient, from: number, count: number): Promise<void> {
  const producer = client.producer({ acks: 'all' });
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send(TOPIC, { partition: (from + i) % PARTITIONS, value: `r${from + i}` })));
  await producer.flush();
}

/** The leader of `partition` of `topic` as the cluster shows it now (-1: offline). */
const leaderOf = (d: ClusterDescription, topic: string, partition: number) => d.partitions.find((p) => p.topic === topic && p.partition === partition)?.leader ?? -1;

/** The broker storing the share state of `partition` of the topic for `group`: the leader of its key's partition of __share_group_state. */
function shareCoordinatorOf(d: ClusterDescription, group: string, topicId: string, partition: number): number {
  const stateTopic = d.partitions.filter((p) => p.topic === SHARE_STATE_TOPIC);
  return leaderOf(d, SHARE_STATE_TOPIC, offsetsPartitionFor(placementKey({ groupId: group, topicId, partition }), stateTopic.length));
}

/** A partition led by a live broker whose share state for `group` is stored by another live broker, if there is one now. */
function partitionWithRemoteStateIn(d: ClusterDescription, group: string, topicId: string): { partition: number; leader: number; coordinator: number } | undefined {
  const live = new Set(d.brokers.map((b) => b.nodeId));
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const leader = leaderOf(d, TOPIC, partition);
    const coordinator = shareCoordinatorOf(d, group, topicId, partition);
    if (live.has(leader) && live.has(coordinator) && leader !== coordinator) return { partition, leader, coordinator };
  }
  return undefined;
}

async function partitionWithRemoteState(cluster: BrokerCluster, group: string, topicId: string): Promise<{ partition: number; leader: number; coordinator: number }> {
  let found: { partition: number; leader: number; coordinator: number } | undefined;
  await cluster.waitUntil('a partition whose share state is stored by another broker than its leader', (d) => (found = partitionWithRemoteStateIn(d, group, topicId)) !== undefined);
  return found!;
}

/**
 * A share group id for which some partition's state is stored by another
 * broker than the partition's leader. Keys of consecutive partitions land in
 * consecutive partitions of __share_group_state, whose leaders rotate as the
 * topic's do: for a given group id either every partition's state is stored
 * by its own leader or none is, so the id is chosen once that topic exists.
 */
async function groupWithRemoteState(t: TestContext, cluster: BrokerCluster, client: SluiceClient, topicId: string): Promise<string> {
  // A first acknowledgement, of another group and topic, creates __share_group_state.
  await step(t, 'warm-up record produced', 30_000, client.producer({ acks: 'all' }).send(WARM_UP, { value: 'x' }));
  const warmUp = async () => {
    for await (const msg of client.queue(WARM_UP, { group: WARM_UP, from: 'earliest' })) {
      msg.ack();
      break;
    }
  };
  await step(t, 'warm-up record acknowledged (creates the share-state topic)', 60_000, warmUp());
  const d = await cluster.waitUntil(`${SHARE_STATE_TOPIC} led everywhere`, (x) => x.partitions.some((p) => p.topic === SHARE_STATE_TOPIC) && x.partitions.every((p) => p.leader >= 0));
  for (let i = 0; i < 10_000; i++) if (partitionWithRemoteStateIn(d, `workers-${i}`, topicId) !== undefined) return `workers-${i}`;
  throw new Error('no group id has a partition whose share state another broker stores');
}

/**
 * Acknowledges what a new queue member receives until `done` holds of the
 * values acknowledged in all; then closes the member (its last
 * acknowledgements are sent). Returns every value delivered to it and those
 * it acknowledged.
 */
async function consume(t: TestContext, phase: string, client: SluiceClient, group: string, acknowledged: Set<string>, done: () => boolean): Promise<{ delivered: string[]; acked: string[] }> {
  const queue = client.queue(TOPIC, { group, from: 'earliest', prefetch: 10, maxWaitMs: 200, valueFormat: 'string' });
  const delivered: string[] = [];
  const acked: string[] = [];
  const running = queue.run(async (msg) => {
    delivered.push(msg.value!);
    if (done()) return msg.release();
    msg.ack();
    acked.push(msg.value!);
    acknowledged.add(msg.value!);
  });
  await step(t, `${phase}: records acknowledged`, 90_000, waitFor(`${phase}: the queue member acknowledged its share`, done, 90_000));
  await step(t, `${phase}: queue member closed`, 30_000, queue.close().then(() => running));
  return { delivered, acked };
}

test('queue members go on across kill -9 of a partition leader and of its share coordinator: nothing acknowledged comes again, everything is acknowledged', { ...skipUnless(etcdServer), timeout: 300_000 }, async (t) => {
  const { cluster, client, topicId } = await step(t, 'cluster of 3 brokers up, topics in sync', 120_000, setUp(t));
  const group = await groupWithRemoteState(t, cluster, client, topicId);
  const failures: unknown[] = [];
  const onFailure = (m: unknown) => void failures.push(m);
  diagnostics_channel.subscribe('sluice:queue:acknowledge-failed', onFailure);
  t.after(() => diagnostics_channel.unsubscribe('sluice:queue:acknowledge-failed', onFailure));
  const all = Array.from({ length: 120 }, (_, i) => `r${i}`);
  const acknowledged = new Set<string>();

  // Before any failure: the first 60 records, acknowledged through share coordinators all over the cluster.
  await produce(client, 0, 60);
  const first = await consume(t, 'first 60', client, group, acknowledged, () => acknowledged.size >= 60);
  assert.deepEqual(failures, [], 'every acknowledgement stored');
  assert.equal(new Set(first.delivered).size, first.delivered.length, 'nothing delivered twice');

  // A member holds the next 60 records unsettled when the leader of a partition whose state lives elsewhere dies.
  await produce(client, 60, 60);
  const { partition, leader } = await partitionWithRemoteState(cluster, group, topicId);
  t.diagnostic(`killing broker ${leader}, leader of ${TOPIC}-${partition}`);
  const holder = client.queue(TOPIC, { group, from: 'earliest', prefetch: 60, maxWaitMs: 200, valueFormat: 'string' });
  const held: { value: string; partition: number }[] = [];
  let letGo: () => void = () => {};
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  // Handlers waiting at the gate would keep the queue from closing if the test failed before opening it.
  t.after(() => letGo());
  const holding = holder.run(
    async (msg) => {
      held.push({ value: msg.value!, partition: msg.partition });
      await gate;
      msg.release();
    },
    { concurrency: 60 },
  );
  await waitFor(`records of ${TOPIC}-${partition} held`, () => held.some((h) => h.partition === partition), 30_000);
  await cluster.broker(leader).kill9();
  letGo();
  await step(t, `holder closed after broker ${leader} was killed`, 60_000, holder.close().then(() => holding));
  const heldOnDeadLeader = held.filter((h) => h.partition === partition).map((h) => h.value);
  for (const v of held) assert.ok(!acknowledged.has(v.value), `${v.value} was acknowledged before, and delivered again`);

  await step(t, `broker ${leader} restarted`, 60_000, cluster.broker(leader).restart());
  const second = await consume(t, 'after the leader moved', client, group, acknowledged, () => acknowledged.size >= 90);
  for (const v of second.delivered) assert.ok(!first.acked.includes(v), `${v} was acknowledged before the leader died, and delivered again`);
  assert.deepEqual(failures, [], 'every acknowledgement after the move stored');

  // Now the broker storing a partition's share state dies.
  const moved = await partitionWithRemoteState(cluster, group, topicId);
  t.diagnostic(`killing broker ${moved.coordinator}, share coordinator of ${TOPIC}-${moved.partition}`);
  await cluster.broker(moved.coordinator).kill9();
  const before = new Set([...first.acked, ...second.acked]);
  const third = await consume(t, 'after the share coordinator died', client, group, acknowledged, () => all.every((v) => acknowledged.has(v)));
  for (const v of third.delivered) assert.ok(!before.has(v), `${v} was acknowledged before the share coordinator died, and delivered again`);
  assert.deepEqual([...acknowledged].sort(), [...all].sort(), 'every record acknowledged');
  const redelivered = new Set([...second.delivered, ...third.delivered]);
  for (const v of heldOnDeadLeader) assert.ok(redelivered.has(v), `${v}, held when its leader died, was delivered again`);
});

test('a ShareFetch sent to a broker that does not lead the partition answers NOT_LEADER_OR_FOLLOWER, naming the leader', { ...skipUnless(etcdServer), timeout: 120_000 }, async (t) => {
  const { cluster, topicId } = await setUp(t);
  const d = await cluster.describe();
  const leader = leaderOf(d, TOPIC, 0);
  const follower = cluster.brokers.find((b) => b.id !== leader)!;
  const socket = await RawSocket.connect(t, follower.port);
  await socket.write(
    encodeRequest(
      ShareFetchRequest,
      1,
      {
        groupId: 'workers',
        memberId: randomUUID(),
        shareSessionEpoch: 0,
        maxWaitMs: 5000,
        minBytes: 1,
        maxBytes: 1 << 20,
        maxRecords: 10,
        batchSize: 10,
        topics: [{ topicId: Buffer.from(topicId, 'hex'), partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }],
        forgottenTopicsData: [],
      },
      1,
    ),
  );
  const { body } = decodeResponse(await socket.nextFrame(15_000), ShareFetchResponse, 1);
  assert.equal(body.errorCode, ErrorCode.NONE);
  const p = body.responses[0].partitions[0];
  assert.equal(p.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.deepEqual(p.acquiredRecords, []);
  assert.equal(p.currentLeader.leaderId, leader);
  assert.equal(p.currentLeader.leaderEpoch, d.partitions.find((x) => x.topic === TOPIC && x.partition === 0)!.leaderEpoch);
  assert.deepEqual(
    body.nodeEndpoints.map((e: { nodeId: number; port: number }) => [e.nodeId, e.port]),
    [[leader, cluster.broker(leader).port]],
  );
});
