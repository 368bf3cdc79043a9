// Queues with a real share consumer: librdkafka 2.15's KIP-932 share consumer
// (its C interface: rd_kafka_share_consumer_new, rd_kafka_share_poll,
// rd_kafka_share_acknowledge_type, rd_kafka_share_commit_sync), compiled from
// test/interop/c/share-consume.c. Competing consumers get every record once,
// release and reject do what they say, and the records of a consumer that
// stops answering go to another one once their lock expires (at once when it
// dies and its connection closes).

import assert from 'node:assert/strict';
import { type TestContext, describe, test } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { DLQ_HEADERS } from '../../src/coordinator/share/dead-letters.js';
import { DELIVER_AT_HEADER } from '../../src/coordinator/share/delivery-plan.js';
import { decodeBatch, forEachBatch } from '../../src/protocol/records.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer, makeDataDir, spawnBroker, waitFor } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { buildLibrdkafkaProgram, kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { type Received, runShareConsumer } from './librdkafka-share-consumer.js';

/** The records of partition 0 of `topic` as stored, headers as strings. */
function deadLetters(broker: RunningBroker, topic: string): { key: string; value: string; headers: Record<string, string> }[] {
  const partition = broker.broker.partition(topic, 0)!;
  const data = partition.log.read(0, 1 << 20, partition.highWatermark, true);
  const out: { key: string; value: string; headers: Record<string, string> }[] = [];
  forEachBatch(data, (pos) => {
    for (const r of decodeBatch(data, pos).records) {
      out.push({ key: String(r.key), value: String(r.value), headers: Object.fromEntries(r.headers.map((h) => [h.key, String(h.value)])) });
    }
  });
  return out;
}

describe('librdkafka share consumers', skipUnless(kafkaJavascript), () => {
  async function setUp(t: TestContext, topic: string, partitions: number, count: number, groupConfigs: Record<string, string>) {
    const program = buildLibrdkafkaProgram('share-consume');
    const broker = await startInProcessBroker(t);
    const client = new KafkaClient({ bootstrap: broker.bootstrap });
    defer(t, () => client.close());
    const admin = new Admin(client);
    await admin.createTopic(topic, partitions);
    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest', ...groupConfigs } });
    if (count > 0) {
      const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
      await producer.disconnect();
    }
    return { program, broker };
  }

  const key = (r: Received) => `${r.partition}:${r.offset}`;

  test('three share consumers on one topic receive every record exactly once, and every partition ends settled', async (t) => {
    const { program, broker } = await setUp(t, 'jobs', 3, 300, {});
    const consumers = [0, 1, 2].map(() => runShareConsumer(t, program, broker, 'workers', 'jobs', 1_000_000, 'accept'));
    const all = () => consumers.flatMap((c) => c.received);
    // Whichever consumer prints the 300th distinct record ends the wait.
    await Promise.any(consumers.map((c) => c.sawLine(() => new Set(all().map(key)).size >= 300)));
    for (const c of consumers) c.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(consumers.map((c) => c.exited)), [0, 0, 0]);

    const received = all();
    assert.equal(received.length, 300, 'no record delivered twice');
    assert.equal(new Set(received.map(key)).size, 300);
    assert.deepEqual(new Set(received.map((r) => r.deliveryCount)), new Set([1]));
    assert.equal(new Set(received.map((r) => r.value)).size, 300);
    const stats = broker.shares.stats('workers');
    assert.deepEqual(
      stats.map((s) => [s.partition, s.startOffset === broker.broker.partition('jobs', s.partition)!.logEndOffset, s.acquired]),
      [[0, true, 0], [1, true, 0], [2, true, 0]],
      'everything acknowledged: each partition start offset is at its log end',
    );
  });

  test('a released record is delivered again with a higher delivery count', async (t) => {
    const { program, broker } = await setUp(t, 'retry', 1, 10, {});
    const consumer = runShareConsumer(t, program, broker, 'workers', 'retry', 10, 'release-first');
    assert.equal(await consumer.exited, 0);
    const byOffset = new Map<number, number[]>();
    for (const r of consumer.received) byOffset.set(r.offset, [...(byOffset.get(r.offset) ?? []), r.deliveryCount]);
    assert.deepEqual([...byOffset.keys()].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const counts of byOffset.values()) assert.deepEqual(counts, [1, 2]);
    assert.equal(broker.shares.stats('workers')[0].startOffset, 10);
  });

  test('deleting an empty share group forgets its delivery state: a group of that name starts over', async (t) => {
    const { program, broker } = await setUp(t, 'again', 1, 5, {});
    const first = runShareConsumer(t, program, broker, 'workers', 'again', 5, 'accept');
    assert.equal(await first.exited, 0);
    assert.equal(broker.shares.stats('workers')[0].startOffset, 5);
    const client = new KafkaClient({ bootstrap: broker.bootstrap });
    defer(t, () => client.close());
    const admin = new Admin(client);
    assert.deepEqual(await admin.deleteGroups(['workers']), [{ groupId: 'workers', errorCode: 0 }]);
    assert.deepEqual(broker.shares.stats('workers'), []);
    assert.equal((await admin.listGroups()).some((g) => g.groupId === 'workers'), false);

    const second = runShareConsumer(t, program, broker, 'workers', 'again', 5, 'accept');
    assert.equal(await second.exited, 0);
    assert.deepEqual(second.received.map((r) => [r.offset, r.deliveryCount]), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]]);
  });

  test('records on a topic with delivery.delay.ms wait that long after their timestamp, without holding back older records behind them', { timeout: 60_000 }, async (t) => {
    const DELAY_MS = 8000;
    const { program, broker } = await setUp(t, 'later', 1, 0, {});
    const client = new KafkaClient({ bootstrap: broker.bootstrap });
    defer(t, () => client.close());
    await new Admin(client).alterConfigs({ type: 'topic', name: 'later' }, { set: { 'delivery.delay.ms': String(DELAY_MS) } });
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const producedAt = Date.now();
    await producer.send({ topic: 'later', messages: [{ value: 'fresh-0' }, { value: 'fresh-1' }] });
    await producer.send({ topic: 'later', messages: ['old-0', 'old-1'].map((value) => ({ value, timestamp: String(producedAt - 60_000) })) });
    await producer.disconnect();

    const early = runShareConsumer(t, program, broker, 'workers', 'later', 2, 'accept');
    assert.equal(await early.exited, 0);
    assert.deepEqual(early.received.map((r) => [r.offset, r.value]), [[2, 'old-0'], [3, 'old-1']], 'the records behind the delayed ones came first');

    const delayed = runShareConsumer(t, program, broker, 'workers', 'later', 2, 'accept');
    assert.equal(await delayed.exited, 0);
    assert.ok(Date.now() - producedAt >= DELAY_MS, 'not before the delay');
    assert.deepEqual(delayed.received.map((r) => [r.offset, r.value]), [[0, 'fresh-0'], [1, 'fresh-1']]);
  });

  test('a record with a sluice-deliver-at header is held until that time while the records behind it flow; a malformed time is no delay', { timeout: 60_000 }, async (t) => {
    const { program, broker } = await setUp(t, 'scheduled', 1, 0, {});
    const deliverAt = Date.now() + 6000;
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    // One gzip batch: the header is found only by decompressing it.
    await producer.send({
      topic: 'scheduled',
      compression: CompressionTypes.GZIP,
      messages: [
        { value: 'now-0' },
        { value: 'later', headers: { [DELIVER_AT_HEADER]: String(deliverAt) } },
        { value: 'now-2' },
        { value: 'malformed', headers: { [DELIVER_AT_HEADER]: 'tomorrow' } },
      ],
    });
    await producer.disconnect();

    const early = runShareConsumer(t, program, broker, 'workers', 'scheduled', 3, 'accept');
    assert.equal(await early.exited, 0);
    assert.deepEqual(early.received.map((r) => [r.offset, r.value]), [[0, 'now-0'], [2, 'now-2'], [3, 'malformed']]);

    const scheduled = runShareConsumer(t, program, broker, 'workers', 'scheduled', 1, 'accept');
    await scheduled.sawLine((line) => line.endsWith(' later'));
    assert.ok(Date.now() >= deliverAt, 'not before its time');
    assert.equal(await scheduled.exited, 0);
    assert.deepEqual(scheduled.received.map((r) => [r.offset, r.deliveryCount, r.value]), [[1, 1, 'later']]);
    assert.equal(broker.shares.stats('workers')[0].startOffset, 4);
  });

  test('a share.filter delivers only the records it passes, the others are settled unseen, a change applies to the next acquisition, and a bad filter is refused', { timeout: 60_000 }, async (t) => {
    const { program, broker } = await setUp(t, 'orders', 1, 0, { 'share.filter': 'header.type == "created" and value.total > 10' });
    const client = new KafkaClient({ bootstrap: broker.bootstrap });
    defer(t, () => client.close());
    const admin = new Admin(client);
    const order = (type: string, total: number) => ({ value: JSON.stringify({ total }), headers: { type } });
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [order('created', 5), order('created', 50), order('cancelled', 99), order('created', 11), order('created', 1)] });

    const first = runShareConsumer(t, program, broker, 'workers', 'orders', 2, 'accept');
    assert.equal(await first.exited, 0);
    assert.deepEqual(first.received.map((r) => [r.offset, r.deliveryCount, r.value]), [[1, 1, '{"total":50}'], [3, 1, '{"total":11}']]);
    await waitFor('the start offset past every record', () => broker.shares.stats('workers')[0].startOffset === 5);

    await assert.rejects(
      admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.filter': 'header.type == "created" and value.total >' } }),
      (err: Error) => /INVALID_CONFIG/.test(err.message) && /share.filter is not a valid filter at column 43: expected a string, a number/.test(err.message),
    );
    await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.filter': 'header.type startsWith "cancel"' } });
    await producer.send({ topic: 'orders', messages: [order('created', 50), order('cancelled', 1)] });
    await producer.disconnect();
    const second = runShareConsumer(t, program, broker, 'workers', 'orders', 1, 'accept');
    assert.equal(await second.exited, 0);
    assert.deepEqual(second.received.map((r) => [r.offset, r.value]), [[6, '{"total":1}']], 'the new filter, and only on records not looked at before');
    assert.equal(broker.shares.stats('workers')[0].startOffset, 7);
  });

  test('rejected records are archived, never delivered again, do not hold the queue back, and are copied to the dead-letter topic', async (t) => {
    const { program, broker } = await setUp(t, 'poison', 1, 10, { 'errors.deadletterqueue.topic.name': 'dlq.workers' });
    const consumer = runShareConsumer(t, program, broker, 'workers', 'poison', 5, 'reject-odd');
    assert.equal(await consumer.exited, 0);
    assert.deepEqual(consumer.received.map((r) => r.value), ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
    const [stats] = broker.shares.stats('workers');
    assert.deepEqual([stats.startOffset, stats.available, stats.acquired], [10, 0, 0], 'accepted and rejected records are all settled');

    await waitFor('the dead letters', () => broker.shares.stats('workers')[0].deadLettered === 5);
    const letters = deadLetters(broker, 'dlq.workers');
    assert.deepEqual(letters.map((l) => [l.key, l.value, l.headers[DLQ_HEADERS.offset], l.headers[DLQ_HEADERS.reason]]), [
      ['k1', 'v1', '1', 'CLIENT_REJECTED'],
      ['k3', 'v3', '3', 'CLIENT_REJECTED'],
      ['k5', 'v5', '5', 'CLIENT_REJECTED'],
      ['k7', 'v7', '7', 'CLIENT_REJECTED'],
      ['k9', 'v9', '9', 'CLIENT_REJECTED'],
    ]);
    assert.deepEqual(
      [letters[0].headers[DLQ_HEADERS.topic], letters[0].headers[DLQ_HEADERS.partition], letters[0].headers[DLQ_HEADERS.group], letters[0].headers[DLQ_HEADERS.deliveryCount]],
      ['poison', '0', 'workers', '1'],
    );
  });

  test('records released until the delivery-count limit are archived and copied to the dead-letter topic', async (t) => {
    const { program, broker } = await setUp(t, 'flaky', 1, 3, { 'errors.deadletterqueue.topic.name': 'dlq.flaky', 'share.delivery.count.limit': '2' });
    const consumer = runShareConsumer(t, program, broker, 'workers', 'flaky', 6, 'release-all');
    assert.equal(await consumer.exited, 0);
    assert.deepEqual(consumer.received.map((r) => [r.offset, r.deliveryCount]).sort(), [[0, 1], [0, 2], [1, 1], [1, 2], [2, 1], [2, 2]]);
    await waitFor('the dead letters', () => broker.shares.stats('workers')[0]?.deadLettered === 3);
    assert.deepEqual(
      deadLetters(broker, 'dlq.flaky').map((l) => [l.value, l.headers[DLQ_HEADERS.reason], l.headers[DLQ_HEADERS.deliveryCount]]),
      [['v0', 'MAX_DELIVERY_ATTEMPTS_REACHED', '2'], ['v1', 'MAX_DELIVERY_ATTEMPTS_REACHED', '2'], ['v2', 'MAX_DELIVERY_ATTEMPTS_REACHED', '2']],
    );
  });

  test('the records of a consumer that stops answering go to another consumer once their lock expires', { timeout: 120_000 }, async (t) => {
    const { program, broker } = await setUp(t, 'held', 1, 5, { 'share.record.lock.duration.ms': '15000' });
    const holder = runShareConsumer(t, program, broker, 'workers', 'held', 5, 'hold');
    await holder.sawLine((line) => line === 'held');
    // Frozen, not dead: its connection stays open, so only the lock gives the records back.
    holder.child.kill('SIGSTOP');
    assert.deepEqual(holder.received.map((r) => [r.offset, r.deliveryCount]), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]]);

    const rescuer = runShareConsumer(t, program, broker, 'workers', 'held', 5, 'accept');
    assert.equal(await rescuer.exited, 0);
    assert.deepEqual(rescuer.received.map((r) => [r.offset, r.deliveryCount, r.value]), [[0, 2, 'v0'], [1, 2, 'v1'], [2, 2, 'v2'], [3, 2, 'v3'], [4, 2, 'v4']]);
  });

  test('the records of a consumer killed while holding them go to another consumer at once, without waiting for the lock', { timeout: 40_000 }, async (t) => {
    // A lock and a session timeout longer than the test may run: only the closed connection can give the records back in time.
    const { program, broker } = await setUp(t, 'killed', 1, 5, { 'share.record.lock.duration.ms': '60000' });
    const holder = runShareConsumer(t, program, broker, 'workers', 'killed', 5, 'hold');
    await holder.sawLine((line) => line === 'held');
    holder.child.kill('SIGKILL');
    await holder.exited;
    assert.deepEqual(holder.received.map((r) => [r.offset, r.deliveryCount]), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]]);

    const rescuer = runShareConsumer(t, program, broker, 'workers', 'killed', 5, 'accept');
    assert.equal(await rescuer.exited, 0);
    assert.deepEqual(rescuer.received.map((r) => [r.offset, r.deliveryCount, r.value]), [[0, 2, 'v0'], [1, 2, 'v1'], [2, 2, 'v2'], [3, 2, 'v3'], [4, 2, 'v4']]);
  });

  for (const stop of ['SIGTERM', 'SIGKILL'] as const) {
    test(`acknowledged records stay acknowledged across a broker restart (${stop}), and the rest are delivered after it`, async (t) => {
      const program = buildLibrdkafkaProgram('share-consume');
      const dataDir = await makeDataDir(t);
      const first = await spawnBroker(t, { dataDir });
      const client = new KafkaClient({ bootstrap: first.bootstrap });
      const admin = new Admin(client);
      await admin.createTopic('durable', 1);
      await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
      const producer = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      await producer.send({ topic: 'durable', messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
      await producer.disconnect();
      await client.close();

      const before = runShareConsumer(t, program, first, 'workers', 'durable', 4, 'accept', { SHARE_CONSUME_MAX_POLL_RECORDS: '4' });
      assert.equal(await before.exited, 0);
      assert.deepEqual(before.received.map((r) => r.offset), [0, 1, 2, 3]);
      if (stop === 'SIGKILL') await first.kill9();
      else assert.equal(await first.stop(), 0);

      const second = await spawnBroker(t, { dataDir });
      const after = runShareConsumer(t, program, second, 'workers', 'durable', 6, 'accept');
      assert.equal(await after.exited, 0, second.recentOutput());
      assert.deepEqual(after.received.map((r) => r.offset), [4, 5, 6, 7, 8, 9], 'nothing acknowledged before the restart comes again');
    });
  }
});
