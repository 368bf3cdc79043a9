// Replication end to end between brokers of one process sharing a control
// plane, each on its own port and data directory, followers fetching from
// their leaders over TCP: acks=all through kafkajs is answered with every
// replica holding the same bytes up to the high watermark; after leadership
// moves, the old leader refuses writes, the new one serves, and kcat reads
// every acknowledged record; a follower's divergent tail from an old epoch is
// cut when it comes back (KIP-279); with min.insync.replicas=2 a stopped
// follower leaves the ISR after replica.lag.time.max.ms, acks=all is refused,
// and the follower rejoins the ISR when it returns.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { deleteRecordsBefore } from '../../src/broker/delete-records.js';
import { produceToPartition } from '../../src/broker/produce.js';
import { markerBatch } from '../../src/coordinator/txn/txn-marker.js';
import { createLogger } from '../../src/logger.js';
import { encodeBatch } from '../../src/protocol/records.js';
import type { Partition } from '../../src/broker/partition.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';
import { SharedControlPlane } from '../helpers/shared-control-plane.js';
import { Members, produceTo, request, until, whenRole } from './brokers.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';

const { Kafka, logLevel } = kafkajs;
const ALL = 1 << 30;

function producerFor(t: TestContext, brokers: RunningBroker[]) {
  const kafka = new Kafka({ clientId: 'replication-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  t.after(() => producer.disconnect());
  return producer;
}

/** Every replica of topic-partition holds the leader's bytes up to the leader's high watermark. */
function assertSameUpToHighWatermark(replicas: Partition[], leader: Partition): void {
  const hw = leader.highWatermark;
  const expected = leader.log.read(leader.logStartOffset, ALL, hw);
  for (const r of replicas) assert.ok(r.log.read(r.logStartOffset, ALL, hw).equals(expected), `broker ${r.nodeId} holds the leader's bytes up to ${hw}`);
}

test('acks=all from kafkajs is answered once the ISR has the records, and every replica holds the same bytes up to the high watermark', async (t) => {
  const members = new Members(t, new SharedControlPlane());
  const brokers = [await members.start(1), await members.start(2), await members.start(3)];
  await members.plane.createTopic('replicated', 2, { 'min.insync.replicas': '2' }, { replicationFactor: 3, assignments: null });
  for (const partition of [0, 1]) {
    const leader = members.plane.assignment('replicated', partition).leader;
    await Promise.all(brokers.map((b) => whenRole(b, 'replicated', partition, b.config.nodeId === leader ? 'leader' : 'follower')));
  }
  const producer = producerFor(t, brokers);
  await producer.connect();
  for (let i = 0; i < 20; i++) {
    const [ack] = await producer.send({ topic: 'replicated', acks: -1, messages: [{ value: `m${i}`, partition: i % 2 }] });
    assert.equal(ack.errorCode, 0);
  }
  for (const partition of [0, 1]) {
    const leaderId = members.plane.assignment('replicated', partition).leader;
    const leader = members.get(leaderId).broker.partition('replicated', partition) as Partition;
    assert.equal(leader.highWatermark, 10, `partition ${partition}: every acknowledged record is committed`);
    assertSameUpToHighWatermark(brokers.map((b) => b.broker.partition('replicated', partition) as Partition), leader);
  }
});

test('leadership moved: the old leader answers NOT_LEADER_OR_FOLLOWER, the new one serves, and kcat reads every acknowledged record', skipUnless(kcat), async (t) => {
  const members = new Members(t, new SharedControlPlane());
  const brokers = [await members.start(1), await members.start(2), await members.start(3)];
  await members.plane.createTopic('moving', 1, {}, { replicationFactor: 3, assignments: [[1, 2, 3]] });
  await Promise.all(brokers.map((b) => whenRole(b, 'moving', 0, b.config.nodeId === 1 ? 'leader' : 'follower')));
  const producer = producerFor(t, brokers);
  await producer.connect();
  const acknowledged: string[] = [];
  const send = async (value: string) => {
    await producer.send({ topic: 'moving', acks: -1, messages: [{ value, partition: 0 }] });
    acknowledged.push(value);
  };
  for (let i = 0; i < 10; i++) await send(`before-${i}`);

  members.plane.moveLeader('moving', 0, 2);
  await Promise.all(brokers.map((b) => whenRole(b, 'moving', 0, b.config.nodeId === 2 ? 'leader' : 'follower', 1)));
  assert.equal((await produceTo(t, members.get(1), 'moving', 0, ['refused'])).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  for (let i = 0; i < 10; i++) await send(`after-${i}`);

  const newLeader = members.get(2).broker.partition('moving', 0) as Partition;
  await until(() => newLeader.highWatermark === 20, 'the new leader to commit what it acknowledged');
  const read = await runOk(KCAT, ['-C', '-b', brokers.map((b) => b.bootstrap).join(','), '-t', 'moving', '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20', '-f', '%s\\n']);
  assert.deepEqual(read.stdout.toString().trim().split('\n'), acknowledged, 'every acknowledged record, in order, once');
  assertSameUpToHighWatermark(brokers.map((b) => b.broker.partition('moving', 0) as Partition), newLeader);
});

test('a follower that comes back with a tail its new leader never had truncates it (and the producer state of it), and every replica is identical up to the high watermark', async (t) => {
  const members = new Members(t, new SharedControlPlane());
  const b1 = await members.start(1);
  const b2 = await members.start(2);
  await members.plane.createTopic('diverge', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(b1, 'diverge', 0, 'leader'), whenRole(b2, 'diverge', 0, 'follower')]);
  assert.equal((await produceTo(t, b1, 'diverge', 0, ['a', 'b'])).errorCode, ErrorCode.NONE, 'on both replicas');

  await members.stop(2);
  // Written by an idempotent producer: its sequences must leave broker 1's producer state with the records.
  members.plane.update('diverge', 0, { isr: [1] });
  await until(() => b1.broker.partition('diverge', 0)?.isr.length === 1, 'the ISR of broker 1 alone');
  const idempotent = new Kafka({ clientId: 'diverge', brokers: [b1.bootstrap], logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await idempotent.connect();
  await idempotent.send({ topic: 'diverge', acks: -1, messages: ['only-on-1', 'only-on-1', 'only-on-1'].map((value) => ({ value, partition: 0 })) });
  await idempotent.disconnect();
  assert.equal(b1.broker.partition('diverge', 0)?.logEndOffset, 5);
  await members.stop(1);

  // An unclean choice: broker 2 leads epoch 1 without the records only broker 1 had.
  members.plane.moveLeader('diverge', 0, 2, [2]);
  const leader2 = await members.start(2);
  await whenRole(leader2, 'diverge', 0, 'leader', 1);
  assert.equal((await produceTo(t, leader2, 'diverge', 0, ['x'], 1)).errorCode, ErrorCode.NONE);

  const back1 = await members.start(1);
  await whenRole(back1, 'diverge', 0, 'follower', 1);
  const follower = back1.broker.partition('diverge', 0) as Partition;
  const leader = leader2.broker.partition('diverge', 0) as Partition;
  await until(() => leader.isr.length === 2 && leader.highWatermark === 3, 'broker 1 to catch up and rejoin the ISR');
  await until(() => follower.logEndOffset === 3, 'broker 1 to hold the leader log end');
  assertSameUpToHighWatermark([follower], leader);
  assert.deepEqual(follower.log.endOffsetForEpoch(0), { epoch: 0, endOffset: 2 }, 'its epoch 0 now ends where the leader says');
  assert.deepEqual([...follower.producers.entries()], [], 'the idempotent producer of the removed records is forgotten with them');
});

test('a follower whose cut tail held transaction markers reopens those transactions and forgets the cut abort, as its new leader has them', async (t) => {
  const members = new Members(t, new SharedControlPlane());
  const b1 = await members.start(1);
  const b2 = await members.start(2);
  await members.plane.createTopic('txn-diverge', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(b1, 'txn-diverge', 0, 'leader'), whenRole(b2, 'txn-diverge', 0, 'follower')]);
  const [committing, aborting] = [1000, 2000];
  for (const producerId of [committing, aborting]) {
    const batch = encodeBatch([{ value: Buffer.from(`in-txn-${producerId}`) }], { producerId, producerEpoch: 0, baseSequence: 0, transactional: true });
    assert.equal((await produceToPartition(b1.broker, 'txn-diverge', 0, batch, -1, createLogger('silent'))).errorCode, ErrorCode.NONE, 'on both replicas');
  }

  await members.stop(2);
  members.plane.update('txn-diverge', 0, { isr: [1] });
  await until(() => b1.broker.partition('txn-diverge', 0)?.isr.length === 1, 'the ISR of broker 1 alone');
  // The markers reach broker 1 only.
  const p1 = b1.broker.partition('txn-diverge', 0) as Partition;
  await p1.append(markerBatch(committing, 0, true)).committed;
  await p1.append(markerBatch(aborting, 0, false)).committed;
  assert.deepEqual(p1.txns.abortedIn(0, 4), [{ producerId: aborting, firstOffset: 1, lastOffset: 3 }]);
  await members.stop(1);

  members.plane.moveLeader('txn-diverge', 0, 2, [2]);
  const leader2 = await members.start(2);
  await whenRole(leader2, 'txn-diverge', 0, 'leader', 1);
  assert.equal((await produceTo(t, leader2, 'txn-diverge', 0, ['x'], 1)).errorCode, ErrorCode.NONE);

  const back1 = await members.start(1);
  await whenRole(back1, 'txn-diverge', 0, 'follower', 1);
  const follower = back1.broker.partition('txn-diverge', 0) as Partition;
  const leader = leader2.broker.partition('txn-diverge', 0) as Partition;
  await until(() => leader.highWatermark === 3 && follower.logEndOffset === 3 && follower.highWatermark === 3, 'broker 1 to cut its tail and catch up');
  assertSameUpToHighWatermark([follower], leader);
  assert.deepEqual(new Map(follower.txns.openTransactions()), new Map([[committing, 0], [aborting, 1]]), 'both transactions are undecided again');
  assert.deepEqual([follower.lastStableOffset, leader.lastStableOffset], [0, 0]);
  assert.deepEqual(follower.txns.abortedIn(0, 4), [], 'the abort went with its marker');
  assert.equal(fs.readFileSync(path.join(back1.config.dataDir, 'txn-diverge-0', 'aborted-txns'), 'utf8'), '', 'and from the file a restart reads');
});

test('min.insync.replicas=2: a stopped follower leaves the ISR after replica.lag.time.max.ms, acks=all is refused, and the follower rejoins when it returns', async (t) => {
  const clock = new FakeClock();
  const members = new Members(t, new SharedControlPlane(), { clock, replicaLagTimeMaxMs: 1000 });
  const b1 = await members.start(1);
  const b2 = await members.start(2);
  await members.plane.createTopic('min-isr', 1, { 'min.insync.replicas': '2' }, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(b1, 'min-isr', 0, 'leader'), whenRole(b2, 'min-isr', 0, 'follower')]);
  assert.equal((await produceTo(t, b1, 'min-isr', 0, ['two copies'])).errorCode, ErrorCode.NONE);

  await members.stop(2);
  const leader = b1.broker.partition('min-isr', 0) as Partition;
  clock.advance(900);
  assert.deepEqual(members.plane.assignment('min-isr', 0).isr, [1, 2], 'within the lag time');
  clock.advance(700);
  await until(() => leader.isr.length === 1, 'the ISR to shrink');
  assert.deepEqual([b1.broker.counters.isrShrinks, b1.broker.counters.isrExpands], [1, 0], 'the shrink is counted (sluice_isr_shrinks_total)');
  assert.equal((await produceTo(t, b1, 'min-isr', 0, ['refused'])).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
  assert.equal((await produceTo(t, b1, 'min-isr', 0, ['one copy'], 1)).errorCode, ErrorCode.NONE);

  await members.start(2);
  await until(() => leader.isr.length === 2, 'the returning follower to rejoin the ISR');
  assert.deepEqual(members.plane.assignment('min-isr', 0).isr, [1, 2]);
  assert.deepEqual([b1.broker.counters.isrShrinks, b1.broker.counters.isrExpands], [1, 1], 'the expansion is counted (sluice_isr_expands_total)');
  assert.equal((await produceTo(t, b1, 'min-isr', 0, ['two copies again'])).errorCode, ErrorCode.NONE);
  assert.equal(leader.highWatermark, 3);
});

test("acks=all not committed within the request's timeout is answered REQUEST_TIMED_OUT; the records stay and commit when the follower returns", async (t) => {
  const clock = new FakeClock();
  const members = new Members(t, new SharedControlPlane(), { clock, replicaLagTimeMaxMs: 10_000 });
  const b1 = await members.start(1);
  const b2 = await members.start(2);
  await members.plane.createTopic('slow-isr', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(b1, 'slow-isr', 0, 'leader'), whenRole(b2, 'slow-isr', 0, 'follower')]);
  await members.stop(2);
  const leader = b1.broker.partition('slow-isr', 0) as Partition;

  const records = encodeBatch([{ value: Buffer.from('waits for broker 2') }]);
  const body = { transactionalId: null, acks: -1, timeoutMs: 500, topicData: [{ name: 'slow-isr', partitionData: [{ index: 0, records }] }] };
  const answered = request(t, b1, ProduceRequest, ProduceResponse, 9, body);
  await until(() => leader.logEndOffset === 1, 'the append');
  let settled = false;
  void answered.then(() => (settled = true));
  clock.advance(499);
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'no answer before the timeout');
  clock.advance(1);
  const response = (await answered).responses[0].partitionResponses[0];
  assert.equal(response.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  assert.match(response.errorMessage, /not committed within the request's 500 ms/);
  assert.deepEqual([leader.logEndOffset, leader.highWatermark, leader.isr], [1, 0, [1, 2]], 'in the log, not committed, the ISR unchanged within the lag time');

  await members.start(2);
  await until(() => leader.highWatermark === 1, 'the returning follower to commit it');
});

test("a follower follows its leader's log start, and one whose log ends before it is emptied and catches up from there", async (t) => {
  const clock = new FakeClock();
  const members = new Members(t, new SharedControlPlane(), { clock, replicaLagTimeMaxMs: 1000 });
  const b1 = await members.start(1);
  const b2 = await members.start(2);
  await members.plane.createTopic('behind', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(b1, 'behind', 0, 'leader'), whenRole(b2, 'behind', 0, 'follower')]);
  for (const v of ['a', 'b', 'c']) assert.equal((await produceTo(t, b1, 'behind', 0, [v])).errorCode, ErrorCode.NONE);
  assert.deepEqual(await deleteRecordsBefore(b1.broker, 'behind', 0, 1), { errorCode: ErrorCode.NONE, lowWatermark: 1 });
  assert.equal((await produceTo(t, b1, 'behind', 0, ['d'])).errorCode, ErrorCode.NONE);
  await until(() => b2.broker.partition('behind', 0)!.logStartOffset === 1, "the follower's log start to follow the leader's");

  await members.stop(2);
  const leader = b1.broker.partition('behind', 0) as Partition;
  clock.advance(1600);
  await until(() => leader.isr.length === 1, 'the ISR to shrink');
  for (const v of ['e', 'f', 'g']) assert.equal((await produceTo(t, b1, 'behind', 0, [v], 1)).errorCode, ErrorCode.NONE);
  assert.deepEqual(await deleteRecordsBefore(b1.broker, 'behind', 0, 6), { errorCode: ErrorCode.NONE, lowWatermark: 6 });

  const back = await members.start(2);
  await until(() => leader.isr.length === 2, 'the follower to catch up from the leader log start and rejoin the ISR');
  const follower = back.broker.partition('behind', 0) as Partition;
  assert.equal(follower.logStartOffset, 6, 'the records the leader no longer has are gone here too');
  assert.equal(follower.logEndOffset, 7);
  assert.ok(follower.log.read(6, ALL, 7).equals(leader.log.read(6, ALL, 7)), "the follower holds the leader's bytes from its log start");
});
