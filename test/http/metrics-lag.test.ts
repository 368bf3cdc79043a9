// GET /metrics for groups and queues: consumer group lag in offsets and seconds
// equals what the test left uncommitted, counted from the log start once
// records before the commit are deleted; the queue gauges and counters of a
// share group equal ShareCoordinator.figures() while a member holds messages.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { defer } from '../helpers/broker-process.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { RawShareMember } from '../helpers/raw-share-member.js';

const { Kafka, logLevel } = kafkajs;

/** A broker with its HTTP API, one topic of one partition, the Sluice admin and a kafkajs client of it. */
async function brokerWithTopic(t: TestContext, topic: string) {
  const api = await startHttpApiBroker(t);
  const client = new KafkaClient({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic(topic, 1);
  return { api, admin, kafka: new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING }) };
}

test('consumer group lag in offsets and seconds is what the group left uncommitted, clamped at the log start', async (t) => {
  const { api, admin, kafka } = await brokerWithTopic(t, 'backlog');
  // Ten records stamped a second apart, ten minutes ago.
  const t0 = Date.now() - 600_000;
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: 'backlog', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, timestamp: String(t0 + i * 1000) })) });
  await admin.commitOffsets('readers', [{ topic: 'backlog', partition: 0, offset: 4 }]);

  const lagging = await scrapeMetrics(api);
  const labels = { group: 'readers', topic: 'backlog' };
  assert.equal(lagging.value('sluice_consumer_group_lag', labels), 6);
  // Record 4 is the oldest the group has not consumed.
  const age = lagging.value('sluice_consumer_group_lag_seconds', labels);
  const expected = (Date.now() - (t0 + 4000)) / 1000;
  assert.ok(age <= expected && age > expected - 30, `lag ${age} s, record 4 is ${expected} s old`);

  // Records 0-6 deleted: offsets 4-6 are no one's lag any more.
  await admin.deleteRecords('backlog', 0, 7);
  const clamped = await scrapeMetrics(api);
  assert.equal(clamped.value('sluice_consumer_group_lag', labels), 3);
  assert.ok(clamped.value('sluice_consumer_group_lag_seconds', labels) < age - 2);

  await admin.commitOffsets('readers', [{ topic: 'backlog', partition: 0, offset: 10 }]);
  const caughtUp = await scrapeMetrics(api);
  assert.equal(caughtUp.value('sluice_consumer_group_lag', labels), 0);
  assert.equal(caughtUp.value('sluice_consumer_group_lag_seconds', labels), 0);
});

test('queue gauges and counters equal the share group figures while a member holds messages', async (t) => {
  const { api, admin, kafka } = await brokerWithTopic(t, 'jobs');
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  // Six batches of one record: each fetch of max_bytes 1 acquires one.
  for (let i = 0; i < 6; i++) await producer.send({ topic: 'jobs', acks: -1, messages: [{ value: `job-${i}` }] });
  // A member spoken by hand sends nothing unless told: it acquires offsets 0-2 and accepts 0.
  const member = await RawShareMember.join(t, api.broker, 'workers', 'jobs');
  for (let i = 0; i < 3; i++) assert.equal((await member.fetch([], 5000, 1)).acquiredRecords.length, 1);
  assert.equal(await member.acknowledge([{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [1] }]), 0);

  const m = await scrapeMetrics(api);
  const [{ totals }] = api.broker.shares.figures('workers');
  assert.deepEqual({ ready: totals.ready, inFlight: totals.inFlight, acknowledged: totals.acknowledged }, { ready: 3, inFlight: 2, acknowledged: 1 });
  const value = (name: string) => m.value(name, { group: 'workers' });
  assert.deepEqual(
    {
      ready: value('sluice_queue_ready_records'),
      delayed: value('sluice_queue_delayed_records'),
      inFlight: value('sluice_queue_in_flight_records'),
      acknowledged: value('sluice_queue_acknowledged_records_total'),
      archived: value('sluice_queue_archived_records_total'),
      redeliveries: value('sluice_queue_redelivered_records_total'),
      deadLettered: value('sluice_queue_dead_lettered_records_total'),
    },
    { ready: totals.ready, delayed: totals.delayed, inFlight: totals.inFlight, acknowledged: totals.acknowledged, archived: totals.archived, redeliveries: totals.redeliveries, deadLettered: totals.deadLettered },
  );
  // Read a moment before the figures, so no older than theirs.
  const age = value('sluice_queue_oldest_ready_age_seconds');
  assert.ok(age > 0 && age * 1000 <= (totals.oldestReadyAgeMs as number), `${age} s, figures ${totals.oldestReadyAgeMs} ms`);
});
