// librdkafka 2.15 transactions against Sluice's transaction coordinator:
// through the KafkaJS-compatible API (producer.transaction(), commit, abort)
// committed records are visible to read_committed consumers and aborted ones
// only to read_uncommitted; an open transaction holds read_committed readers
// at the last stable offset until it commits; consume-transform-produce
// with sendOffsetsToTransaction (node-rdkafka API), from an assigned and from
// a subscribed consumer, moves the group's committed offset only when its
// transaction commits; and a second producer with the same transactional.id
// fences the first.

import assert from 'node:assert/strict';
import { type TestContext, after, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { RdConsumer, RdError, RdProducer, callback, rdkafka, within } from './librdkafka-clients.js';

let client: KafkaClient;
let admin: Admin;
after(() => client?.close());
const broker: RunningBroker = await startInProcessBroker({ after });
client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'librdkafka-txn-check' });
admin = new Admin(client);

/** Everything a consumer of `isolation` reads in `topic`-0 from offset 0 up to where librdkafka reports the end. */
async function readAll(t: TestContext, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<{ values: string[]; offsets: number[]; endOffset: number }> {
  const consumer = await RdConsumer.connect(t, broker.bootstrap, {
    'group.id': `${topic}-${isolation}`,
    'enable.auto.commit': false,
    'enable.partition.eof': true,
    'isolation.level': isolation,
  });
  consumer.assign([{ topic, partition: 0, offset: 0 }]);
  const { messages, endOffset } = await consumer.readToEnd(topic, 0);
  await consumer.disconnect();
  return { values: messages.map((m) => m.value!.toString()), offsets: messages.map((m) => m.offset), endOffset };
}

/** A node-rdkafka producer with `transactional.id`, its transactions initialised. */
async function transactionalProducer(t: TestContext, transactionalId: string): Promise<RdProducer> {
  const producer = await RdProducer.connect(t, broker.bootstrap, { 'transactional.id': transactionalId });
  await within('initTransactions', callback((cb) => producer.native.initTransactions(10_000, cb)));
  return producer;
}

test('KafkaJS API: committed transactions are visible to read_committed, aborted ones only to read_uncommitted', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-txn-visibility';
  await admin.createTopic(topic, 1);
  const { Kafka, logLevel } = rdkafka().KafkaJS;
  const kafka = new Kafka({ kafkaJS: { brokers: [broker.bootstrap], logLevel: logLevel.NOTHING } });
  const producer = kafka.producer({ kafkaJS: { transactionalId: 'rdk-txn-visibility' } });
  await producer.connect();
  defer(t, () => producer.disconnect());

  const send = async (values: string[], end: 'commit' | 'abort') => {
    const txn = await producer.transaction();
    await txn.send({ topic, messages: values.map((value) => ({ partition: 0, value })) });
    await (end === 'commit' ? txn.commit() : txn.abort());
  };
  await send(['c0', 'c1', 'c2'], 'commit'); // offsets 0-2, marker 3
  await send(['a0', 'a1'], 'abort'); // offsets 4-5, marker 6
  await send(['c3'], 'commit'); // offset 7, marker 8

  const committed = await readAll(t, topic, 'read_committed');
  assert.deepEqual(committed.values, ['c0', 'c1', 'c2', 'c3']);
  assert.deepEqual(committed.offsets, [0, 1, 2, 7]);
  assert.equal(committed.endOffset, 9);
  const uncommitted = await readAll(t, topic, 'read_uncommitted');
  assert.deepEqual(uncommitted.values, ['c0', 'c1', 'c2', 'a0', 'a1', 'c3']);
  assert.deepEqual(uncommitted.offsets, [0, 1, 2, 4, 5, 7]);
});

test('an open transaction holds read_committed consumers at the last stable offset until it commits', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-txn-open';
  await admin.createTopic(topic, 1);
  const plain = await RdProducer.connect(t, broker.bootstrap);
  await plain.produce(topic, [{ partition: 0, value: Buffer.from('before') }]);
  const producer = await transactionalProducer(t, 'rdk-txn-open');
  await within('beginTransaction', callback((cb) => producer.native.beginTransaction(cb)));
  await producer.produce(topic, [
    { partition: 0, value: Buffer.from('t0') },
    { partition: 0, value: Buffer.from('t1') },
  ]);

  const whileOpen = await readAll(t, topic, 'read_committed');
  assert.deepEqual(whileOpen, { values: ['before'], offsets: [0], endOffset: 1 }, 'stops at the first offset of the open transaction');
  assert.deepEqual((await readAll(t, topic, 'read_uncommitted')).values, ['before', 't0', 't1']);

  await within('commitTransaction', callback((cb) => producer.native.commitTransaction(10_000, cb)));
  assert.deepEqual(await readAll(t, topic, 'read_committed'), { values: ['before', 't0', 't1'], offsets: [0, 1, 2], endOffset: 4 });
});

// assign(): TxnOffsetCommit carries generation -1 and no member id, as for a
// standalone consumer; subscribe(): it carries the member's generation and
// member id (KIP-447), which the coordinator checks.
for (const mode of ['assign', 'subscribe'] as const) {
  test(`consume-transform-produce, ${mode}()ed input: sendOffsetsToTransaction moves the group's offset with a commit, not with an abort`, skipUnless(kafkaJavascript), async (t) => {
    const input = `rdk-ctp-${mode}-in`;
    const output = `rdk-ctp-${mode}-out`;
    const group = `rdk-ctp-${mode}`;
    await admin.createTopic(input, 1);
    await admin.createTopic(output, 1);
    const source = await RdProducer.connect(t, broker.bootstrap);
    await source.produce(
      input,
      ['a', 'b', 'c', 'd', 'e', 'f'].map((v) => ({ partition: 0, value: Buffer.from(v) })),
    );

    const consumer = await RdConsumer.connect(t, broker.bootstrap, {
      'group.id': group,
      'enable.auto.commit': false,
      'isolation.level': 'read_committed',
      'auto.offset.reset': 'earliest',
    });
    if (mode === 'assign') consumer.assign([{ topic: input, partition: 0, offset: 0 }]);
    else consumer.native.subscribe([input]);
    const producer = await transactionalProducer(t, group);

    /** Reads `n` input records, writes them upper-cased and the next input offset in one transaction. */
    const round = async (n: number, end: 'commit' | 'abort') => {
      const messages = await consumer.read(n);
      await within('beginTransaction', callback((cb) => producer.native.beginTransaction(cb)));
      await producer.produce(
        output,
        messages.map((m) => ({ partition: 0, value: Buffer.from(m.value!.toString().toUpperCase()) })),
      );
      const next = [{ topic: input, partition: 0, offset: messages.at(-1)!.offset + 1 }];
      await within('sendOffsetsToTransaction', callback((cb) => producer.native.sendOffsetsToTransaction(next, consumer.native, 10_000, cb)));
      if (end === 'commit') await within('commitTransaction', callback((cb) => producer.native.commitTransaction(10_000, cb)));
      else await within('abortTransaction', callback((cb) => producer.native.abortTransaction(10_000, cb)));
    };
    const committedOffset = async () => (await admin.fetchOffsets(group)).find((o) => o.topic === input && o.partition === 0)?.offset;

    await round(3, 'commit');
    assert.equal(await committedOffset(), 3);
    await round(2, 'abort');
    assert.equal(await committedOffset(), 3, 'an aborted transaction commits no offset');
    // The application rewinds to the committed offset, as after a crash.
    await consumer.seek({ topic: input, partition: 0, offset: 3 });
    await round(3, 'commit');
    assert.equal(await committedOffset(), 6);
    assert.deepEqual((await consumer.committed([{ topic: input, partition: 0 }])).map((c) => c.offset), [6], 'librdkafka reads the same offset back');

    assert.deepEqual((await readAll(t, output, 'read_committed')).values, ['A', 'B', 'C', 'D', 'E', 'F']);
    assert.deepEqual((await readAll(t, output, 'read_uncommitted')).values, ['A', 'B', 'C', 'D', 'E', 'D', 'E', 'F']);
  });
}

test('a second producer with the same transactional.id fences the first: its open transaction is aborted and its commit fails as fenced', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-txn-fenced';
  await admin.createTopic(topic, 1);
  const first = await transactionalProducer(t, 'rdk-txn-fenced');
  await within('beginTransaction', callback((cb) => first.native.beginTransaction(cb)));
  await first.produce(topic, [{ partition: 0, value: Buffer.from('zombie') }]);

  const second = await transactionalProducer(t, 'rdk-txn-fenced');
  const fenced = await within(
    'the fenced commit',
    new Promise<{ code: number; message: string; isFatal?: boolean }>((resolve, reject) =>
      first.native.commitTransaction(10_000, (err: { code: number; message: string; isFatal?: boolean } | null) => (err ? resolve(err) : reject(new Error('the fenced producer committed')))),
    ),
  );
  assert.equal(fenced.code, RdError.FENCED, fenced.message);
  assert.equal(fenced.isFatal, true, 'fencing is fatal for the old producer');

  await within('beginTransaction', callback((cb) => second.native.beginTransaction(cb)));
  await second.produce(topic, [{ partition: 0, value: Buffer.from('successor') }]);
  await within('commitTransaction', callback((cb) => second.native.commitTransaction(10_000, cb)));
  assert.deepEqual((await readAll(t, topic, 'read_committed')).values, ['successor']);
  assert.deepEqual((await readAll(t, topic, 'read_uncommitted')).values, ['zombie', 'successor']);
});
