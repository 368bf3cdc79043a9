// The facade producer's serialization, read back by kafkajs: a Buffer stays
// bytes, a string is UTF-8, an object is JSON, null is a tombstone; headers
// given as a plain object arrive as Kafka headers; a serializer hook replaces
// the default encoding; each send resolves with the record's partition and
// offset; a transaction commits records and offsets together or nothing.
// connect() takes several bootstrap addresses and uses the first that answers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { connect } from '../../src/client/index.js';
import { freePort } from '../helpers/free-port.js';
import { readWithKafkajs, startBrokerWithSluiceClient } from '../helpers/sluice-client.js';

const { Kafka, logLevel } = kafkajs;

test('values and headers sent through the facade read back byte for byte in kafkajs', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('serde', { partitions: 1 });
  const producer = client.producer();
  const binary = Buffer.from([0, 1, 2, 0xff, 0xfe]);
  const sent = [
    await producer.send('serde', { key: 'order-42', value: { total: 10, items: ['a', 'ü'] }, headers: { type: 'created', raw: binary } }),
    await producer.send('serde', { key: 'order-43', value: 'plain text ✓' }),
    await producer.send('serde', { key: binary, value: binary }),
    await producer.send('serde', { key: 'order-42', value: null }),
    await producer.send('serde', { value: new Uint8Array([9, 8, 7]) }),
  ];
  assert.deepEqual(
    sent.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    [0, 1, 2, 3, 4].map((offset) => ({ topic: 'serde', partition: 0, offset })),
  );

  const read = await readWithKafkajs(broker.bootstrap, 'serde', 5);
  assert.deepEqual(
    read.map((m) => [m.offset, m.key, m.value]),
    [
      [0, Buffer.from('order-42'), Buffer.from(JSON.stringify({ total: 10, items: ['a', 'ü'] }))],
      [1, Buffer.from('order-43'), Buffer.from('plain text ✓', 'utf8')],
      [2, binary, binary],
      [3, Buffer.from('order-42'), null],
      [4, null, Buffer.from([9, 8, 7])],
    ],
  );
  assert.deepEqual(read[0].headers, { type: Buffer.from('created'), raw: binary });
  assert.deepEqual(read[1].headers, {});
});

test('a serializer hook replaces the default encoding of keys and values', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('hooked', { partitions: 1 });
  const producer = client.producer({
    serializer: { key: (k) => Buffer.from(`k:${String(k)}`), value: (v) => Buffer.from(`v:${JSON.stringify(v)}`) },
  });
  await producer.send('hooked', { key: 7, value: { a: 1 } });
  const [m] = await readWithKafkajs(broker.bootstrap, 'hooked', 1);
  assert.deepEqual([m.key, m.value], [Buffer.from('k:7'), Buffer.from('v:{"a":1}')]);
});

test('sendBatch sends records in order and resolves with each one\'s partition and offset', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('batched', { partitions: 1 });
  const producer = client.producer();
  await producer.send('batched', { value: 'first' });
  const sent = [...(await producer.sendBatch('batched', [{ key: 'a', value: { n: 1 } }, { value: 'two', headers: { h: 'v' } }, { value: null }]))];
  assert.deepEqual(
    sent.map(({ partition, offset }) => [partition, offset]),
    [
      [0, 1],
      [0, 2],
      [0, 3],
    ],
  );
  const read = await readWithKafkajs(broker.bootstrap, 'batched', 4);
  assert.deepEqual(
    read.map((m) => [m.key?.toString() ?? null, m.value?.toString() ?? null, m.headers]),
    [
      [null, 'first', {}],
      ['a', '{"n":1}', {}],
      [null, 'two', { h: Buffer.from('v') }],
      [null, null, {}],
    ],
  );
});

test('a transaction commits its records and offsets together; an aborted one is never read', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('invoices', { partitions: 1 });
  const producer = client.producer({ transactionalId: 'invoicing' });
  await producer.transaction(async (tx) => {
    await tx.sendBatch('invoices', [{ key: 'a', value: { n: 1 } }, { key: 'b', value: { n: 2 } }]);
    await tx.sendOffsets('invoicing-group', [{ topic: 'invoices', partition: 0, offset: 7 }]);
  });
  await assert.rejects(
    producer.transaction(async (tx) => {
      await tx.send('invoices', { key: 'c', value: { n: 3 } });
      await tx.sendOffsets('invoicing-group', [{ topic: 'invoices', partition: 0, offset: 9 }]);
      throw new Error('declined');
    }),
    /declined/,
  );
  await producer.transaction((tx) => tx.send('invoices', { key: 'd', value: { n: 4 } }));
  await producer.close();

  // kafkajs reads committed records only (its default isolation).
  const read = await readWithKafkajs(broker.bootstrap, 'invoices', 3);
  assert.deepEqual(
    read.map((m) => [m.key?.toString(), m.value?.toString()]),
    [
      ['a', '{"n":1}'],
      ['b', '{"n":2}'],
      ['d', '{"n":4}'],
    ],
  );
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const [offsets] = await admin.fetchOffsets({ groupId: 'invoicing-group', topics: ['invoices'] });
  await admin.disconnect();
  assert.deepEqual(offsets.partitions.map((p) => p.offset), ['7'], 'the aborted transaction\'s offsets were not committed');
});

test('connect() works when some bootstrap addresses are dead, and fails naming them when all are', async (t) => {
  const { broker } = await startBrokerWithSluiceClient(t);
  const closedPort = await freePort();
  const client = await connect({ bootstrap: `127.0.0.1:${closedPort},${broker.bootstrap}` });
  t.after(() => client.close());
  assert.deepEqual(await client.admin().listTopics(), []);
  await assert.rejects(connect({ bootstrap: `127.0.0.1:${closedPort}` }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SLUICE_ERR_CONNECTION');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${closedPort}`));
    return true;
  });
});
