// Timestamp bounds on CreateTime topics (KIP-937): a record whose timestamp lies
// more than message.timestamp.before.max.ms before the broker's clock, or more
// than message.timestamp.after.max.ms (default 1 hour, as in Kafka 4.0) after
// it, makes its batch fail with INVALID_TIMESTAMP (32), with a record error per
// such record in Produce v8+; the deprecated message.timestamp.difference.max.ms
// stands in for a bound the topic does not set; LogAppendTime topics ignore the
// bounds. kafkajs and @platformatic/kafka produce unchanged; raw requests pin
// the record errors.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ProduceAcks, Producer as PlatformaticProducer } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { type NewRecord, encodeBatch } from '../../src/protocol/records.js';
import { defer } from '../helpers/broker-process.js';
import { kafkajsErrorType, platformaticErrorIds } from '../helpers/client-errors.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';

const { Kafka, logLevel } = kafkajs;
const PRODUCE = { request: ProduceRequest, response: ProduceResponse };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const TOPICS: Record<string, Record<string, string>> = {
  'before-1m': { 'message.timestamp.before.max.ms': String(MINUTE) },
  'log-append-time': { 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.before.max.ms': String(MINUTE), 'message.timestamp.after.max.ms': '0' },
  defaults: {},
  'difference-1m': { 'message.timestamp.difference.max.ms': String(MINUTE) },
  'difference-1m-before-1h': { 'message.timestamp.difference.max.ms': String(MINUTE), 'message.timestamp.before.max.ms': String(HOUR) },
  'compacted-before-1m': { 'message.timestamp.before.max.ms': String(MINUTE), 'cleanup.policy': 'compact' },
};

interface Setup {
  bootstrap: string;
  client: KafkaClient;
  conn: BrokerConnection;
  logEnd: (topic: string) => number;
}

async function setUp(t: TestContext): Promise<Setup> {
  const broker = await startInProcessBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  for (const [name, configs] of Object.entries(TOPICS)) await admin.createTopic(name, 1, configs);
  const conn = await client.node((await client.topic('defaults')).partitions[0].leader);
  return { bootstrap: broker.bootstrap, client, conn, logEnd: (topic) => broker.broker.partition(topic, 0)!.logEndOffset };
}

function kafkajsProducer(t: TestContext, bootstrap: string) {
  const producer = new Kafka({ brokers: [bootstrap], clientId: 'timestamp-bounds', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer();
  defer(t, () => producer.disconnect());
  return producer;
}

async function produceRaw(conn: BrokerConnection, topic: string, records: NewRecord[]): Promise<Message> {
  const res = await conn.send(PRODUCE, { transactionalId: null, acks: -1, timeoutMs: 10000, topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeBatch(records) }] }] });
  return res.responses[0].partitionResponses[0];
}

const at = (timestamp: number, key = 'k'): NewRecord => ({ key: Buffer.from(key), value: Buffer.from(`at ${timestamp}`), timestamp });

test('kafkajs: a timestamp older than before.max.ms fails with INVALID_TIMESTAMP, one within it is stored; a LogAppendTime topic ignores the bounds', async (t) => {
  const { bootstrap, client, logEnd } = await setUp(t);
  const producer = kafkajsProducer(t, bootstrap);
  await producer.connect();
  const send = (topic: string, timestamp: number) => producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v', timestamp: String(timestamp) }] });

  await assert.rejects(send('before-1m', Date.now() - 10 * MINUTE), (err) => kafkajsErrorType(err) === 'INVALID_TIMESTAMP');
  const withinBound = Date.now() - 10_000;
  const [ok] = await send('before-1m', withinBound);
  assert.equal(ok.errorCode, 0);
  assert.equal(ok.baseOffset, '0', 'the refused record took no offset');
  assert.deepEqual(recordsOf(await readStoredBatches(client, 'before-1m', 0)).map((r) => r.timestamp), [withinBound]);

  // Bounds that would refuse both of these (before 1 minute, after 0) do not apply under LogAppendTime.
  const before = Date.now();
  await send('log-append-time', before - 10 * HOUR);
  await send('log-append-time', before + 10 * HOUR);
  const stamped = recordsOf(await readStoredBatches(client, 'log-append-time', 0, { minRecords: 2 })).map((r) => r.timestamp);
  assert.equal(stamped.length, 2);
  for (const ts of stamped) assert.ok(ts >= before && ts <= Date.now(), `the broker's append time ${ts} replaced the producer's`);
  assert.equal(logEnd('before-1m'), 1);
});

test('@platformatic/kafka: a timestamp older than before.max.ms fails with INVALID_TIMESTAMP, one within it is stored', async (t) => {
  const { bootstrap, logEnd } = await setUp(t);
  const producer = new PlatformaticProducer({ clientId: 'timestamp-bounds', bootstrapBrokers: [bootstrap], retries: 0 });
  defer(t, () => producer.close());
  const send = (timestamp: number) =>
    producer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'before-1m', partition: 0, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: BigInt(timestamp) }] });

  // platformatic reports the partition's error after one per record error.
  await assert.rejects(send(Date.now() - HOUR), (err) => platformaticErrorIds(err).includes('INVALID_TIMESTAMP'));
  await send(Date.now());
  assert.equal(logEnd('before-1m'), 1);
});

test('by default old timestamps pass and after.max.ms is 1 hour; the deprecated difference.max.ms bounds both sides the topic leaves unset', async (t) => {
  const { conn, logEnd } = await setUp(t);
  const now = Date.now();
  const cases: [topic: string, timestamp: number, errorCode: number][] = [
    ['defaults', Date.UTC(2001, 0, 1), ErrorCode.NONE],
    ['defaults', now + 30 * MINUTE, ErrorCode.NONE],
    ['defaults', now + 2 * HOUR, ErrorCode.INVALID_TIMESTAMP],
    ['difference-1m', now - 10 * MINUTE, ErrorCode.INVALID_TIMESTAMP],
    ['difference-1m', now + 10 * MINUTE, ErrorCode.INVALID_TIMESTAMP],
    ['difference-1m', now - 10_000, ErrorCode.NONE],
    ['difference-1m-before-1h', now - 10 * MINUTE, ErrorCode.NONE],
    ['difference-1m-before-1h', now + 10 * MINUTE, ErrorCode.INVALID_TIMESTAMP],
  ];
  for (const [topic, timestamp, errorCode] of cases) {
    assert.equal((await produceRaw(conn, topic, [at(timestamp)])).errorCode, errorCode, `${topic}: ${timestamp - now} ms from now`);
  }
  assert.deepEqual(['defaults', 'difference-1m', 'difference-1m-before-1h'].map(logEnd), [2, 1, 1]);
});

test('record errors name each record out of bounds; records without a timestamp pass; INVALID_TIMESTAMP wins over a missing key', async (t) => {
  const { conn, logEnd } = await setUp(t);
  const now = Date.now();
  const p = await produceRaw(conn, 'before-1m', [at(now), at(now - HOUR), at(now + 1000), at(now + 3 * HOUR)]);
  assert.equal(p.errorCode, ErrorCode.INVALID_TIMESTAMP);
  assert.deepEqual(p.recordErrors.map((e: Message) => e.batchIndex), [1, 3]);
  assert.match(p.recordErrors[0].batchIndexErrorMessage, new RegExp(`timestamp ${now - HOUR} is out of range`));
  assert.match(p.errorMessage, /2 of the batch's 4 records refused/);

  assert.equal((await produceRaw(conn, 'before-1m', [at(-1), at(-1)])).errorCode, ErrorCode.NONE, 'NO_TIMESTAMP (-1) is never out of bounds');

  const both = await produceRaw(conn, 'compacted-before-1m', [{ key: null, value: Buffer.from('keyless'), timestamp: now }, at(now - HOUR)]);
  assert.equal(both.errorCode, ErrorCode.INVALID_TIMESTAMP);
  assert.deepEqual(
    both.recordErrors.map((e: Message) => [e.batchIndex, /key/.test(e.batchIndexErrorMessage) ? 'key' : 'timestamp']),
    [
      [0, 'key'],
      [1, 'timestamp'],
    ],
  );
  assert.deepEqual([logEnd('before-1m'), logEnd('compacted-before-1m')], [2, 0]);
});
