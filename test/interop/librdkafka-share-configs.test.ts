// Share group configs with librdkafka 2.15's share consumer reading.
//
// share.isolation.level=read_committed: a share group gets only the records of
// committed transactions (kafkajs's transactional producer commits some and
// aborts some), nothing past an open transaction, and never a control record.
//
// Group configs changed (IncrementalAlterConfigs on the GROUP resource) while a
// share group and its share-partitions already exist apply to them from then
// on: a shorter lock brings a dead consumer's records back sooner, a lower
// delivery-count limit archives at the next release, and a new heartbeat
// interval is sent at the next heartbeat.

import assert from 'node:assert/strict';
import { type TestContext, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../src/protocol/messages/share-group-heartbeat.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { buildLibrdkafkaProgram, kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { runShareConsumer } from './librdkafka-share-consumer.js';

/** A broker with `topic` (one partition) holding `count` records, and an Admin on it. */
async function setUp(t: TestContext, topic: string, count: number, groupConfigs: Record<string, string>): Promise<{ broker: RunningBroker; admin: Admin; client: KafkaClient }> {
  const broker = await startInProcessBroker(t, { transactionStateNumPartitions: 3 });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic(topic, 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest', ...groupConfigs } });
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}` })) });
  await producer.disconnect();
  return { broker, admin, client };
}

describe('share group configs', skipUnless(kafkaJavascript), () => {
  test('share.isolation.level=read_committed delivers the committed transactions only, nothing past an open one, and archives the rest', async (t) => {
    const program = buildLibrdkafkaProgram('share-consume');
    const { broker } = await setUp(t, 'txns', 0, { 'share.isolation.level': 'read_committed' });
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ transactionalId: 'share-txns', idempotent: true, maxInFlightRequests: 1 });
    const plain = kafka.producer();
    await Promise.all([producer.connect(), plain.connect()]);
    defer(t, () => Promise.all([producer.disconnect(), plain.disconnect()]));
    const inTransaction = async (values: string[], end: 'commit' | 'abort') => {
      const txn = await producer.transaction();
      await txn.send({ topic: 'txns', messages: values.map((value) => ({ value })) });
      await txn[end]();
    };
    // Offsets: c0 0, c1 1, marker 2, a0-a2 3-5, marker 6, c2 7, marker 8, o0 9 (open), p0 10.
    await inTransaction(['c0', 'c1'], 'commit');
    await inTransaction(['a0', 'a1', 'a2'], 'abort');
    await inTransaction(['c2'], 'commit');
    const open = await producer.transaction();
    await open.send({ topic: 'txns', messages: [{ value: 'o0' }] });
    await plain.send({ topic: 'txns', messages: [{ value: 'p0' }] });

    const first = runShareConsumer(t, program, broker, 'workers', 'txns', 3, 'accept');
    assert.equal(await first.exited, 0);
    assert.deepEqual(first.received.map((r) => [r.offset, r.value]), [[0, 'c0'], [1, 'c1'], [7, 'c2']]);
    assert.equal(broker.shares.stats('workers')[0].startOffset, 9, 'aborted records and markers archived; the open transaction holds the rest back');

    await open.abort();
    const second = runShareConsumer(t, program, broker, 'workers', 'txns', 1, 'accept');
    assert.equal(await second.exited, 0);
    assert.deepEqual(second.received.map((r) => [r.offset, r.value]), [[10, 'p0']]);
    const [stats] = broker.shares.stats('workers');
    assert.deepEqual([stats.startOffset, stats.available, stats.acquired], [12, 0, 0], 'the aborted o0 and the abort marker that ends the log are settled too');
  });

  test('a shorter share.record.lock.duration.ms brings back the records of a consumer killed after the change sooner than its session timeout', { timeout: 90_000 }, async (t) => {
    const program = buildLibrdkafkaProgram('share-consume');
    const { broker, admin } = await setUp(t, 'held', 6, { 'share.record.lock.duration.ms': '60000' });
    const first = runShareConsumer(t, program, broker, 'workers', 'held', 1, 'accept', { SHARE_CONSUME_MAX_POLL_RECORDS: '1' });
    assert.equal(await first.exited, 0);
    assert.equal(broker.shares.stats('workers')[0].startOffset, 1, 'the group and its share-partition exist');

    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.record.lock.duration.ms': '15000' } });
    const holder = runShareConsumer(t, program, broker, 'workers', 'held', 5, 'hold');
    await holder.sawLine((line) => line === 'held');
    const heldAt = Date.now();
    holder.child.kill('SIGKILL');
    await holder.exited;

    const rescuer = runShareConsumer(t, program, broker, 'workers', 'held', 5, 'accept');
    assert.equal(await rescuer.exited, 0);
    const waited = Date.now() - heldAt;
    assert.deepEqual(rescuer.received.map((r) => [r.offset, r.deliveryCount]), [[1, 2], [2, 2], [3, 2], [4, 2], [5, 2]]);
    // The session timeout (45 s) would have brought them back too, the old lock (60 s) later still.
    assert.ok(waited < 35_000, `the records came back after ${waited} ms, under the new 15 s lock`);
  });

  test('a lower share.delivery.count.limit archives records of an existing share-partition at their next release', async (t) => {
    const program = buildLibrdkafkaProgram('share-consume');
    const { broker, admin } = await setUp(t, 'flaky', 4, {});
    const first = runShareConsumer(t, program, broker, 'workers', 'flaky', 1, 'accept', { SHARE_CONSUME_MAX_POLL_RECORDS: '1' });
    assert.equal(await first.exited, 0);

    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.delivery.count.limit': '2' } });
    const releaser = runShareConsumer(t, program, broker, 'workers', 'flaky', 6, 'release-all');
    assert.equal(await releaser.exited, 0);
    assert.deepEqual(releaser.received.map((r) => [r.offset, r.deliveryCount]).sort(), [[1, 1], [1, 2], [2, 1], [2, 2], [3, 1], [3, 2]]);
    const [stats] = broker.shares.stats('workers');
    assert.deepEqual([stats.startOffset, stats.available], [4, 0], 'released twice, then archived under the new limit of 2 (the old 5 would keep them available)');
  });

  test('a changed share.heartbeat.interval.ms is sent to members of an existing group at their next heartbeat', async (t) => {
    const { broker, admin, client } = await setUp(t, 'beats', 0, {});
    const conn = await client.connect('127.0.0.1', broker.port);
    const api = { request: ShareGroupHeartbeatRequest, response: ShareGroupHeartbeatResponse };
    const joined = await conn.send(api, { groupId: 'workers', memberId: 'm1', memberEpoch: 0, rackId: null, subscribedTopicNames: ['beats'] });
    assert.deepEqual([joined.errorCode, joined.heartbeatIntervalMs], [0, 5000]);
    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.heartbeat.interval.ms': '12000' } });
    const next = await conn.send(api, { groupId: 'workers', memberId: 'm1', memberEpoch: joined.memberEpoch, rackId: null, subscribedTopicNames: null });
    assert.deepEqual([next.errorCode, next.heartbeatIntervalMs], [0, 12000]);
  });
});
