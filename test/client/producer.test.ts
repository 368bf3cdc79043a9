// The Producer against a real broker over TCP: records sent without waiting
// keep their order per key and are batched (few requests); what it writes is
// read byte for byte (key, value, headers, timestamp) by kcat and kafkajs,
// with every codec and acks level; keyless records stick to one partition per
// batch (KIP-480); batches encoded into recycled buffers read back intact; its
// buffer never holds more than bufferBytes while the broker does not answer;
// and it refuses records it cannot place.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient, KafkaError } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { Producer, type ProducerRecord, type RecordMetadata } from '../../src/client/producer.js';
import { systemClock } from '../../src/clock.js';
import { partitionForKey } from '../../src/protocol/murmur2.js';
import { Codec } from '../../src/protocol/record-batch.js';
import type { StartOptions } from '../../src/start-broker.js';
import { readPartition } from '../broker/read-back.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, makeDataDir, waitFor } from '../helpers/broker-process.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js';
import { produceFaultsOn, startRestartableBroker } from '../helpers/restartable-broker.js';
import { runOk } from '../interop/run-command.js';

const { Kafka, logLevel } = kafkajs;
const T0 = 1_700_000_000_000;
// Before anything compresses: instantiating the zstd WASM module again after it was used leaves kafkajs's zstd reading zeros.
await registerKafkajsCodecs();

/** A broker and a client; clients registered with `defer` close before the broker (one t.after, registered first). */
async function setUp(t: TestContext, options: StartOptions = {}): Promise<{ bootstrap: string; client: KafkaClient; admin: Admin }> {
  defer(t, () => {});
  const broker = await startTestBroker(t, options);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { bootstrap: broker.bootstrap, client, admin: new Admin(client) };
}

test('records sent without waiting keep their order per key, in few requests', async (t) => {
  const faults = produceFaultsOn('ordered', () => 'send');
  const { client, admin } = await setUp(t, { faults });
  await admin.createTopic('ordered', 4);
  const producer = new Producer(client, { lingerMs: 5 });
  const sends: Promise<RecordMetadata>[] = [];
  const sent: ProducerRecord[] = [];
  for (let i = 0; i < 3000; i++) {
    const record = { key: Buffer.from(`key-${i % 20}`), value: Buffer.from(`${i}`) };
    sent.push(record);
    sends.push(producer.send('ordered', record));
  }
  await producer.flush();
  const delivered = await Promise.all(sends);
  const lastOffset = new Map<string, number>();
  delivered.forEach((m, i) => {
    const key = (sent[i].key as Buffer).toString();
    assert.equal(m.partition, partitionForKey(sent[i].key as Buffer, 4), `${key} goes where murmur2 puts it`);
    assert.ok(m.offset > (lastOffset.get(key) ?? -1), `record ${i} comes after the previous one of ${key}`);
    lastOffset.set(key, m.offset);
  });
  for (let p = 0; p < 4; p++) {
    const expected = delivered
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => m.partition === p)
      .map(({ m, i }) => ({ offset: m.offset, key: (sent[i].key as Buffer).toString(), value: `${i}` }));
    assert.deepEqual(await readPartition(client, admin, 'ordered', p, 0), expected, `partition ${p}`);
  }
  assert.ok(faults.seen() < 100, `3000 records went in ${faults.seen()} requests`);
  await producer.close();
});

test('sendBatch sends its records without lingering, each record told its own offset', { timeout: 20_000 }, async (t) => {
  const { client, admin } = await setUp(t);
  await admin.createTopic('unlingered', 1);
  // A linger no test waits out: only sending at the end of each call lets these calls resolve.
  const producer = new Producer(client, { lingerMs: 600_000 });
  defer(t, () => producer.close());
  const value = Buffer.from('v');
  // The first calls wait for the topic's metadata; the later ones find it cached and append at once.
  for (const first of [0, 400]) {
    const calls = [0, 1, 2, 3].map((c) => producer.sendBatch('unlingered', Array.from({ length: 100 }, (_, i) => ({ value, timestamp: T0 + c * 1000 + (i < 50 ? 0 : 1) }))));
    const answered = (await Promise.all(calls)).flatMap((sent) => [...sent]);
    assert.deepEqual(
      answered.map((m) => m.offset),
      Array.from({ length: 400 }, (_, i) => first + i),
      'offsets follow the calls and their records',
    );
    assert.deepEqual(
      answered.map((m) => m.timestamp),
      answered.map((_, i) => T0 + Math.floor(i / 100) * 1000 + (i % 100 < 50 ? 0 : 1)),
      'each record keeps its own timestamp',
    );
  }
});

test('batches encoded into the buffers of earlier answered batches read back byte for byte', async (t) => {
  const { client, admin } = await setUp(t);
  await admin.createTopic('reused', 1);
  // Small batches, each round answered before the next: later batches are encoded into recycled buffers.
  const producer = new Producer(client, { batchBytes: 4096, lingerMs: 0 });
  const values: string[] = [];
  for (let round = 0; round < 20; round++) {
    const records = Array.from({ length: 50 }, (_, i) => {
      const value = `${round}/${i}:${'xyz'.repeat((round * 7 + i) % 40)}`;
      values.push(value);
      return { value: Buffer.from(value) };
    });
    await producer.sendBatch('reused', records);
  }
  await producer.close();
  const read = await readPartition(client, admin, 'reused', 0, 0);
  assert.deepEqual(
    read.map((r) => r.value),
    values,
  );
});

const CODECS: [Codec, number][] = [
  [Codec.None, -1],
  [Codec.Gzip, 1],
  [Codec.Snappy, 0],
  [Codec.Lz4, -1],
  [Codec.Zstd, 1],
];

function sample(codec: Codec, i: number): ProducerRecord {
  return {
    partition: 0,
    key: i % 3 === 0 ? null : Buffer.from(`key ${codec}/${i} ü`),
    value: Buffer.from(`value ${i} of codec ${codec}: grüße € ${'abc'.repeat(i * 7)}`),
    headers: i % 2 === 0 ? [{ key: 'trace', value: Buffer.from(`t-${i}`) }, { key: 'hop', value: Buffer.from('two') }] : [],
    timestamp: T0 + i * 1000,
  };
}

test('kcat and kafkajs read what the producer wrote byte for byte, with every codec and acks level', skipUnless(kcat), async (t) => {
  const { bootstrap, client, admin } = await setUp(t);
  const expected: { topic: string; record: ProducerRecord; offset: number }[] = [];
  for (const [codec, acks] of CODECS) {
    const topic = `exact-${codec}`;
    await admin.createTopic(topic, 1);
    const producer = new Producer(client, { codec, acks: acks as 0 | 1 | -1 });
    const records = Array.from({ length: 12 }, (_, i) => sample(codec, i));
    const delivered = [...(await producer.sendBatch(topic, records))];
    await producer.close();
    assert.deepEqual(
      delivered.map((m) => [m.topic, m.partition, m.offset, m.timestamp]),
      records.map((r, i) => [topic, 0, acks === 0 ? -1 : i, r.timestamp]),
    );
    records.forEach((record, offset) => expected.push({ topic, record, offset }));
  }
  // acks=0 gets no answer: wait until its records are readable before reading them.
  await waitFor('the acks=0 records', async () => (await readPartition(client, admin, `exact-${Codec.Snappy}`, 0, 0)).length === 12);

  for (const [codec] of CODECS) {
    const topic = `exact-${codec}`;
    const out = await runOk(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-J', '-X', 'fetch.wait.max.ms=20']);
    const read = out.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      read.map((m) => ({ offset: m.offset, ts: m.ts, key: m.key, payload: m.payload, headers: m.headers ?? [] })),
      expected
        .filter((e) => e.topic === topic)
        .map(({ record, offset }) => ({
          offset,
          ts: record.timestamp,
          key: record.key?.toString() ?? null,
          payload: record.value?.toString(),
          headers: (record.headers ?? []).flatMap((h) => [h.key, h.value?.toString()]),
        })),
      `kcat reads codec ${codec}`,
    );
  }

  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'exact', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'exact-reader' });
  defer(t, () => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topics: CODECS.map(([codec]) => `exact-${codec}`), fromBeginning: true });
  const seen: { topic: string; offset: number; key: Buffer | null; value: Buffer | null; timestamp: number; headers: [string, string][] }[] = [];
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      seen.push({
        topic,
        offset: Number(message.offset),
        key: message.key,
        value: message.value,
        timestamp: Number(message.timestamp),
        headers: Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      });
    },
  });
  await waitFor('kafkajs to read every record', () => seen.length >= expected.length, 30_000);
  const byPlace = (a: { topic: string; offset: number }, b: { topic: string; offset: number }) => a.topic.localeCompare(b.topic) || a.offset - b.offset;
  assert.deepEqual(
    seen.sort(byPlace),
    expected
      .map(({ topic, record, offset }) => ({
        topic,
        offset,
        key: record.key ?? null,
        value: record.value,
        timestamp: record.timestamp,
        headers: (record.headers ?? []).map((h): [string, string] => [h.key, String(h.value)]),
      }))
      .sort(byPlace),
  );
});

test('an idempotent producer whose acknowledgements are lost with their connection neither loses nor duplicates a record', async (t) => {
  // Every fourth Produce request is appended, then its connection closes before the answer.
  const faults = produceFaultsOn('exactly-once', (n) => (n % 4 === 2 ? 'close' : 'send'));
  const { client, admin } = await setUp(t, { faults });
  await admin.createTopic('exactly-once', 3);
  const producer = new Producer(client, { lingerMs: 2, retryBackoffMs: 20 });
  defer(t, () => producer.close());
  const sent: ProducerRecord[] = [];
  const delivered: RecordMetadata[] = [];
  for (let round = 0; round < 30; round++) {
    const records = Array.from({ length: 100 }, (_, i) => ({ key: Buffer.from(`k${i % 30}`), value: Buffer.from(`${round * 100 + i}`) }));
    sent.push(...records);
    // Half awaited one by one, half at once: requests in flight together fail together.
    delivered.push(...(await producer.sendBatch('exactly-once', records.slice(0, 50))));
    delivered.push(...(await Promise.all(records.slice(50).map((r) => producer.send('exactly-once', r)))));
  }
  assert.ok(faults.seen() >= 8, `the fault hit several requests (${faults.seen()} seen)`);
  for (let p = 0; p < 3; p++) {
    const expected = delivered
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => m.partition === p)
      .map(({ m, i }) => ({ offset: m.offset, key: (sent[i].key as Buffer).toString(), value: `${i}` }));
    assert.deepEqual(await readPartition(client, admin, 'exactly-once', p, 0), expected, `partition ${p}: each record once, in order, at the offset reported`);
  }
});

test('a broker restart between a write and its retry: the retry is recognised, nothing lost or duplicated', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-producer-');
  let withheld!: () => void;
  const acknowledgementLost = new Promise<void>((resolve) => (withheld = resolve));
  const faults = produceFaultsOn('restarted', (n) => {
    if (n !== 5) return 'send';
    withheld();
    return 'withhold';
  });
  const first = await startRestartableBroker(t, dataDir, 0, faults);
  const client = new KafkaClient({ bootstrap: first.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic('restarted', 1);
  const producer = new Producer(client, { lingerMs: 1, retryBackoffMs: 50 });
  defer(t, () => producer.close());
  const sent: { value: string; offset: number }[] = [];
  const sending = (async () => {
    for (let s = 0; s < 10; s++) {
      const values = [`send ${s} a`, `send ${s} b`];
      const delivered = [...(await producer.sendBatch('restarted', values.map((v) => ({ value: Buffer.from(v) }))))];
      delivered.forEach((m, i) => sent.push({ value: values[i], offset: m.offset }));
    }
  })();
  // The fifth request is in the log, its acknowledgement withheld: the broker goes away and comes back.
  await acknowledgementLost;
  await first.close();
  const second = await startRestartableBroker(t, dataDir, first.port);
  await sending;
  assert.deepEqual(sent.map((r) => r.offset), [...Array(20).keys()], 'every record once, at consecutive offsets');
  assert.deepEqual(
    (await readPartition(client, admin, 'restarted', 0, 0)).map((r) => [r.offset, r.value]),
    sent.map((r) => [r.offset, r.value]),
  );
  assert.equal(second.broker.counters.duplicateBatches, 1, 'the retry of the withheld batch was recognised');
});

test('after a batch is refused, the idempotent producer goes on writing to the partition (KIP-360 epoch bump)', async (t) => {
  const { client, admin } = await setUp(t);
  await admin.createTopic('strict-size', 1, { 'max.message.bytes': '2000' });
  const producer = new Producer(client, { lingerMs: 1 });
  defer(t, () => producer.close());
  assert.equal((await producer.send('strict-size', { value: Buffer.from('first') })).offset, 0);
  await assert.rejects(producer.send('strict-size', { value: Buffer.alloc(5000) }), (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.MESSAGE_TOO_LARGE);
  // The refused batch took sequence numbers the broker never saw; the next batches must still be accepted.
  const next = [...(await producer.sendBatch('strict-size', [{ value: Buffer.from('second') }, { value: Buffer.from('third') }]))];
  assert.deepEqual(next.map((m) => m.offset), [1, 2]);
  assert.deepEqual(
    (await readPartition(client, admin, 'strict-size', 0, 0)).map((r) => r.value),
    ['first', 'second', 'third'],
  );
});

test('a transaction commits its records and offsets for read_committed readers; an aborted one is never seen', async (t) => {
  const { bootstrap, client, admin } = await setUp(t);
  await admin.createTopic('txn-out', 2);
  await admin.createTopic('txn-in', 1);
  const producer = new Producer(client, { transactionalId: 'orders-tx', lingerMs: 1 });
  defer(t, () => producer.close());
  await assert.rejects(producer.send('txn-out', { value: Buffer.from('outside') }), { code: 'SLUICE_ERR_CONFIG' });
  const values = (tag: string) => Array.from({ length: 6 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${tag}-${i}`) }));
  await producer.transaction(async (tx) => {
    await tx.sendBatch('txn-out', values('first'));
    await tx.sendOffsets('txn-group', [{ topic: 'txn-in', partition: 0, offset: 5 }]);
  });
  await assert.rejects(
    producer.transaction(async (tx) => {
      await tx.sendBatch('txn-out', values('aborted'));
      await tx.sendOffsets('txn-group', [{ topic: 'txn-in', partition: 0, offset: 9 }]);
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  const last = await producer.transaction(async (tx) => tx.send('txn-out', { key: Buffer.from('k0'), value: Buffer.from('last') }));
  assert.equal(last.partition, partitionForKey(Buffer.from('k0'), 2));

  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'txn-reader', logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  defer(t, () => kafkaAdmin.disconnect());
  await kafkaAdmin.connect();
  const [committed] = await kafkaAdmin.fetchOffsets({ groupId: 'txn-group', topics: ['txn-in'] });
  assert.deepEqual(committed.partitions.map((p) => [p.partition, p.offset]), [[0, '5']], 'the aborted transaction\'s offsets are not committed');
  const consumer = kafka.consumer({ groupId: 'txn-reader' });
  defer(t, () => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topics: ['txn-out'], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  await waitFor('the committed records', () => seen.length >= 7, 30_000);
  assert.deepEqual(seen.sort(), [...values('first').map((r) => r.value.toString()), 'last'].sort(), 'read_committed sees both committed transactions and nothing aborted');
});

test('keyless records stick to one partition until its batch is closed, then move to another (KIP-480)', async (t) => {
  const { client, admin } = await setUp(t);
  await admin.createTopic('sticky', 6);
  const producer = new Producer(client, { lingerMs: 5, batchBytes: 16384 });
  defer(t, () => producer.close());
  const value = Buffer.alloc(100);
  const first = [...(await producer.sendBatch('sticky', Array.from({ length: 50 }, () => ({ value }))))];
  assert.equal(new Set(first.map((m) => m.partition)).size, 1, 'one batch, one partition');
  const second = [...(await producer.sendBatch('sticky', Array.from({ length: 50 }, () => ({ value }))))];
  assert.equal(new Set(second.map((m) => m.partition)).size, 1);
  assert.notEqual(second[0].partition, first[0].partition, 'the next batch goes elsewhere');
  // Past batchBytes the partition changes with each closed batch.
  const many = [...(await producer.sendBatch('sticky', Array.from({ length: 600 }, () => ({ value }))))];
  const runs = many.filter((m, i) => i === 0 || m.partition !== many[i - 1].partition).length;
  assert.ok(runs >= 4, `600 records of 100 bytes fill at least 4 batches of 16 KiB, each on its own partition (${runs} runs)`);
});

test('the buffer never holds more than bufferBytes while the broker withholds answers', async (t) => {
  let stalled = true;
  const faults = produceFaultsOn('stalled', () => (stalled ? 'withhold' : 'send'));
  const { client, admin } = await setUp(t, { faults });
  await admin.createTopic('stalled', 2);
  const bufferBytes = 256 * 1024;
  const producer = new Producer(client, { bufferBytes, lingerMs: 1, batchBytes: 16384 });
  let peak = 0;
  const outcomes: Promise<unknown>[] = [];
  const value = Buffer.alloc(1000, 7);
  // 4 MiB, sixteen times the buffer, sent without waiting.
  for (let i = 0; i < 4096; i++) {
    outcomes.push(producer.send('stalled', { value, partition: i % 2 }).catch((err: Error) => err));
    peak = Math.max(peak, producer.bufferedBytes);
  }
  let ready = false;
  void producer.ready().then(() => (ready = true));
  // Five requests per connection are in flight unanswered; the rest fills the buffer.
  await waitFor('five withheld requests', () => faults.seen() === 5);
  await waitFor('a full buffer', () => producer.bufferedBytes > bufferBytes - 2000);
  peak = Math.max(peak, producer.bufferedBytes);
  assert.ok(peak <= bufferBytes, `held ${peak} bytes`);
  assert.equal(faults.seen(), 5, 'no request beyond maxInFlight');
  assert.equal(await Promise.race([outcomes[0], 'pending']), 'pending', 'nothing is answered');
  assert.equal(ready, false, 'ready() waits while the buffer is full');
  // Answers flow again once the stalled connection is closed: its requests are retried on a new one
  // (idempotent: the broker recognises those it had appended), and the rest follows.
  stalled = false;
  (await client.node(0, 'produce')).close();
  const results = await Promise.all(outcomes);
  const delivered = results.filter((r): r is RecordMetadata => !(r instanceof Error));
  assert.equal(delivered.length, 4096, `${delivered.length} delivered`);
  for (const p of [0, 1]) {
    const offsets = delivered.filter((m) => m.partition === p).map((m) => m.offset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `partition ${p} in order`);
  }
  assert.equal(producer.bufferedBytes, 0);
  assert.equal(ready, true);
  await producer.close();
});

test('a record for a partition the topic lacks, one larger than the buffer, and one after close() are refused', async (t) => {
  const { client, admin } = await setUp(t);
  await admin.createTopic('small', 2);
  const producer = new Producer(client, { bufferBytes: 4096 });
  await assert.rejects(producer.send('small', { value: Buffer.from('x'), partition: 2 }), { code: 'SLUICE_ERR_PARTITION' });
  await assert.rejects(producer.send('small', { value: Buffer.alloc(5000) }), { code: 'SLUICE_ERR_RECORD_TOO_LARGE' });
  const kept = producer.send('small', { value: Buffer.from('before close'), partition: 1 });
  await producer.close();
  assert.equal((await kept).offset, 0, 'a record sent before close() is delivered');
  await assert.rejects(producer.send('small', { value: Buffer.from('late') }), { code: 'SLUICE_ERR_PRODUCER_CLOSED' });
});

test('close() returns when the records it waits for all failed their topic lookup', { timeout: 20_000 }, async (t) => {
  const { client } = await setUp(t);
  const producer = new Producer(client);
  // Both wait behind the first lookup; the broker refuses the name, so no batch is ever made to answer.
  const sends = [producer.send('no such topic!', { value: Buffer.from('a') }), producer.send('no such topic!', { value: Buffer.from('b') })];
  await assert.rejects(Promise.all(sends), (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION);
  await producer.close();
  await assert.rejects(sends[1], KafkaError);
});

test('partitions added to a topic, and a topic deleted and created again, are found through fresh metadata', async (t) => {
  const { client, admin } = await setUp(t);
  await admin.createTopic('grows', 1);
  const producer = new Producer(client, { lingerMs: 0 });
  assert.equal((await producer.send('grows', { value: Buffer.from('a'), partition: 0 })).offset, 0);
  await admin.createPartitions('grows', 3);
  const added = await producer.send('grows', { value: Buffer.from('b'), partition: 2 });
  assert.deepEqual([added.partition, added.offset], [2, 0], 'the new partition is known without recreating the producer');

  await admin.deleteTopic('grows');
  await admin.createTopic('grows', 2);
  const again = await producer.send('grows', { value: Buffer.from('c'), partition: 1 });
  assert.deepEqual([again.partition, again.offset], [1, 0], 'the re-created topic starts over');
  await producer.close();
});

// Regression: a retry's timer fired a millisecond before the clock reached the
// batch's notBefore (Node counts timers from the event loop's cached time), so
// the drain found the batch not yet due and nothing woke the sender again: the
// send never settled (seen as a full-disk test hanging under load).
test('a retry whose timer fires before its backoff ends is still sent, and fails at the delivery timeout', async (t) => {
  const { client, admin } = await setUp(t);
  // acks=all on a topic wanting two in-sync replicas, on one broker: NOT_ENOUGH_REPLICAS, retriable.
  await admin.createTopic('early-timers', 1, { 'min.insync.replicas': '2' });
  const earlyTimers = { now: () => Date.now(), schedule: (ms: number, fn: () => void) => systemClock.schedule(Math.max(0, ms - 1), fn) };
  const producer = new Producer(client, { acks: -1, idempotent: false, lingerMs: 0, retryBackoffMs: 20, deliveryTimeoutMs: 300, clock: earlyTimers });
  const sent = producer.send('early-timers', { value: Buffer.from('x'), partition: 0 });
  // A hang shows as this guard's error, not as the test runner's timeout.
  let guard: NodeJS.Timeout | undefined;
  const hung = new Promise((_, reject) => (guard = setTimeout(() => reject(new Error('the send never settled')), 10_000)));
  await assert.rejects(Promise.race([sent, hung]), (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.NOT_ENOUGH_REPLICAS);
  clearTimeout(guard);
});
