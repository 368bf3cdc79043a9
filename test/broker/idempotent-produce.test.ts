// Idempotent produce over the wire, request by request (Sluice's BrokerConnection,
// no producer library in between): InitProducerId without a transactional id,
// a retried batch answered NONE with its original offset and stored once, a
// sequence gap refused with OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch with
// INVALID_PRODUCER_EPOCH, and a retry recognised after the broker was killed
// (state replayed from the log) or closed cleanly (state from its snapshot).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { InitProducerIdRequest, InitProducerIdResponse } from '../../src/protocol/messages/init-producer-id.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { Codec } from '../../src/protocol/record-batch.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { startBroker } from '../../src/start-broker.js';
import { defer, makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };
const INIT_PRODUCER_ID = { request: InitProducerIdRequest, response: InitProducerIdResponse };

interface Connected {
  client: KafkaClient;
  conn: BrokerConnection;
}

async function connect(t: TestContext, bootstrap: string, topic: string, create = true): Promise<Connected> {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  if (create) await new Admin(client).createTopic(topic, 1);
  return { client, conn: await client.node((await client.topic(topic)).partitions[0].leader) };
}

async function initProducerId(conn: BrokerConnection, version: number, current = { producerId: -1, producerEpoch: -1 }): Promise<Message> {
  return conn.sendVersion(INIT_PRODUCER_ID, version, { transactionalId: null, transactionTimeoutMs: 60000, ...current });
}

function idempotentBatch(producerId: number, producerEpoch: number, baseSequence: number, values: string[], codec = Codec.None): Buffer {
  return encodeBatch(
    values.map((v) => ({ value: Buffer.from(v) })),
    { producerId, producerEpoch, baseSequence, codec },
  );
}

/** One produce of `records` to partition 0; the partition's response. */
async function produce(conn: BrokerConnection, topic: string, records: Buffer): Promise<{ errorCode: number; baseOffset: number }> {
  // The batch is patched in place by an in-process broker's append; send a copy so a retry sends the original bytes.
  const res = await conn.send(PRODUCE, { transactionalId: null, acks: -1, timeoutMs: 10000, topicData: [{ name: topic, partitionData: [{ index: 0, records: Buffer.from(records) }] }] });
  const p = res.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) };
}

async function storedValues(client: KafkaClient, topic: string, minRecords: number): Promise<string[]> {
  return recordsOf(await readStoredBatches(client, topic, 0, { minRecords, timeoutMs: 2000 })).map((r) => r.value!.toString());
}

test('InitProducerId without a transactional id gives fresh ids at epoch 0 (v0 and v4); v3+ naming the current pair bumps the epoch (KIP-360)', async (t) => {
  const broker = await startInProcessBroker(t);
  const { conn } = await connect(t, broker.bootstrap, 'pids');
  const a = await initProducerId(conn, 0);
  const b = await initProducerId(conn, 4);
  assert.deepEqual([a.errorCode, a.producerEpoch, b.errorCode, b.producerEpoch], [0, 0, 0, 0]);
  assert.ok(b.producerId > a.producerId, `ids increase: ${a.producerId} then ${b.producerId}`);
  const bumped = await initProducerId(conn, 3, { producerId: b.producerId, producerEpoch: b.producerEpoch });
  assert.deepEqual([bumped.errorCode, bumped.producerId, bumped.producerEpoch], [0, b.producerId, 1]);
});

test('a retried batch is answered NONE with its original offset and stored once; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER; an old epoch is INVALID_PRODUCER_EPOCH', async (t) => {
  const broker = await startInProcessBroker(t);
  const topic = 'idem';
  const { client, conn } = await connect(t, broker.bootstrap, topic);
  const { producerId } = await initProducerId(conn, 2);

  assert.deepEqual(await produce(conn, topic, encodeBatch([{ value: Buffer.from('plain') }])), { errorCode: 0, baseOffset: 0 });
  const first = idempotentBatch(producerId, 0, 0, ['a', 'b', 'c'], Codec.Gzip);
  assert.deepEqual(await produce(conn, topic, first), { errorCode: 0, baseOffset: 1 });
  assert.deepEqual(await produce(conn, topic, idempotentBatch(producerId, 0, 3, ['d'])), { errorCode: 0, baseOffset: 4 });
  assert.deepEqual(await produce(conn, topic, first), { errorCode: 0, baseOffset: 1 }, 'the retry of the first batch');
  assert.equal(broker.broker.counters.duplicateBatches, 1);

  const gap = await produce(conn, topic, idempotentBatch(producerId, 0, 5, ['f']));
  assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.deepEqual(await produce(conn, topic, idempotentBatch(producerId, 0, 4, ['e'])), { errorCode: 0, baseOffset: 5 });

  // KIP-360 bump: the new epoch starts at sequence 0 and fences the old one.
  const bumped = await initProducerId(conn, 3, { producerId, producerEpoch: 0 });
  assert.equal(bumped.producerEpoch, 1);
  assert.equal((await produce(conn, topic, idempotentBatch(producerId, 1, 1, ['x']))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'a new epoch starts at 0');
  assert.deepEqual(await produce(conn, topic, idempotentBatch(producerId, 1, 0, ['g'])), { errorCode: 0, baseOffset: 6 });
  assert.equal((await produce(conn, topic, idempotentBatch(producerId, 0, 5, ['zombie']))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);

  assert.deepEqual(await storedValues(client, topic, 7), ['plain', 'a', 'b', 'c', 'd', 'e', 'g']);
  assert.equal(broker.broker.partition(topic, 0)?.logEndOffset, 7);
});

test('after kill -9 the producer state is replayed from the log: the retry of the last acknowledged batch is recognised', async (t) => {
  const dataDir = await makeDataDir(t);
  const topic = 'idem-crash';
  const first = await spawnBroker(t, { dataDir });
  const before = await connect(t, first.bootstrap, topic);
  const { producerId } = await initProducerId(before.conn, 2);
  for (let seq = 0; seq < 12; seq += 2) {
    assert.equal((await produce(before.conn, topic, idempotentBatch(producerId, 0, seq, [`v${seq}`, `v${seq + 1}`]))).errorCode, 0);
  }
  const last = idempotentBatch(producerId, 0, 12, ['v12', 'v13'], Codec.Lz4);
  assert.deepEqual(await produce(before.conn, topic, last), { errorCode: 0, baseOffset: 12 });
  await first.kill9();

  const second = await spawnBroker(t, { dataDir });
  const after = await connect(t, second.bootstrap, topic, false);
  assert.deepEqual(await produce(after.conn, topic, last), { errorCode: 0, baseOffset: 12 }, 'the retry after the crash');
  assert.equal((await produce(after.conn, topic, idempotentBatch(producerId, 0, 15, ['gap']))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.deepEqual(await produce(after.conn, topic, idempotentBatch(producerId, 0, 14, ['v14'])), { errorCode: 0, baseOffset: 14 });
  const values = await storedValues(after.client, topic, 15);
  assert.deepEqual(values, Array.from({ length: 15 }, (_, i) => `v${i}`));
});

test('a clean close snapshots the producer state beside the log; the restarted broker recognises the retry from it', async (t) => {
  const dataDir = await makeDataDir(t);
  const topic = 'idem-clean';
  const first = await startBroker({ port: 0, dataDir, logLevel: 'silent' });
  const before = await connect(t, first.bootstrap, topic);
  const { producerId } = await initProducerId(before.conn, 2);
  const batch = idempotentBatch(producerId, 0, 0, ['only']);
  assert.deepEqual(await produce(before.conn, topic, batch), { errorCode: 0, baseOffset: 0 });
  await before.client.close();
  await first.close();
  const snapshots = fs.readdirSync(`${dataDir}/${topic}-0`).filter((n) => n.startsWith('producer-state-'));
  assert.deepEqual(snapshots, ['producer-state-00000000000000000001.json']);

  const second = await startBroker({ port: 0, dataDir, logLevel: 'silent' });
  defer(t, () => second.close());
  const after = await connect(t, second.bootstrap, topic, false);
  assert.deepEqual(await produce(after.conn, topic, batch), { errorCode: 0, baseOffset: 0 });
  assert.equal(second.broker.partition(topic, 0)?.logEndOffset, 1);
});
