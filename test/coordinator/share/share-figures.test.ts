// ShareCoordinator.figures(): per share group and partition, the gauges
// (ready, delayed, in flight, oldest ready age) and the counters since start
// (acknowledged, archived, dead-lettered, redeliveries, filtered), with totals
// per group. A share coordinator on a fake clock over a real broker's logs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '../../../src/client/index.js';
import { DELIVER_AT_HEADER } from '../../../src/coordinator/share/delivery-plan.js';
import { ShareCoordinator } from '../../../src/coordinator/share/share-coordinator.js';
import type { SharePartitionRequest } from '../../../src/coordinator/share/share-requests.js';
import { AcknowledgeType } from '../../../src/coordinator/share/share-partition.js';
import { silentLogger } from '../../../src/logger.js';
import { waitFor } from '../../helpers/broker-process.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const { Accept, Release, Reject } = AcknowledgeType;
const zero = { ready: 0, delayed: 0, inFlight: 0, oldestReadyAgeMs: null, acknowledged: 0, archived: 0, redeliveries: 0, filtered: 0, deadLettered: 0 };

test('figures per share group and partition follow reads, acknowledgements, delays and filters, and add up per group', { timeout: 30_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t);
  const clock = new FakeClock();
  const shares = new ShareCoordinator(broker.broker, broker.config, clock, silentLogger(), () => null);
  // As the broker starts its own: the share coordinator's side loads __share_group_state, where its states are stored.
  shares.start();
  t.after(() => shares.close());
  const admin = new Admin(client);
  await admin.createTopic('jobs', 2);
  await admin.alterConfigs(
    { type: 'group', name: 'workers' },
    { set: { 'share.auto.offset.reset': 'earliest', 'errors.deadletterqueue.topic.name': 'dlq', 'share.filter': 'not exists header.skip' } },
  );
  const t0 = clock.now() - 5000;
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({
    topic: 'jobs',
    messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}`, timestamp: String(t0), headers: i === 9 ? { [DELIVER_AT_HEADER]: String(clock.now() + 60_000) } : {} })),
  });
  await producer.send({ topic: 'jobs', messages: ['a', 'b', 'c'].map((value) => ({ partition: 1, value, timestamp: String(t0 - 1000), headers: value === 'b' ? { skip: '1' } : {} })) });
  await producer.disconnect();

  assert.deepEqual(shares.figures('workers'), [], 'not a share group yet');
  const topicId = broker.broker.cluster.topic('jobs')!.topicId.toString('hex');
  const joined = shares.heartbeat('workers', { memberId: 'm1', memberEpoch: 0, rackId: null, subscribedTopicNames: ['jobs'], clientId: 'c', clientHost: 'h' });
  assert.equal(joined.errorCode, 0);
  assert.deepEqual(shares.figures(), [{ groupId: 'workers', totals: zero, partitions: [] }], 'a group that has read nothing');

  let epoch = 0;
  const fetch = async (maxRecords: number, p0: SharePartitionRequest['acknowledgements'] = []) =>
    shares.fetch({
      groupId: 'workers',
      memberId: 'm1',
      sessionEpoch: epoch++,
      maxWaitMs: 0,
      maxBytes: 1 << 20,
      maxRecords,
      partitions: [0, 1].map((partition) => ({ topicId, partition, acknowledgements: partition === 0 ? p0 : [] })),
      forgotten: [],
      connection: new AbortController().signal,
      mayRead: () => true,
    });
  const ack = (firstOffset: number, lastOffset: number, type: AcknowledgeType) => ({ firstOffset, lastOffset, acknowledgeTypes: [type] });

  await fetch(4);
  let [group] = shares.figures('workers');
  assert.deepEqual(
    group.partitions.map((p) => [p.partition, p.ready, p.inFlight, p.oldestReadyAgeMs]),
    [[0, 6, 4, 5000]],
    "only the partition read so far; unread records count as ready, and their age is their timestamp's",
  );

  await fetch(100, [ack(0, 0, Accept), ack(1, 1, Release), ack(2, 2, Reject), ack(3, 3, Accept)]);
  [group] = shares.figures('workers');
  const [p0, p1] = group.partitions;
  assert.deepEqual(
    { ...p0, deadLettered: 0 },
    { topic: 'jobs', partition: 0, startOffset: 1, endOffset: 10, ready: 0, delayed: 1, inFlight: 6, oldestReadyAgeMs: null, acknowledged: 2, archived: 1, redeliveries: 1, filtered: 0, deadLettered: 0 },
    'record 1 redelivered, 4..8 acquired, 9 waits for its delivery time',
  );
  assert.deepEqual([p1.inFlight, p1.filtered, p1.ready], [2, 1, 0], 'the record the filter does not pass is settled unseen');
  await waitFor('the rejected record in the dead-letter topic', () => shares.figures('workers')[0].partitions[0].deadLettered === 1);

  await fetch(0, [ack(1, 1, Accept), ack(4, 8, Accept)]);
  clock.advance(60_000);
  [group] = shares.figures('workers');
  assert.deepEqual(
    [group.partitions[0].ready, group.partitions[0].delayed, group.partitions[0].oldestReadyAgeMs, group.partitions[0].acknowledged],
    [1, 0, 65_000, 8],
    'record 9 came due; partition 1 had its lock expire',
  );
  assert.deepEqual(group.totals, {
    ready: 1 + 2,
    delayed: 0,
    inFlight: 0,
    oldestReadyAgeMs: 66_000,
    acknowledged: 8,
    archived: 1,
    redeliveries: 1,
    filtered: 1,
    deadLettered: 1,
  });
});
