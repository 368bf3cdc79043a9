// Consumer groups over the HTTP API, after a real kafkajs consumer committed:
// the group is listed, its member and assignment shown, and each partition's
// lag given in offsets and in seconds (the age of the oldest record it has
// not consumed), both counted from the log start once records before the
// commit are deleted. The topic's detail names the group.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { defer } from '../helpers/broker-process.js';
import { startHttpApiBroker } from '../helpers/http-api.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'lagging';
const GROUP = 'slow-readers';

test('a group lags in offsets and in seconds after kafkajs commits, counted from the log start', async (t) => {
  const api = await startHttpApiBroker(t);
  const kafka = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
  // Ten records stamped a second apart, ten minutes ago.
  const t0 = Date.now() - 600_000;
  const stamp = (offset: number) => t0 + offset * 1000;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, timestamp: String(stamp(i)) })) });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: GROUP });
  defer(t, () => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const committed = new Promise<void>((resolve, reject) => {
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (message.offset === '3') await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: '4' }]).then(resolve, reject);
      },
    });
  });
  await committed;

  const listed = await api.call('GET', '/groups');
  assert.deepEqual(listed.json.groups, [{ groupId: GROUP, state: 'Stable', type: 'classic', protocolType: 'consumer' }]);
  const before = Date.now();
  const group = await api.call('GET', `/groups/${GROUP}`);
  const after = Date.now();
  assert.equal(group.status, 200, group.text);
  assert.equal(group.json.state, 'Stable');
  assert.equal(group.json.members.length, 1);
  assert.deepEqual(group.json.members[0].assignment, [{ topic: TOPIC, partitions: [0] }]);
  assert.equal(group.json.totalLag, 6);
  const [row] = group.json.partitions;
  assert.deepEqual({ ...row, lagSeconds: undefined }, { topic: TOPIC, partition: 0, committedOffset: 4, logStartOffset: 0, highWatermark: 10, lag: 6, lagSeconds: undefined });
  assert.ok(row.lagSeconds >= (before - stamp(4)) / 1000 && row.lagSeconds <= (after - stamp(4)) / 1000, `lagSeconds ${row.lagSeconds} is the age of offset 4`);
  assert.deepEqual((await api.call('GET', `/topics/${TOPIC}`)).json.groups, [GROUP]);

  await consumer.disconnect();
  // kafkajs's deleteTopicRecords needs the leader in the admin's metadata.
  await admin.fetchTopicMetadata({ topics: [TOPIC] });
  await admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '7' }] });
  const clampedAt = Date.now();
  const clamped = (await api.call('GET', `/groups/${GROUP}`)).json;
  assert.equal(clamped.state, 'Empty');
  assert.deepEqual(clamped.members, []);
  const [behind] = clamped.partitions;
  assert.equal(behind.logStartOffset, 7);
  assert.equal(behind.lag, 3, 'records deleted before the commit are no lag');
  assert.ok(behind.lagSeconds <= (Date.now() - stamp(7)) / 1000 && behind.lagSeconds >= (clampedAt - stamp(7)) / 1000, `lagSeconds ${behind.lagSeconds} is the age of offset 7`);

  const unknown = await api.call('GET', '/groups/nobody');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'SLUICE_HTTP_UNKNOWN_GROUP');
});
