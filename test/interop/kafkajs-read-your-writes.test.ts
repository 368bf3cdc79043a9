// kafkajs 2.2.4 produces with acks=1 and at once asks for the end offset, or
// deletes records up to it, under the default group-commit flush policy. acks=1
// is answered before the fsync that lets the high watermark pass the record, so
// the broker must wait for that fsync before answering ListOffsets and
// DeleteRecords: every try must see the record it was just told is written.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { defer } from '../helpers/broker-process.js';

const { Kafka, logLevel } = kafkajs;
const TRIES = 30;

async function connect(t: Parameters<typeof defer>[0], bootstrap: string) {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'read-your-writes', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await admin.connect();
  await producer.connect();
  defer(t, async () => {
    await producer.disconnect();
    await admin.disconnect();
  });
  return { admin, producer };
}

test('kafkajs: acks=1 produce then fetchTopicOffsets sees the record, every try, under group-commit', async (t) => {
  const broker = await startInProcessBroker(t, { flushPolicy: 'group-commit' });
  const { admin, producer } = await connect(t, broker.bootstrap);
  const topic = 'end-offset';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const stale: string[] = [];
  for (let i = 0; i < TRIES; i++) {
    const [sent] = await producer.send({ topic, acks: 1, messages: [{ value: `v${i}` }] });
    const [end] = await admin.fetchTopicOffsets(topic);
    if (Number(end.high) !== Number(sent.baseOffset) + 1) stale.push(`try ${i}: produced at ${sent.baseOffset}, end offset ${end.high}`);
  }
  assert.deepEqual(stale, []);
});

test('kafkajs: acks=1 produce then deleteTopicRecords up to the new end offset succeeds, every try', async (t) => {
  const broker = await startInProcessBroker(t, { flushPolicy: 'group-commit' });
  const { admin, producer } = await connect(t, broker.bootstrap);
  const topic = 'delete-to-end';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.fetchTopicMetadata({ topics: [topic] }); // deleteTopicRecords needs the leader in the admin's metadata
  for (let i = 0; i < TRIES; i++) {
    const [sent] = await producer.send({ topic, acks: 1, messages: [{ value: `v${i}` }] });
    const end = Number(sent.baseOffset) + 1;
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(end) }] });
    const [offsets] = await admin.fetchTopicOffsets(topic);
    assert.deepEqual([Number(offsets.low), Number(offsets.high)], [end, end], `try ${i}`);
  }
});
