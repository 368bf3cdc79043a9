// librdkafka 2.15 (@confluentinc/kafka-javascript's node-rdkafka API) reading
// from Sluice: assign and seek, synchronous and asynchronous commits and a
// second consumer resuming from them, committed() reading the commit just
// sent, offsetsForTimes, watermarks,
// auto.offset.reset earliest and latest for a group without offsets, and the
// OFFSET_OUT_OF_RANGE path after DeleteRecords moved the log start past the
// position: librdkafka must reset per auto.offset.reset (or report the error
// with auto.offset.reset=error), once, not fetch the same offset in a loop.

import assert from 'node:assert/strict';
import { type TestContext, after, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer, makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { RdConsumer, RdError, RdProducer, type OutRecord, callback, expectedMessage, sampleRecord, seenMessage, within } from './librdkafka-clients.js';

let client: KafkaClient;
let admin: Admin;
after(() => client?.close());
const broker: RunningBroker = await startInProcessBroker({ after });
client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'librdkafka-consume-check' });
admin = new Admin(client);

/** A topic of one partition holding `count` sample records with timestamps t0, t0+1000, ... */
async function topicWith(t: TestContext, bootstrap: string, topic: string, count: number, t0 = Date.now() - 3_600_000): Promise<OutRecord[]> {
  const records = Array.from({ length: count }, (_, i) => ({ ...sampleRecord(topic, i, t0), timestamp: t0 + i * 1000 }));
  const producer = await RdProducer.connect(t, bootstrap);
  await producer.produce(topic, records);
  await producer.disconnect();
  return records;
}

function offsetsOf(messages: { offset: number }[]): number[] {
  return messages.map((m) => m.offset);
}

test('assign at an offset, then seek forwards and backwards: each read starts where it was asked to', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-seek';
  await admin.createTopic(topic, 1);
  const records = await topicWith(t, broker.bootstrap, topic, 12);
  const consumer = await RdConsumer.connect(t, broker.bootstrap, { 'group.id': 'rdk-seek', 'enable.auto.commit': false });

  consumer.assign([{ topic, partition: 0, offset: 2 }]);
  const first = await consumer.read(3);
  assert.deepEqual(first.map(seenMessage), records.slice(2, 5).map((r, i) => expectedMessage(r, 2 + i)));

  await consumer.seek({ topic, partition: 0, offset: 9 });
  assert.deepEqual(offsetsOf(await consumer.read(3)), [9, 10, 11]);

  await consumer.seek({ topic, partition: 0, offset: 0 });
  const again = await consumer.read(2);
  assert.deepEqual(again.map(seenMessage), records.slice(0, 2).map((r, i) => expectedMessage(r, i)));
});

// commitSync blocks the JavaScript thread until the broker answers, so this
// broker runs in a process of its own.
test('commitSync and an async commit are stored; a new consumer of the group resumes from them', skipUnless(kafkaJavascript), async (t) => {
  const spawned = await spawnBroker(t, { dataDir: await makeDataDir(t) });
  const ownClient = new KafkaClient({ bootstrap: spawned.bootstrap });
  defer(t, () => ownClient.close());
  const topic = 'rdk-commit';
  const group = 'rdk-commit-group';
  await new Admin(ownClient).createTopic(topic, 1);
  const records = await topicWith(t, spawned.bootstrap, topic, 10);
  const config = { 'group.id': group, 'enable.auto.commit': false, offset_commit_cb: true };
  const tp = { topic, partition: 0 };

  const first = await RdConsumer.connect(t, spawned.bootstrap, config);
  first.assign([{ ...tp, offset: 0 }]);
  assert.deepEqual(offsetsOf(await first.read(4)), [0, 1, 2, 3]);
  first.native.commitSync([{ ...tp, offset: 4 }]);
  assert.deepEqual(
    (await first.committed([tp])).map((c) => c.offset),
    [4],
    'commitSync stored offset 4',
  );
  assert.deepEqual(offsetsOf(await first.read(6)), [4, 5, 6, 7, 8, 9]);
  const committed = await first.commitAsync([{ ...tp, offset: 7, metadata: 'checkpoint 7' }]);
  assert.deepEqual(committed.map((c) => [c.partition, c.offset]), [[0, 7]], 'offset_commit_cb reports the async commit');
  assert.deepEqual(
    (await first.committed([tp])).map((c) => [c.offset, c.metadata]),
    [[7, 'checkpoint 7']],
    'the commit metadata comes back',
  );
  await first.disconnect();

  const resumed = await RdConsumer.connect(t, spawned.bootstrap, { ...config, 'auto.offset.reset': 'earliest' });
  resumed.assign([tp]); // no offset: librdkafka starts from the group's committed offset
  const rest = await resumed.read(3);
  assert.deepEqual(rest.map(seenMessage), records.slice(7).map((r, i) => expectedMessage(r, 7 + i)));
  const fetched = await new Admin(ownClient).fetchOffsets(group);
  assert.deepEqual(
    fetched.map((o) => [o.topic, o.partition, o.offset]),
    [[topic, 0, 7]],
    "Sluice's OffsetFetch agrees",
  );
});

test('committed() right after an async commit() reads that commit', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-read-your-commit';
  await admin.createTopic(topic, 1);
  await topicWith(t, broker.bootstrap, topic, 1);
  const consumer = await RdConsumer.connect(t, broker.bootstrap, { 'group.id': 'rdk-read-your-commit', 'enable.auto.commit': false, offset_commit_cb: true });
  const tp = { topic, partition: 0 };
  consumer.assign([{ ...tp, offset: 0 }]);
  await consumer.read(1);
  // A first commit, awaited, so that librdkafka knows the coordinator: from
  // then on it sends both to it on one connection, the OffsetFetch right
  // behind the OffsetCommit.
  await consumer.commitAsync([{ ...tp, offset: 1 }]);
  for (let offset = 2; offset <= 6; offset++) {
    consumer.native.commit([{ ...tp, offset }]);
    assert.deepEqual((await consumer.committed([tp])).map((c) => c.offset), [offset]);
  }
});

test('offsetsForTimes finds the first record at or after a time, and the end for a later time', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-times';
  await admin.createTopic(topic, 2);
  const t0 = Date.now() - 3_600_000;
  await topicWith(t, broker.bootstrap, topic, 5, t0);
  const consumer = await RdConsumer.connect(t, broker.bootstrap, { 'group.id': 'rdk-times' });
  const lookup = (time: number) =>
    within(
      'offsetsForTimes',
      callback<{ partition: number; offset: number }[]>((cb) =>
        consumer.native.offsetsForTimes(
          [
            { topic, partition: 0, offset: time },
            { topic, partition: 1, offset: time },
          ],
          5000,
          cb,
        ),
      ),
    );
  const asPairs = (xs: { partition: number; offset: number }[]) => xs.map((x) => [x.partition, x.offset]).sort((a, b) => a[0] - b[0]);
  assert.deepEqual(asPairs(await lookup(t0 + 2500)), [
    [0, 3],
    [1, -1],
  ]);
  assert.deepEqual(asPairs(await lookup(t0)), [
    [0, 0],
    [1, -1],
  ]);
  assert.deepEqual(asPairs(await lookup(t0 + 60_000)), [
    [0, -1],
    [1, -1],
  ], 'no record that late: -1 (librdkafka: the end)');
});

test('watermarks: queryWatermarkOffsets from the broker, getWatermarkOffsets from the fetches, both after DeleteRecords', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-watermarks';
  await admin.createTopic(topic, 1);
  await topicWith(t, broker.bootstrap, topic, 8);
  const consumer = await RdConsumer.connect(t, broker.bootstrap, { 'group.id': 'rdk-watermarks', 'enable.auto.commit': false, 'enable.partition.eof': true });
  const query = () => within('watermarks', callback<{ lowOffset: number; highOffset: number }>((cb) => consumer.native.queryWatermarkOffsets(topic, 0, 5000, cb)));
  assert.deepEqual(await query(), { lowOffset: 0, highOffset: 8 });

  await admin.deleteRecords(topic, 0, 3);
  assert.deepEqual(await query(), { lowOffset: 3, highOffset: 8 });

  consumer.assign([{ topic, partition: 0, offset: 3 }]);
  const { messages, endOffset } = await consumer.readToEnd(topic, 0);
  assert.deepEqual(offsetsOf(messages), [3, 4, 5, 6, 7]);
  assert.equal(endOffset, 8);
  assert.deepEqual(consumer.native.getWatermarkOffsets(topic, 0), { lowOffset: 3, highOffset: 8 }, 'cached from the Fetch responses');
});

for (const reset of ['earliest', 'latest'] as const) {
  test(`auto.offset.reset=${reset}: a group without committed offsets starts at the ${reset === 'earliest' ? 'log start' : 'log end'}`, skipUnless(kafkaJavascript), async (t) => {
    const topic = `rdk-reset-${reset}`;
    await admin.createTopic(topic, 1);
    await topicWith(t, broker.bootstrap, topic, 4);
    const consumer = await RdConsumer.connect(t, broker.bootstrap, {
      'group.id': `rdk-reset-${reset}`,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'auto.offset.reset': reset,
    });
    consumer.assign([{ topic, partition: 0 }]);
    const { messages, endOffset } = await consumer.readToEnd(topic, 0);
    assert.deepEqual(offsetsOf(messages), reset === 'earliest' ? [0, 1, 2, 3] : []);
    assert.equal(endOffset, 4);

    const producer = await RdProducer.connect(t, broker.bootstrap);
    await producer.produce(topic, [sampleRecord('later', 0, Date.now())]);
    assert.deepEqual(offsetsOf(await consumer.read(1)), [4], 'then reads what comes next');
  });
}

// A Fetch below the log start answers OFFSET_OUT_OF_RANGE with an empty
// record set (records null made librdkafka refetch the same offset for ever);
// librdkafka then resets by auto.offset.reset with one ListOffsets round trip.
const OUT_OF_RANGE_WAIT_MS = 10_000;

for (const reset of ['earliest', 'latest'] as const) {
  test(`OFFSET_OUT_OF_RANGE below the log start after DeleteRecords resets to the ${reset} offset once (auto.offset.reset=${reset})`, skipUnless(kafkaJavascript), async (t) => {
    const topic = `rdk-out-of-range-${reset}`;
    await admin.createTopic(topic, 1);
    await topicWith(t, broker.bootstrap, topic, 10);
    await admin.deleteRecords(topic, 0, 6);
    const consumer = await RdConsumer.connect(t, broker.bootstrap, {
      'group.id': `rdk-oor-${reset}`,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'auto.offset.reset': reset,
    });
    consumer.assign([{ topic, partition: 0, offset: 2 }]);
    const { messages, endOffset } = await consumer.readToEnd(topic, 0, OUT_OF_RANGE_WAIT_MS);
    assert.deepEqual(offsetsOf(messages), reset === 'earliest' ? [6, 7, 8, 9] : []);
    assert.equal(endOffset, 10);
    const producer = await RdProducer.connect(t, broker.bootstrap);
    await producer.produce(topic, [sampleRecord('later', 0, Date.now())]);
    assert.deepEqual(offsetsOf(await consumer.read(1, OUT_OF_RANGE_WAIT_MS)), [10], 'then reads what comes next');
  });
}

test('OFFSET_OUT_OF_RANGE with auto.offset.reset=error is reported to the application', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-out-of-range-error';
  await admin.createTopic(topic, 1);
  await topicWith(t, broker.bootstrap, topic, 5);
  await admin.deleteRecords(topic, 0, 3);
  const consumer = await RdConsumer.connect(t, broker.bootstrap, { 'group.id': 'rdk-oor-error', 'enable.auto.commit': false, 'auto.offset.reset': 'error' });
  consumer.assign([{ topic, partition: 0, offset: 1 }]);
  const err = await consumer.nextError(OUT_OF_RANGE_WAIT_MS);
  assert.equal(err.code, RdError.AUTO_OFFSET_RESET, err.message);
});
