// librdkafka 2.15 (@confluentinc/kafka-javascript's node-rdkafka API) producing
// to Sluice with every codec and acks setting, idempotence off (librdkafka's
// default, enable.idempotence=false) and on, then reading back what it wrote
// with its own assign()ed consumer: every key, value, header, timestamp and
// offset exactly. Sluice's own client reads the stored batches too, to show
// that each batch really carries the codec librdkafka was asked for and, when
// idempotent, a producer id and a first sequence of 0. Also: LogAppendTime
// topics, auto-created topics, and a volume that takes many fetches.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { Codec } from '../../src/protocol/record-batch.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { readStoredBatches } from '../helpers/stored-batches.js';
import { RdConsumer, RdProducer, expectedMessage, rdkafka, sampleRecord, seenMessage } from './librdkafka-clients.js';

const CODECS: { name: string; codec: Codec }[] = [
  { name: 'none', codec: Codec.None },
  { name: 'gzip', codec: Codec.Gzip },
  { name: 'snappy', codec: Codec.Snappy },
  { name: 'lz4', codec: Codec.Lz4 },
  { name: 'zstd', codec: Codec.Zstd },
];

const MODES: { name: string; config: Record<string, number | boolean> }[] = [
  { name: 'acks=0', config: { acks: 0 } },
  { name: 'acks=1', config: { acks: 1 } },
  // librdkafka's defaults: acks=all, enable.idempotence=false.
  { name: 'default config', config: {} },
  { name: 'idempotent', config: { 'enable.idempotence': true } },
];

/**
 * The reading consumer: check.crcs makes librdkafka verify each batch's CRC32C,
 * which covers what Sluice rewrites (LogAppendTime timestamps) and leaves
 * out what it patches (base offsets).
 */
const READER = { 'group.id': 'rdk-produce-reader', 'enable.auto.commit': false, 'check.crcs': true };

let client: KafkaClient;
after(() => client?.close());
const broker: RunningBroker = await startInProcessBroker({ after });
client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'librdkafka-produce-check' });

for (const { name, codec } of CODECS) {
  test(`${name}: acks 0 and 1, the default config (acks=all) and the idempotent producer store every record exactly, in ${name} batches`, skipUnless(kafkaJavascript), async (t) => {
    if (name === 'zstd') assert.ok(rdkafka().features.includes('zstd'), `librdkafka built with zstd (features: ${rdkafka().features.join(',')}); rebuild with libzstd-dev installed`);
    const topic = `rdk-produce-${name}`;
    await new Admin(client).createTopic(topic, 1);
    const consumer = await RdConsumer.connect(t, broker.bootstrap, READER);
    const t0 = Date.now() - 10_000;
    let next = 0;
    for (const mode of MODES) {
      const what = `${name}/${mode.name}`;
      const producer = await RdProducer.connect(t, broker.bootstrap, { 'compression.codec': name, ...mode.config });
      const records = Array.from({ length: 7 }, (_, i) => sampleRecord(what, i, t0 + next * 10));
      const delivered = await producer.produce(topic, records);
      await producer.disconnect();
      if (mode.config.acks !== 0) {
        assert.deepEqual(
          delivered.map((d) => d.offset),
          records.map((_, i) => next + i),
          `${what}: delivery reports carry the offsets`,
        );
      }

      consumer.assign([{ topic, partition: 0, offset: next }]);
      const messages = await consumer.read(records.length);
      assert.deepEqual(messages.map(seenMessage), records.map((r, i) => expectedMessage(r, next + i)), `${what}: consumed back`);

      const batches = await readStoredBatches(client, topic, 0, { fromOffset: next, minRecords: records.length });
      assert.deepEqual(
        [...new Set(batches.map((b) => b.codec))],
        [codec],
        `${what}: stored as ${name}`,
      );
      assert.equal(
        batches.reduce((n, b) => n + b.records.length, 0),
        records.length,
      );
      if (mode.name === 'idempotent') {
        assert.ok(batches.every((b) => b.header.producerId >= 0 && b.header.producerEpoch >= 0), `${what}: batches carry a producer id`);
        assert.equal(batches[0].header.baseSequence, 0, `${what}: the first batch of a new producer has sequence 0`);
      } else {
        assert.ok(batches.every((b) => b.header.producerId === -1), `${what}: no producer id without idempotence`);
      }
      next += records.length;
    }
  });
}

test('a topic with message.timestamp.type=LogAppendTime: delivery reports and consumers see the broker append time, not the producer time', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-log-append-time';
  await new Admin(client).createTopic(topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
  const producer = await RdProducer.connect(t, broker.bootstrap, { 'compression.codec': 'lz4' });
  const before = Date.now();
  const records = Array.from({ length: 5 }, (_, i) => sampleRecord('log-append', i, before - 86_400_000));
  const delivered = await producer.produce(topic, records);
  const afterwards = Date.now();
  const appendTime = delivered[0].timestamp;
  assert.ok(appendTime >= before && appendTime <= afterwards, `append time ${appendTime} within [${before}, ${afterwards}]`);

  const consumer = await RdConsumer.connect(t, broker.bootstrap, READER);
  consumer.assign([{ topic, partition: 0, offset: 0 }]);
  const messages = await consumer.read(records.length);
  assert.deepEqual(
    messages.map((m) => m.timestamp),
    delivered.map((d) => d.timestamp),
    'the timestamps the delivery reports gave',
  );
  assert.ok(delivered.every((d) => d.timestamp >= before), 'none kept the producer timestamp of a day ago');
  assert.deepEqual(
    messages.map((m) => m.value),
    records.map((r) => r.value),
  );
});

test('producing to a topic that does not exist creates it (auto.create.topics.enable) and delivers', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-auto-created';
  const producer = await RdProducer.connect(t, broker.bootstrap);
  const delivered = await producer.produce(topic, [{ partition: 0, value: Buffer.from('first') }]);
  assert.deepEqual(delivered.map((d) => [d.partition, d.offset]), [[0, 0]]);
  assert.equal((await client.topic(topic)).partitions.length, broker.config.numPartitions);
});

test('ten thousand records of 500 bytes (5 MB, many fetches) are all read back in order with the default fetch sizes', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-volume';
  await new Admin(client).createTopic(topic, 1);
  const producer = await RdProducer.connect(t, broker.bootstrap, { 'compression.codec': 'snappy' });
  const count = 10_000;
  const value = (i: number) => Buffer.from(`${i}:`.padEnd(500, String.fromCharCode(97 + (i % 26))));
  const delivered = await producer.produce(topic, Array.from({ length: count }, (_, i) => ({ partition: 0, value: value(i) })));
  assert.equal(delivered.at(-1)?.offset, count - 1);
  const consumer = await RdConsumer.connect(t, broker.bootstrap, READER);
  consumer.assign([{ topic, partition: 0, offset: 0 }]);
  const messages = await consumer.read(count);
  assert.deepEqual(
    messages.map((m) => m.offset),
    Array.from({ length: count }, (_, i) => i),
  );
  assert.ok(messages.every((m, i) => m.value!.equals(value(i))), 'every value intact');
});

test('an idempotent producer with many small batches in flight to three partitions: each record stored once, in order, sequences unbroken', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-idempotent-volume';
  const partitions = 3;
  await new Admin(client).createTopic(topic, partitions);
  // Batches of 50 records: librdkafka keeps up to 5 requests in flight per partition leader.
  const producer = await RdProducer.connect(t, broker.bootstrap, { 'enable.idempotence': true, 'batch.num.messages': 50, 'compression.codec': 'lz4' });
  const count = 6000;
  const records = Array.from({ length: count }, (_, i) => ({ partition: i % partitions, value: Buffer.from(`record ${i}`) }));
  const delivered = await producer.produce(topic, records);
  for (let p = 0; p < partitions; p++) {
    const mine = delivered.filter((d) => d.partition === p).map((d) => d.offset);
    assert.deepEqual(mine, Array.from({ length: count / partitions }, (_, i) => i), `partition ${p}: delivery offsets in send order`);
    const batches = await readStoredBatches(client, topic, p, { minRecords: count / partitions });
    const values = batches.flatMap((b) => b.records.map((r) => r.value!.toString()));
    assert.deepEqual(values, records.filter((r) => r.partition === p).map((r) => r.value.toString()), `partition ${p}: every record once, in order`);
    let sequence = 0;
    for (const b of batches) {
      assert.equal(b.header.baseSequence, sequence, `partition ${p}: batch at ${b.header.baseOffset} continues the sequence`);
      sequence += b.header.recordCount;
    }
    assert.ok(batches.length > 1, `partition ${p}: written in ${batches.length} batches`);
  }
});
