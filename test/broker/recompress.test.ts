// compression.type on a topic: batches sent in another codec are stored in the
// topic's (as Kafka's broker recompresses them), with every record byte for
// byte at its offset and the batch header's offsets, timestamps and producer
// fields kept; batches already in that codec, and every batch under
// compression.type=producer, are stored exactly as sent. kcat and kafkajs read
// the recompressed batches back; an idempotent kafkajs producer whose batches
// are recompressed keeps its sequences and has its retries deduplicated.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { type BatchHeader, Codec } from '../../src/protocol/record-batch.js';
import { type NewRecord, decodeBatch, encodeBatch } from '../../src/protocol/records.js';
import { defer, makeDataDir } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js';
import { produceFaultsOn, startRestartableBroker } from '../helpers/restartable-broker.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

const { Kafka, CompressionTypes, logLevel } = kafkajs;
const PRODUCE = { request: ProduceRequest, response: ProduceResponse };
const T0 = Date.now() - 60_000;

await registerKafkajsCodecs();

async function connect(t: TestContext, bootstrap: string, topics: Record<string, Record<string, string>>): Promise<{ client: KafkaClient; conn: BrokerConnection }> {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  for (const [name, configs] of Object.entries(topics)) await admin.createTopic(name, 1, configs);
  return { client, conn: await client.node((await client.topic(Object.keys(topics)[0])).partitions[0].leader) };
}

/** Records with keys, headers, a null value and timestamps out of order, compressible enough that every codec shrinks them. */
function records(tag: string, n: number): NewRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i === 1 ? null : Buffer.from(`${tag}-key-${i}`),
    value: i === 2 ? null : Buffer.from(`${tag} value ${i} ${'abc'.repeat(30 + i)}`),
    headers: [{ key: 'h', value: Buffer.from(`${tag}-${i}`) }],
    timestamp: T0 + ((i * 7) % n) * 1000,
  }));
}

async function produce(conn: BrokerConnection, topic: string, batch: Buffer): Promise<{ errorCode: number; baseOffset: number }> {
  // An in-process broker patches the request's batch in place; send a copy, so `batch` stays as built.
  const res = await conn.send(PRODUCE, { transactionalId: null, acks: -1, timeoutMs: 10000, topicData: [{ name: topic, partitionData: [{ index: 0, records: Buffer.from(batch) }] }] });
  const p = res.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode, baseOffset: Number(p.baseOffset) };
}

/** The header fields a recompression must keep (all but the offsets the broker assigns, the length and the CRC). */
function kept(h: BatchHeader): object {
  const { baseOffset, batchLength, partitionLeaderEpoch, crc, attributes, ...rest } = h;
  return { ...rest, attributesBesidesCodec: attributes & ~0x07 };
}

const view = (r: { offset: number; key: Buffer | null; value: Buffer | null; headers: unknown; timestamp: number }) => ({ offset: r.offset, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });

test('compression.type=lz4 stores uncompressed and gzip batches as lz4, records and headers intact; an lz4 batch is stored as sent; kcat and kafkajs read every record back', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, conn } = await connect(t, broker.bootstrap, { 'to-lz4': { 'compression.type': 'lz4' } });
  const sent = [
    encodeBatch(records('none', 5), { codec: Codec.None }),
    encodeBatch(records('gzip', 4), { codec: Codec.Gzip, producerId: 9, producerEpoch: 0, baseSequence: 0 }),
    encodeBatch(records('lz4', 3), { codec: Codec.Lz4 }),
  ];
  const offsets: number[] = [];
  for (const batch of sent) {
    const r = await produce(conn, 'to-lz4', batch);
    assert.equal(r.errorCode, ErrorCode.NONE);
    offsets.push(r.baseOffset);
  }
  assert.deepEqual(offsets, [0, 5, 9]);

  const stored = await readStoredBatches(client, 'to-lz4', 0, { minRecords: 12 });
  assert.deepEqual(stored.map((b) => b.codec), [Codec.Lz4, Codec.Lz4, Codec.Lz4]);
  // What each batch reads as, at the offset it got.
  const expected = sent.map((batch, b) => {
    const copy = Buffer.from(batch);
    copy.writeBigInt64BE(BigInt(offsets[b]), 0);
    return decodeBatch(copy);
  });
  assert.deepEqual(recordsOf(stored).map(view), expected.flatMap((e) => e.records).map(view));
  stored.forEach((b, i) => assert.deepEqual(kept(b.header), kept(expected[i].header), `batch ${i}: header fields kept`));
  assert.equal(stored[2].header.crc, expected[2].header.crc, 'the lz4 batch is stored as sent (same CRC over the same bytes)');
  assert.notEqual(stored[0].header.crc, expected[0].header.crc);

  // What a reader must see: offset|key|value|timestamp per record.
  const line = (r: NewRecord, offset: number) => `${offset}|${r.key?.toString() ?? 'NULL'}|${r.value?.toString() ?? 'NULL'}|${r.timestamp}`;
  const lines = [records('none', 5), records('gzip', 4), records('lz4', 3)].flatMap((rs, b) => rs.map((r, i) => line(r, offsets[b] + i)));

  await t.test('kcat (librdkafka) reads offsets, keys, values and timestamps back', skipUnless(kcat), async () => {
    const out = await runOk(KCAT, ['-C', '-b', broker.bootstrap, '-t', 'to-lz4', '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20', '-Z', '-f', '%o|%k|%s|%T\n']);
    assert.equal(out.stdout.toString(), `${lines.join('\n')}\n`);
  });

  // kafkajs (its lz4 decoder is lz4js, not Sluice's codec) reads the same.
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'recompress', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'recompress-readback', maxWaitTimeInMs: 50 });
  defer(t, () => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: 'to-lz4', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(`${message.offset}|${message.key?.toString() ?? 'NULL'}|${message.value?.toString() ?? 'NULL'}|${message.timestamp}`);
        if (got.length === lines.length) resolve();
      },
    });
  });
  // Leave the group while the broker is still up (it closes before deferred cleanups run).
  await consumer.disconnect();
  assert.deepEqual(got, lines);
});

test('compression.type=producer (the default, or set) stores every codec as sent', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, conn } = await connect(t, broker.bootstrap, { 'by-default': {}, 'as-producer': { 'compression.type': 'producer' } });
  const codecs = [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd];
  for (const topic of ['by-default', 'as-producer']) {
    const sent = codecs.map((codec) => encodeBatch(records(`c${codec}`, 3), { codec }));
    for (const batch of sent) assert.equal((await produce(conn, topic, batch)).errorCode, ErrorCode.NONE);
    const stored = await readStoredBatches(client, topic, 0, { minRecords: 15 });
    assert.deepEqual(stored.map((b) => b.codec), codecs, topic);
    assert.deepEqual(stored.map((b) => b.header.crc), sent.map((b) => b.readUInt32BE(17)), `${topic}: the bytes as sent`);
  }
});

test('an idempotent kafkajs producer whose batches are recompressed (gzip to zstd): lost acknowledgements are retried and stored once, sequences unbroken', async (t) => {
  const topic = 'to-zstd';
  const faults = produceFaultsOn(topic, (n) => (n % 3 === 0 ? 'close' : 'send'));
  const broker = await startRestartableBroker(t, await makeDataDir(t, 'sluice-recompress-'), 0, faults);
  const { client } = await connect(t, broker.bootstrap, { [topic]: { 'compression.type': 'zstd' } });
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'recompress-idempotent', logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, maxRetryTime: 500 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());

  const sent: string[] = [];
  for (let s = 0; s < 12; s++) {
    const values = Array.from({ length: 1 + (s % 3) }, (_, i) => `send ${s} record ${i} ${'z'.repeat(50)}`);
    const [meta] = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: values.map((value) => ({ value })) });
    assert.equal(Number(meta.baseOffset), sent.length, `send ${s} answered with the offset of its first record`);
    sent.push(...values);
  }

  const stored = await readStoredBatches(client, topic, 0, { minRecords: sent.length });
  assert.deepEqual(recordsOf(stored).map((r) => [r.offset, r.value?.toString()]), sent.map((v, i) => [i, v]), 'each record once, in order');
  assert.deepEqual([...new Set(stored.map((b) => b.codec))], [Codec.Zstd]);
  let next = 0;
  for (const b of stored) {
    assert.equal(b.header.baseSequence, next, `batch at ${b.header.baseOffset} continues the sequence`);
    next += b.header.recordCount;
  }
  const lost = Math.floor(faults.seen() / 3);
  assert.ok(lost >= 3, `acknowledgements were lost (${lost})`);
  assert.equal(broker.broker.counters.duplicateBatches, lost, 'every retry was recognised as a duplicate');
});

test('compression.type=uncompressed stores batches decompressed; one grown past max.message.bytes is refused with MESSAGE_TOO_LARGE', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, conn } = await connect(t, broker.bootstrap, { plain: { 'compression.type': 'uncompressed', 'max.message.bytes': '4096' } });
  assert.equal((await produce(conn, 'plain', encodeBatch(records('small', 3), { codec: Codec.Snappy }))).errorCode, ErrorCode.NONE);
  const big = encodeBatch([{ value: Buffer.alloc(8000, 'a') }], { codec: Codec.Gzip });
  assert.ok(big.length < 4096, `the gzip batch (${big.length} bytes) fits max.message.bytes as sent`);
  assert.equal((await produce(conn, 'plain', big)).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  assert.equal(broker.broker.partition('plain', 0)?.logEndOffset, 3);
  const stored = await readStoredBatches(client, 'plain', 0, { minRecords: 3 });
  assert.deepEqual(stored.map((b) => b.codec), [Codec.None]);
  assert.deepEqual(recordsOf(stored).map((r) => r.value?.toString() ?? null), records('small', 3).map((r) => r.value?.toString() ?? null));
});

test('compression.gzip.level and compression.zstd.level reach the compressor', async (t) => {
  const broker = await startInProcessBroker(t);
  const topics = {
    'gzip-1': { 'compression.type': 'gzip', 'compression.gzip.level': '1' },
    'gzip-9': { 'compression.type': 'gzip', 'compression.gzip.level': '9' },
    'zstd-1': { 'compression.type': 'zstd', 'compression.zstd.level': '1' },
    'zstd-19': { 'compression.type': 'zstd', 'compression.zstd.level': '19' },
  };
  const { client, conn } = await connect(t, broker.bootstrap, topics);
  // Text with long-range repeats that the higher levels find and the lowest do not.
  const text = Array.from({ length: 400 }, (_, i) => `line ${i % 37} of ${(i * 7919) % 101} ${['alpha', 'beta', 'gamma', 'delta'][i % 4]}`).join('\n');
  const batch = encodeBatch([{ value: Buffer.from(text) }]);
  const sizes: Record<string, number> = {};
  for (const topic of Object.keys(topics)) {
    assert.equal((await produce(conn, topic, batch)).errorCode, ErrorCode.NONE);
    const [stored] = await readStoredBatches(client, topic, 0);
    assert.equal(stored.records[0].value?.toString(), text);
    sizes[topic] = stored.header.batchLength;
  }
  assert.ok(sizes['gzip-9'] < sizes['gzip-1'], `gzip level 9 (${sizes['gzip-9']} bytes) beats level 1 (${sizes['gzip-1']})`);
  assert.ok(sizes['zstd-19'] < sizes['zstd-1'], `zstd level 19 (${sizes['zstd-19']} bytes) beats level 1 (${sizes['zstd-1']})`);
});
