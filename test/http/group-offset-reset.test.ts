// POST /groups/{g}/offsets/reset against offsets kafkajs committed and reads
// back: a dry run answers the targets and changes nothing; a real reset to
// earliest, to a time, or to an offset (clamped into the log) on some or all
// partitions is what kafkajs then fetches; a group with a member is refused
// with 409, and a read-only API refuses the route.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { defer } from '../helpers/broker-process.js';
import { startHttpApiBroker } from '../helpers/http-api.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'payments';
const GROUP = 'ledger';

async function setUp(t: import('node:test').TestContext, options = { httpWrites: true }) {
  const api = await startHttpApiBroker(t, options);
  const kafka = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
  // Partition 0: ten records stamped a second apart from t0; partition 1: four.
  const t0 = Date.now() - 600_000;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `a${i}`, timestamp: String(t0 + i * 1000) })) });
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 4 }, (_, i) => ({ partition: 1, value: `b${i}`, timestamp: String(t0 + i * 1000) })) });
  await producer.disconnect();
  await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '7' }, { partition: 1, offset: '3' }] });
  const committed = async () => {
    const [{ partitions }] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return Object.fromEntries(partitions.map((p) => [p.partition, Number(p.offset)]));
  };
  return { api, kafka, t0, committed };
}

test('a dry run answers the targets and changes no committed offset', async (t) => {
  const { api, committed } = await setUp(t);
  const answer = await api.call('POST', `/groups/${GROUP}/offsets/reset`, { topic: TOPIC, to: 'earliest', dryRun: true });
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json, {
    dryRun: true,
    partitions: [
      { topic: TOPIC, partition: 0, current: 7, target: 0 },
      { topic: TOPIC, partition: 1, current: 3, target: 0 },
    ],
  });
  assert.deepEqual(await committed(), { 0: 7, 1: 3 });
});

test('a reset commits earliest, a time, or an offset clamped into the log, on the partitions asked for', async (t) => {
  const { api, t0, committed } = await setUp(t);
  const reset = (body: object) => api.call('POST', `/groups/${GROUP}/offsets/reset`, { topic: TOPIC, dryRun: false, ...body });

  const earliest = await reset({ to: 'earliest', partitions: [1] });
  assert.equal(earliest.status, 200, earliest.text);
  assert.deepEqual(earliest.json.partitions, [{ topic: TOPIC, partition: 1, current: 3, target: 0 }]);
  assert.deepEqual(await committed(), { 0: 7, 1: 0 });

  // The first record at or after t0 + 2.5 s is offset 3 in both partitions.
  await reset({ to: 'time', time: t0 + 2500 });
  assert.deepEqual(await committed(), { 0: 3, 1: 3 });

  const clamped = await reset({ to: 'offset', offset: 1000 });
  assert.deepEqual(clamped.json.partitions.map((p: any) => p.target), [10, 4]);
  assert.deepEqual(await committed(), { 0: 10, 1: 4 });

  assert.equal((await reset({ to: 'offset' })).status, 400);
  assert.equal((await reset({ to: 'latest', partitions: [5] })).json.error.code, 'SLUICE_HTTP_UNKNOWN_PARTITION');
});

test('a group with a member is refused with 409 and keeps its offsets', async (t) => {
  const { api, kafka, committed } = await setUp(t);
  const consumer = kafka.consumer({ groupId: GROUP });
  defer(t, () => consumer.disconnect());
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC });
  void consumer.run({ autoCommit: false, eachMessage: async () => {} });
  await joined;
  const refused = await api.call('POST', `/groups/${GROUP}/offsets/reset`, { topic: TOPIC, to: 'earliest', dryRun: false });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error.code, 'SLUICE_HTTP_GROUP_ACTIVE');
  await consumer.disconnect();
  assert.deepEqual(await committed(), { 0: 7, 1: 3 });
});

test('a read-only API refuses an offset reset', async (t) => {
  const { api } = await setUp(t, { httpWrites: false });
  const refused = await api.call('POST', `/groups/${GROUP}/offsets/reset`, { topic: TOPIC, to: 'earliest', dryRun: true });
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error.code, 'SLUICE_HTTP_READ_ONLY');
});
