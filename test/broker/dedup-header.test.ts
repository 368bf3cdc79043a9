// Deduplication by header (topic configs dedup.header, dedup.window.ms): a
// record whose message id was accepted on the partition within the window is
// dropped by the broker and the produce still succeeds; the window survives a
// clean restart (snapshot) and a kill -9 (snapshot plus the log after it, or
// the log alone when no snapshot was ever written), and lets the
// id through again once it has passed. Requests are sent with Sluice's
// BrokerConnection, so each test controls exactly what each batch holds.

import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { Codec } from '../../src/protocol/record-batch.js';
import { type NewRecord, encodeBatch } from '../../src/protocol/records.js';
import { startBroker } from '../../src/start-broker.js';
import { defer, makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { type StoredBatch, readStoredBatches, recordsOf } from '../helpers/stored-batches.js';

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };
const TOPIC = 'orders';

interface Connected {
  client: KafkaClient;
  conn: BrokerConnection;
}

async function connect(t: TestContext, bootstrap: string, configs: Record<string, string> | null): Promise<Connected> {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  if (configs) await new Admin(client).createTopic(TOPIC, 1, configs);
  return { client, conn: await client.node((await client.topic(TOPIC)).partitions[0].leader) };
}

function msg(id: string | null, value: string): NewRecord {
  return { value: Buffer.from(value), headers: id === null ? [{ key: 'other', value: Buffer.from('x') }] : [{ key: 'trace', value: null }, { key: 'message-id', value: Buffer.from(id) }] };
}

async function produce(conn: BrokerConnection, records: NewRecord[], opts: { codec?: Codec; producerId?: number; baseSequence?: number } = {}): Promise<{ errorCode: number; baseOffset: number }> {
  const batch = encodeBatch(records, { codec: opts.codec, producerId: opts.producerId, producerEpoch: opts.producerId === undefined ? -1 : 0, baseSequence: opts.baseSequence });
  const res = await conn.send(PRODUCE, { transactionalId: null, acks: -1, timeoutMs: 10000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }] });
  const p = res.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) };
}

async function stored(client: KafkaClient, minRecords: number): Promise<{ batches: StoredBatch[]; records: [number, string][] }> {
  const batches = await readStoredBatches(client, TOPIC, 0, { minRecords, timeoutMs: 1500 });
  return { batches, records: recordsOf(batches).map((r) => [r.offset, r.value!.toString()]) };
}

test('the same message id twice is stored once; the second produce succeeds with the first copy offset; a counter and a diagnostics message count the drop', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, conn } = await connect(t, broker.bootstrap, { 'dedup.header': 'message-id' });
  const drops: unknown[] = [];
  const onDrop = (m: unknown) => drops.push(m);
  subscribe('sluice:dedup:drop', onDrop);
  t.after(() => unsubscribe('sluice:dedup:drop', onDrop));

  assert.deepEqual(await produce(conn, [msg('m-1', 'first')]), { errorCode: 0, baseOffset: 0 });
  assert.deepEqual(await produce(conn, [msg(null, 'no id'), msg(null, 'no id')]), { errorCode: 0, baseOffset: 1 }, 'records without the header are never dropped');
  assert.deepEqual(await produce(conn, [msg('m-1', 'second copy')]), { errorCode: 0, baseOffset: 0 });
  assert.deepEqual(drops, [{ topic: TOPIC, partition: 0, dropped: 1 }]);
  assert.equal(broker.broker.counters.dedupDroppedRecords, 1);

  // A batch mixing a copy, a new id and a repeat inside the batch keeps the new record at base + index.
  const mixed = await produce(conn, [msg('m-2', 'new'), msg('m-1', 'third copy'), msg('m-2', 'repeat in batch'), msg('m-3', 'also new')], { codec: Codec.Lz4 });
  assert.deepEqual(mixed, { errorCode: 0, baseOffset: 3 });
  assert.equal(broker.broker.counters.dedupDroppedRecords, 3);
  const { batches, records } = await stored(client, 5);
  assert.deepEqual(records, [
    [0, 'first'],
    [1, 'no id'],
    [2, 'no id'],
    [3, 'new'],
    [6, 'also new'],
  ]);
  assert.equal(batches.at(-1)?.codec, Codec.Lz4, 'the rebuilt batch keeps its codec');
  assert.equal(broker.broker.partition(TOPIC, 0)?.logEndOffset, 7, 'dropped records leave offset gaps, as compaction does');
  assert.deepEqual(await produce(conn, [msg('m-4', 'after the gap')]), { errorCode: 0, baseOffset: 7 });
});

test('topics without dedup.header store every copy', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, conn } = await connect(t, broker.bootstrap, {});
  await produce(conn, [msg('m-1', 'a')]);
  await produce(conn, [msg('m-1', 'b')]);
  assert.deepEqual((await stored(client, 2)).records, [
    [0, 'a'],
    [1, 'b'],
  ]);
  assert.equal(broker.broker.counters.dedupDroppedRecords, 0);
});

test('an idempotent batch whose records are all copies keeps its sequence range in the log, so the producer goes on in sequence', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, conn } = await connect(t, broker.bootstrap, { 'dedup.header': 'message-id' });
  assert.deepEqual(await produce(conn, [msg('a', '1'), msg('b', '2')], { producerId: 40, baseSequence: 0 }), { errorCode: 0, baseOffset: 0 });
  // Copies under new sequences (an application-level resend): dropped, but the range 2-3 is taken.
  assert.deepEqual(await produce(conn, [msg('a', '1 again'), msg('b', '2 again')], { producerId: 40, baseSequence: 2, codec: Codec.Gzip }), { errorCode: 0, baseOffset: 2 });
  assert.deepEqual(await produce(conn, [msg('c', '3')], { producerId: 40, baseSequence: 4 }), { errorCode: 0, baseOffset: 4 });
  const { batches, records } = await stored(client, 3);
  assert.deepEqual(records, [
    [0, '1'],
    [1, '2'],
    [4, '3'],
  ]);
  assert.deepEqual(
    batches.map((b) => [b.header.baseOffset, b.header.recordCount, b.header.baseSequence]),
    [
      [0, 2, 0],
      [2, 0, 2],
      [4, 1, 4],
    ],
  );
});

test('the window survives a clean restart (snapshot) and a kill -9 (snapshot plus the log written after it)', async (t) => {
  const dataDir = await makeDataDir(t);
  const inProcess = await startBroker({ port: 0, dataDir, logLevel: 'silent' });
  const a = await connect(t, inProcess.bootstrap, { 'dedup.header': 'message-id' });
  await produce(a.conn, [msg('m-1', 'one')]);
  await a.client.close();
  await inProcess.close();

  const reopened = await startBroker({ port: 0, dataDir, logLevel: 'silent' });
  const b = await connect(t, reopened.bootstrap, null);
  assert.deepEqual(await produce(b.conn, [msg('m-1', 'copy after clean restart')]), { errorCode: 0, baseOffset: 0 });
  await produce(b.conn, [msg('m-2', 'two')]);
  await b.client.close();
  await reopened.close();

  // This broker is killed before a snapshot holds m-3: the window is the close's snapshot plus the log after it.
  const child = await spawnBroker(t, { dataDir });
  const c = await connect(t, child.bootstrap, null);
  await produce(c.conn, [msg('m-3', 'three')]);
  await child.kill9();

  const last = await spawnBroker(t, { dataDir });
  const d = await connect(t, last.bootstrap, null);
  for (const id of ['m-1', 'm-2', 'm-3']) assert.equal((await produce(d.conn, [msg(id, `copy of ${id}`)])).errorCode, 0);
  assert.deepEqual(await produce(d.conn, [msg('m-4', 'four')]), { errorCode: 0, baseOffset: 3 });
  assert.deepEqual((await stored(d.client, 4)).records, [
    [0, 'one'],
    [1, 'two'],
    [2, 'three'],
    [3, 'four'],
  ]);
});

test('without any snapshot (killed before the first one), the window is rebuilt from the records in the log', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await spawnBroker(t, { dataDir });
  const a = await connect(t, first.bootstrap, { 'dedup.header': 'message-id' });
  await produce(a.conn, [msg('m-1', 'one'), msg('m-2', 'two')], { codec: Codec.Zstd });
  await first.kill9();

  const second = await spawnBroker(t, { dataDir });
  const b = await connect(t, second.bootstrap, null);
  assert.deepEqual(await produce(b.conn, [msg('m-2', 'copy')]), { errorCode: 0, baseOffset: 1 });
  assert.deepEqual(await produce(b.conn, [msg('m-3', 'three')]), { errorCode: 0, baseOffset: 2 });
  assert.deepEqual((await stored(b.client, 3)).records, [
    [0, 'one'],
    [1, 'two'],
    [2, 'three'],
  ]);
});

test('once dedup.window.ms has passed, the same id is accepted again', async (t) => {
  const windowMs = 300;
  const broker = await startInProcessBroker(t);
  const { client, conn } = await connect(t, broker.bootstrap, { 'dedup.header': 'message-id', 'dedup.window.ms': String(windowMs) });
  const acceptedBefore = Date.now();
  await produce(conn, [msg('m-1', 'first')]);
  assert.deepEqual(await produce(conn, [msg('m-1', 'inside the window')]), { errorCode: 0, baseOffset: 0 });
  // The feature under test is a span of time: wait it out.
  await new Promise((resolve) => setTimeout(resolve, acceptedBefore + windowMs + 50 - Date.now()));
  assert.deepEqual(await produce(conn, [msg('m-1', 'after the window')]), { errorCode: 0, baseOffset: 1 });
  assert.deepEqual(await produce(conn, [msg('m-1', 'inside the new window')]), { errorCode: 0, baseOffset: 1 });
  assert.deepEqual((await stored(client, 2)).records, [
    [0, 'first'],
    [1, 'after the window'],
  ]);
});
