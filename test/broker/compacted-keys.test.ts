// Records without a key on a compacted topic are refused, as Kafka refuses them:
// the whole batch gets INVALID_RECORD (87), with a record error per keyless
// record in Produce v8+ and nothing appended; keyed records, and keyless ones on
// topics that do not compact, are stored as before. kafkajs sends unchanged;
// raw requests pin the v8/v9 record errors and compressed batches.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { Codec } from '../../src/protocol/record-batch.js';
import { type NewRecord, encodeBatch } from '../../src/protocol/records.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';
import { kafkajsErrorType } from '../helpers/client-errors.js';

const { Kafka, logLevel } = kafkajs;
const PRODUCE = { request: ProduceRequest, response: ProduceResponse };

async function setUp(t: TestContext): Promise<{ bootstrap: string; client: KafkaClient; conn: BrokerConnection; logEnd: (topic: string) => number }> {
  const broker = await startInProcessBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic('compacted', 1, { 'cleanup.policy': 'compact' });
  await admin.createTopic('compact-delete', 1, { 'cleanup.policy': 'compact,delete' });
  await admin.createTopic('plain', 1);
  const conn = await client.node((await client.topic('compacted')).partitions[0].leader);
  return { bootstrap: broker.bootstrap, client, conn, logEnd: (topic) => broker.broker.partition(topic, 0)!.logEndOffset };
}

function rec(key: string | null, value: string): NewRecord {
  return { key: key === null ? null : Buffer.from(key), value: Buffer.from(value) };
}

async function produceRaw(conn: BrokerConnection, version: number, topic: string, records: NewRecord[], codec = Codec.None): Promise<Message> {
  const batch = encodeBatch(records, { codec });
  const res = await conn.sendVersion(PRODUCE, version, { transactionalId: null, acks: -1, timeoutMs: 10000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
  return res.responses[0].partitionResponses[0];
}

test('kafkajs: a keyless record to a compacted topic fails with INVALID_RECORD, a keyed one is stored, a batch mixing both is refused whole', async (t) => {
  const { bootstrap, client, logEnd } = await setUp(t);
  const producer = new Kafka({ brokers: [bootstrap], clientId: 'compacted-keys', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer();
  await producer.connect();
  defer(t, () => producer.disconnect());

  await assert.rejects(producer.send({ topic: 'compacted', acks: -1, messages: [{ value: 'no key' }] }), (err) => kafkajsErrorType(err) === 'INVALID_RECORD');
  const [stored] = await producer.send({ topic: 'compacted', acks: -1, messages: [{ key: 'k1', value: 'keyed' }] });
  assert.equal(stored.errorCode, 0);
  assert.equal(stored.baseOffset, '0', 'the refused record took no offset');
  await assert.rejects(
    producer.send({ topic: 'compacted', acks: -1, messages: [{ key: 'k2', value: 'keyed' }, { value: 'keyless' }, { key: 'k3', value: 'keyed' }] }),
    (err) => kafkajsErrorType(err) === 'INVALID_RECORD',
  );
  assert.equal(logEnd('compacted'), 1, 'nothing of the mixed batch was appended');
  assert.deepEqual(
    recordsOf(await readStoredBatches(client, 'compacted', 0)).map((r) => [r.offset, r.key?.toString(), r.value?.toString()]),
    [[0, 'k1', 'keyed']],
  );

  // Only compacting topics refuse: compact,delete does, delete alone does not.
  await assert.rejects(producer.send({ topic: 'compact-delete', acks: -1, messages: [{ value: 'no key' }] }), (err) => kafkajsErrorType(err) === 'INVALID_RECORD');
  const [plain] = await producer.send({ topic: 'plain', acks: -1, messages: [{ value: 'no key' }] });
  assert.equal(plain.errorCode, 0);
});

test('Produce v8 and v9 report a record error per keyless record, with its index in the batch, and an error message', async (t) => {
  const { conn, logEnd } = await setUp(t);
  for (const version of [8, 9]) {
    const p = await produceRaw(conn, version, 'compacted', [rec('a', 'keyed'), rec(null, 'keyless'), rec('', 'empty key is a key'), rec(null, 'keyless too')]);
    assert.equal(p.errorCode, ErrorCode.INVALID_RECORD, `v${version}`);
    assert.equal(Number(p.baseOffset), -1);
    assert.deepEqual(
      p.recordErrors.map((e: Message) => e.batchIndex),
      [1, 3],
      `v${version}: the keyless records, by index`,
    );
    for (const e of p.recordErrors) assert.match(e.batchIndexErrorMessage, /without a key.*compacted/);
    assert.match(p.errorMessage, /2 of the batch's 4 records refused; record 1:/);
  }
  // v7 has no record errors, but the same error code.
  assert.equal((await produceRaw(conn, 7, 'compacted', [rec(null, 'keyless')])).errorCode, ErrorCode.INVALID_RECORD);
  assert.equal(logEnd('compacted'), 0);
});

test('keys are checked inside compressed batches too', async (t) => {
  const { conn, logEnd } = await setUp(t);
  for (const codec of [Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
    const refused = await produceRaw(conn, 9, 'compacted', [rec('a', 'x'.repeat(200)), rec(null, 'y'.repeat(200))], codec);
    assert.equal(refused.errorCode, ErrorCode.INVALID_RECORD, `codec ${codec}`);
    assert.deepEqual(refused.recordErrors.map((e: Message) => e.batchIndex), [1]);
    assert.equal((await produceRaw(conn, 9, 'compacted', [rec('a', 'x'.repeat(200)), rec('b', 'y'.repeat(200))], codec)).errorCode, ErrorCode.NONE, `codec ${codec}`);
  }
  assert.equal(logEnd('compacted'), 8, 'the four keyed batches');
});
