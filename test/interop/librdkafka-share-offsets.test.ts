// Where a share group starts and stands in a partition, against share groups
// that librdkafka 2.15's share consumer really reads from.
//
// The share offsets admin APIs (DescribeShareGroupOffsets,
// AlterShareGroupOffsets, DeleteShareGroupOffsets; KIP-932) go over TCP with
// Sluice's own codecs (no client on this machine speaks them: librdkafka 2.15
// has no admin call for them): what describe reports, where consumption
// resumes after an alter or a delete, what a restart keeps, and the errors of
// Kafka 4.1. share.auto.offset.reset=by_duration (KIP-1106) starts a new
// share-partition at the first record of the last duration, and a value that
// is no duration is refused when set.

import assert from 'node:assert/strict';
import { type TestContext, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, KafkaClient, KafkaError } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse } from '../../src/protocol/messages/alter-share-group-offsets.js';
import { DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse } from '../../src/protocol/messages/delete-share-group-offsets.js';
import { DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse } from '../../src/protocol/messages/describe-share-group-offsets.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer, makeDataDir } from '../helpers/broker-process.js';
import { freePort } from '../helpers/free-port.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { buildLibrdkafkaProgram, kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';
import { runShareConsumer } from './librdkafka-share-consumer.js';

const DESCRIBE = { request: DescribeShareGroupOffsetsRequest, response: DescribeShareGroupOffsetsResponse };
const ALTER = { request: AlterShareGroupOffsetsRequest, response: AlterShareGroupOffsetsResponse };
const DELETE = { request: DeleteShareGroupOffsetsRequest, response: DeleteShareGroupOffsetsResponse };
const ZERO_UUID = Buffer.alloc(16);

/** A connection to `broker` and its Admin, closed when the test ends. */
async function connect(t: TestContext, broker: RunningBroker): Promise<{ conn: BrokerConnection; admin: Admin }> {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { conn: await client.connect('127.0.0.1', broker.port), admin: new Admin(client) };
}

async function produce(broker: RunningBroker, topic: string, values: string[]): Promise<void> {
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
}

/** DescribeShareGroupOffsets of one group at `version`, as [topic, partition, startOffset, lag] rows. */
async function describeOffsets(conn: BrokerConnection, groupId: string, topics: { topicName: string; partitions: number[] }[] | null, version = 1): Promise<(string | number)[][]> {
  const res = await conn.sendVersion(DESCRIBE, version, { groups: [{ groupId, topics }] });
  const [group] = res.groups as Message[];
  assert.deepEqual([group.groupId, group.errorCode], [groupId, ErrorCode.NONE]);
  return (group.topics as Message[]).flatMap((t) => (t.partitions as Message[]).map((p) => [t.topicName, p.partitionIndex, Number(p.startOffset), Number(p.lag)]));
}

function alterOffsets(conn: BrokerConnection, groupId: string, topics: { topicName: string; partitions: { partitionIndex: number; startOffset: number }[] }[]): Promise<Message> {
  return conn.send(ALTER, { groupId, topics: topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, startOffset: BigInt(p.startOffset) })) })) });
}

describe('share group offsets admin APIs', skipUnless(kafkaJavascript), () => {
  test('describe reports where a group stands, alter moves an empty group and its next consumer starts there afresh, delete makes it start over', async (t) => {
    const program = buildLibrdkafkaProgram('share-consume');
    const broker = await startInProcessBroker(t);
    const { conn, admin } = await connect(t, broker);
    await admin.createTopic('jobs', 1);
    await admin.createTopic('other', 1);
    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
    await produce(broker, 'jobs', Array.from({ length: 10 }, (_, i) => `v${i}`));
    assert.equal(await runShareConsumer(t, program, broker, 'workers', 'jobs', 10, 'accept').exited, 0);

    assert.deepEqual(await describeOffsets(conn, 'workers', null), [['jobs', 0, 10, 0]], 'topics null: every partition the group has state for');
    await produce(broker, 'jobs', ['v10', 'v11', 'v12', 'v13', 'v14']);
    const asked = [{ topicName: 'jobs', partitions: [0] }, { topicName: 'other', partitions: [0] }, { topicName: 'missing', partitions: [0] }];
    assert.deepEqual(await describeOffsets(conn, 'workers', asked), [['jobs', 0, 10, 5], ['other', 0, -1, -1], ['missing', 0, -1, -1]]);
    assert.deepEqual(await describeOffsets(conn, 'workers', asked, 0), [['jobs', 0, 10, -1], ['other', 0, -1, -1], ['missing', 0, -1, -1]], 'v0 has no lag on the wire');
    const described = await conn.sendVersion(DESCRIBE, 1, { groups: [{ groupId: 'workers', topics: asked }] });
    const [jobs, other, missing] = described.groups[0].topics as Message[];
    assert.deepEqual(jobs.topicId, broker.broker.cluster.topic('jobs')!.topicId);
    assert.deepEqual(other.topicId, broker.broker.cluster.topic('other')!.topicId);
    assert.deepEqual(missing.topicId, ZERO_UUID);
    assert.equal(jobs.partitions[0].leaderEpoch, broker.broker.partition('jobs', 0)!.leaderEpoch);

    const altered = await alterOffsets(conn, 'workers', [
      { topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset: 3 }, { partitionIndex: 7, startOffset: 0 }] },
      { topicName: 'missing', partitions: [{ partitionIndex: 0, startOffset: 0 }] },
    ]);
    assert.equal(altered.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      (altered.responses as Message[]).map((r) => [r.topicName, (r.partitions as Message[]).map((p) => [p.partitionIndex, p.errorCode])]),
      [['jobs', [[0, ErrorCode.NONE], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]], ['missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]]],
    );
    assert.deepEqual(await describeOffsets(conn, 'workers', null), [['jobs', 0, 3, 12]]);
    const resumed = runShareConsumer(t, program, broker, 'workers', 'jobs', 12, 'accept');
    assert.equal(await resumed.exited, 0);
    assert.deepEqual(resumed.received.map((r) => [r.offset, r.deliveryCount]), Array.from({ length: 12 }, (_, i) => [i + 3, 1]), 'from the new start offset, nothing counted as delivered before');

    const deleted = await conn.send(DELETE, { groupId: 'workers', topics: [{ topicName: 'jobs' }, { topicName: 'other' }, { topicName: 'missing' }] });
    assert.equal(deleted.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      (deleted.responses as Message[]).map((r) => [r.topicName, r.errorCode, r.errorMessage]),
      [
        ['jobs', ErrorCode.NONE, null],
        ['other', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'There is no offset information to delete.'],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
      ],
    );
    assert.deepEqual(await describeOffsets(conn, 'workers', null), []);
    assert.deepEqual(await describeOffsets(conn, 'workers', [{ topicName: 'jobs', partitions: [0] }]), [['jobs', 0, -1, -1]]);
    const again = runShareConsumer(t, program, broker, 'workers', 'jobs', 15, 'accept');
    assert.equal(await again.exited, 0);
    assert.deepEqual(again.received.map((r) => r.offset), Array.from({ length: 15 }, (_, i) => i), 'share.auto.offset.reset (earliest) applies again');
  });

  test('a group with members, an unknown group, another type of group and an empty id are refused as Kafka refuses them, and nothing changes', async (t) => {
    const program = buildLibrdkafkaProgram('share-consume');
    const broker = await startInProcessBroker(t);
    const { conn, admin } = await connect(t, broker);
    await admin.createTopic('held', 1);
    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
    await produce(broker, 'held', ['a', 'b', 'c']);
    const holder = runShareConsumer(t, program, broker, 'workers', 'held', 3, 'hold');
    await holder.sawLine((line) => line === 'held');
    await admin.commitOffsets('classic', [{ topic: 'held', partition: 0, offset: 1 }]);

    const change = [{ topicName: 'held', partitions: [{ partitionIndex: 0, startOffset: 2 }] }];
    const refusals = [
      ['workers', ErrorCode.NON_EMPTY_GROUP],
      ['nobody', ErrorCode.GROUP_ID_NOT_FOUND],
      ['classic', ErrorCode.GROUP_ID_NOT_FOUND],
      ['', ErrorCode.INVALID_GROUP_ID],
    ] as const;
    for (const [groupId, errorCode] of refusals) {
      const altered = await alterOffsets(conn, groupId, change);
      assert.deepEqual([altered.errorCode, altered.responses], [errorCode, []], `alter ${groupId}`);
      const deleted = await conn.send(DELETE, { groupId, topics: [{ topicName: 'held' }] });
      assert.deepEqual([deleted.errorCode, deleted.responses], [errorCode, []], `delete ${groupId}`);
    }
    assert.deepEqual(await describeOffsets(conn, 'workers', null), [['held', 0, 0, 3]], 'the held records are still lag');
    assert.deepEqual(broker.shares.stats('workers').map((s) => s.acquired), [3], 'the holder keeps its records');
    assert.deepEqual(await describeOffsets(conn, 'nobody', null), [], 'describing a group without state is no error');
  });

  test('an altered start offset is stored: after a restart describe reports it, an alter still works, and consumption starts there', async (t) => {
    const program = buildLibrdkafkaProgram('share-consume');
    const dataDir = await makeDataDir(t);
    const port = await freePort();
    const first = await startRestartableBroker(t, dataDir, port);
    const before = await connect(t, first);
    await before.admin.createTopic('durable', 1);
    await before.admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
    await produce(first, 'durable', Array.from({ length: 10 }, (_, i) => `v${i}`));
    assert.equal(await runShareConsumer(t, program, first, 'workers', 'durable', 2, 'accept', { SHARE_CONSUME_MAX_POLL_RECORDS: '2' }).exited, 0);
    const altered = await alterOffsets(before.conn, 'workers', [{ topicName: 'durable', partitions: [{ partitionIndex: 0, startOffset: 6 }] }]);
    assert.equal(altered.responses[0].partitions[0].errorCode, ErrorCode.NONE);
    await first.close();

    const second = await startRestartableBroker(t, dataDir, port);
    const after = await connect(t, second);
    assert.deepEqual(await describeOffsets(after.conn, 'workers', null), [['durable', 0, 6, 4]]);
    const again = await alterOffsets(after.conn, 'workers', [{ topicName: 'durable', partitions: [{ partitionIndex: 0, startOffset: 7 }] }]);
    assert.deepEqual([again.errorCode, again.responses[0].partitions[0].errorCode], [ErrorCode.NONE, ErrorCode.NONE], 'a group known by its stored state alone is an empty share group');
    const consumer = runShareConsumer(t, program, second, 'workers', 'durable', 3, 'accept');
    assert.equal(await consumer.exited, 0);
    assert.deepEqual(consumer.received.map((r) => r.offset), [7, 8, 9]);
  });

  test('share.auto.offset.reset=by_duration starts a new share-partition at the first record of the last duration; a value that is no duration is refused when set', async (t) => {
    const program = buildLibrdkafkaProgram('share-consume');
    const broker = await startInProcessBroker(t);
    const { conn, admin } = await connect(t, broker);
    await admin.createTopic('recent', 1);
    const now = Date.now();
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 'recent', messages: ['old-0', 'old-1', 'old-2'].map((value) => ({ value, timestamp: String(now - 3 * 3_600_000) })) });
    await producer.send({ topic: 'recent', messages: ['new-0', 'new-1'].map((value) => ({ value, timestamp: String(now - 10 * 60_000) })) });
    await producer.disconnect();

    await assert.rejects(admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'by_duration:1h' } }), (err: unknown) => {
      assert.ok(err instanceof KafkaError);
      assert.equal(err.errorCode, ErrorCode.INVALID_CONFIG);
      assert.match(err.message, /share\.auto\.offset\.reset has "1h" after by_duration:, which is no ISO-8601 duration/);
      return true;
    });
    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'by_duration:PT1H' } });
    const consumer = runShareConsumer(t, program, broker, 'workers', 'recent', 2, 'accept');
    assert.equal(await consumer.exited, 0);
    assert.deepEqual(consumer.received.map((r) => [r.offset, r.value]), [[3, 'new-0'], [4, 'new-1']], 'records older than an hour are skipped');
    assert.deepEqual(await describeOffsets(conn, 'workers', null), [['recent', 0, 5, 0]]);
  });
});
