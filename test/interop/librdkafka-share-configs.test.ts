// Group configs changed (IncrementalAlterConfigs on the GROUP resource) while a
// share group and its share-partitions already exist apply to them from then
// on, with librdkafka 2.15's share consumer reading: a shorter lock brings a
// dead consumer's records back sooner, a lower delivery-count limit archives
// at the next release, and a new heartbeat interval is sent at the next
// heartbeat.

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
  const broker = await startInProcessBroker(t);
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

describe('group config changes reach existing share groups', skipUnless(kafkaJavascript), () => {
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
