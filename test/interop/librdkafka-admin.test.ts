// librdkafka 2.15's admin operations against Sluice, as
// @confluentinc/kafka-javascript offers them: its KafkaJS-compatible admin
// (createTopics with configs, deleteTopics, listTopics, fetchTopicMetadata,
// fetchTopicOffsets, fetchTopicOffsetsByTimestamp, deleteTopicRecords,
// listGroups, describeGroups, fetchOffsets, deleteGroups) and what only its
// node-rdkafka AdminClient has (createPartitions, listOffsets with an
// OffsetSpec). Neither API exposes DescribeConfigs, AlterConfigs or
// DescribeCluster, so configs are checked through Sluice's own client.

import assert from 'node:assert/strict';
import { type TestContext, after, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { RdProducer, callback, rdAdmin, rdkafka, within } from './librdkafka-clients.js';

let client: KafkaClient;
let sluiceAdmin: Admin;
after(() => client?.close());
const broker: RunningBroker = await startInProcessBroker({ after });
client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'librdkafka-admin-check' });
sluiceAdmin = new Admin(client);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

function kafkaFor(): Loose {
  const { Kafka, logLevel } = rdkafka().KafkaJS;
  return new Kafka({ kafkaJS: { brokers: [broker.bootstrap], logLevel: logLevel.NOTHING } });
}

/** The KafkaJS-compatible admin, disconnected when the test ends. */
async function kafkajsAdmin(t: TestContext): Promise<Loose> {
  const admin = kafkaFor().admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  return admin;
}

/** The node-rdkafka AdminClient, disconnected when the test ends. */
function nodeAdmin(t: TestContext): Loose {
  return rdAdmin(t, broker.bootstrap).native;
}

/** The librdkafka error code behind a KafkaJS-compatible error (`code`, or `.errors[0]` of an aggregate). */
function codeOf(err: Loose): number | undefined {
  return err?.code ?? err?.errors?.[0]?.code;
}

const ErrorCode = { UNKNOWN_TOPIC_OR_PARTITION: 3, INVALID_PARTITIONS: 37, INVALID_CONFIG: 40, NON_EMPTY_GROUP: 68, INVALID_TOPIC: 17 };

const byPartition = <T extends { partition: number }>(xs: T[]): T[] => xs.slice().sort((a, b) => a.partition - b.partition);

test('createTopics with partitions and configs; listTopics and fetchTopicMetadata report them; a second create reports false', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  const created = await admin.createTopics({
    topics: [
      { topic: 'rdk-admin', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'delete' }] },
      { topic: 'rdk-admin-defaults' },
    ],
  });
  assert.equal(created, true);
  assert.equal(await admin.createTopics({ topics: [{ topic: 'rdk-admin', numPartitions: 3 }] }), false);

  const names: string[] = await admin.listTopics();
  assert.ok(names.includes('rdk-admin') && names.includes('rdk-admin-defaults'), names.join(','));

  const metadata: Loose[] = await admin.fetchTopicMetadata({ topics: ['rdk-admin', 'rdk-admin-defaults'] });
  const topic = metadata.find((m) => m.name === 'rdk-admin');
  assert.deepEqual(
    topic.partitions.map((p: Loose) => ({ id: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })).sort((a: Loose, b: Loose) => a.id - b.id),
    [0, 1, 2].map((id) => ({ id, leader: 0, replicas: [0], isr: [0] })),
  );
  assert.equal(topic.isInternal, false);
  // librdkafka gives a topic id as base64 without padding.
  assert.equal(topic.topicId.base64, Buffer.from((await client.topic('rdk-admin')).topicId).toString('base64').replace(/=+$/, ''), 'the topic id of Metadata v10+');
  assert.equal(metadata.find((m) => m.name === 'rdk-admin-defaults').partitions.length, 1, 'num.partitions default');

  const configs = new Map((await sluiceAdmin.describeConfigs('rdk-admin')).map((c) => [c.name, c]));
  assert.equal(configs.get('retention.ms')?.value, '3600000');
  assert.equal(configs.get('retention.ms')?.isDefault, false);
  assert.equal(configs.get('cleanup.policy')?.value, 'delete');
});

test('createTopics refuses an illegal name, a bad config value and zero partitions with the Kafka error', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad/name' }] }), (err) => codeOf(err) === ErrorCode.INVALID_TOPIC);
  await assert.rejects(
    admin.createTopics({ topics: [{ topic: 'rdk-bad-config', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
    (err) => codeOf(err) === ErrorCode.INVALID_CONFIG,
  );
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'rdk-bad-count', numPartitions: 0 }] }), (err) => codeOf(err) === ErrorCode.INVALID_PARTITIONS);
  assert.deepEqual(
    ((await admin.listTopics()) as string[]).filter((n) => n.startsWith('rdk-bad')),
    [],
  );
});

test('createPartitions (node-rdkafka AdminClient) grows a topic, refuses to shrink it, and the new partitions take writes', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'rdk-grow', numPartitions: 2 }] });
  const node = nodeAdmin(t);
  await within('createPartitions', callback((cb) => node.createPartitions('rdk-grow', 5, 5000, cb)));
  const [meta] = await admin.fetchTopicMetadata({ topics: ['rdk-grow'] });
  assert.deepEqual(meta.partitions.map((p: Loose) => p.partitionId).sort(), [0, 1, 2, 3, 4]);
  await assert.rejects(
    within('createPartitions', callback((cb) => node.createPartitions('rdk-grow', 3, 5000, cb))),
    (err) => codeOf(err) === ErrorCode.INVALID_PARTITIONS,
  );
  const producer = await RdProducer.connect(t, broker.bootstrap);
  const [delivered] = await producer.produce('rdk-grow', [{ partition: 4, value: Buffer.from('in a new partition') }]);
  assert.deepEqual([delivered.partition, delivered.offset], [4, 0]);
});

test('deleteTopics removes a topic; deleting it again reports UNKNOWN_TOPIC_OR_PARTITION', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'rdk-doomed', numPartitions: 2 }] });
  await admin.deleteTopics({ topics: ['rdk-doomed'] });
  assert.ok(!((await admin.listTopics()) as string[]).includes('rdk-doomed'));
  const md = await client.metadata(['rdk-doomed'], false);
  assert.equal(md.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  await assert.rejects(admin.deleteTopics({ topics: ['rdk-doomed'] }), (err) => codeOf(err) === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('fetchTopicOffsets, fetchTopicOffsetsByTimestamp and deleteTopicRecords agree with what was produced', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  const topic = 'rdk-offsets';
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  const t0 = Date.now() - 60_000;
  const producer = await RdProducer.connect(t, broker.bootstrap);
  await producer.produce(topic, [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: Buffer.from(`p0-${i}`), timestamp: t0 + i * 1000 })));
  await producer.produce(topic, [0, 1].map((i) => ({ partition: 1, value: Buffer.from(`p1-${i}`), timestamp: t0 + 10_000 + i * 1000 })));

  assert.deepEqual(byPartition(await admin.fetchTopicOffsets(topic)), [
    { partition: 0, offset: '5', high: '5', low: '0' },
    { partition: 1, offset: '2', high: '2', low: '0' },
  ]);
  const byTime = async (time: number) => byPartition<{ partition: number; offset: string }>(await admin.fetchTopicOffsetsByTimestamp(topic, time));
  assert.deepEqual(await byTime(t0 + 2500), [
    { partition: 0, offset: '3' },
    { partition: 1, offset: '0' },
  ]);
  assert.deepEqual(await byTime(t0 + 11_000), [
    { partition: 0, offset: '5' },
    { partition: 1, offset: '1' },
  ], 'no record that late in partition 0: its end');

  const deleted: Loose[] = await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] });
  assert.deepEqual(deleted.map((d) => [d.partition, d.lowWatermark, d.error ?? null]), [[0, 3, null]]);
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 1, offset: '-1' }] });
  assert.deepEqual(byPartition(await admin.fetchTopicOffsets(topic)), [
    { partition: 0, offset: '5', high: '5', low: '3' },
    { partition: 1, offset: '2', high: '2', low: '2' },
  ]);
});

test('listOffsets (node-rdkafka AdminClient): EARLIEST, LATEST and a timestamp', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-list-offsets';
  await sluiceAdmin.createTopic(topic, 1);
  const t0 = Date.now() - 60_000;
  const producer = await RdProducer.connect(t, broker.bootstrap);
  await producer.produce(topic, [0, 1, 2].map((i) => ({ partition: 0, value: Buffer.from(`v${i}`), timestamp: t0 + i * 1000 })));
  const node = nodeAdmin(t);
  const { OffsetSpec } = rdkafka();
  const list = async (spec: Loose) => {
    const [r] = await within('listOffsets', callback<Loose[]>((cb) => node.listOffsets([{ topic, partition: 0, offset: spec }], {}, cb)));
    return r.offset;
  };
  assert.equal(await list(OffsetSpec.EARLIEST), 0);
  assert.equal(await list(OffsetSpec.LATEST), 3);
  assert.equal(await list(new OffsetSpec(t0 + 1500)), 2);
});

test('listOffsets MAX_TIMESTAMP finds the record with the largest timestamp', skipUnless(kafkaJavascript), async (t) => {
  const topic = 'rdk-max-timestamp';
  await sluiceAdmin.createTopic(topic, 1);
  const t0 = Date.now() - 60_000;
  const producer = await RdProducer.connect(t, broker.bootstrap);
  await producer.produce(topic, [2, 9, 4].map((s) => ({ partition: 0, value: Buffer.from(`at ${s}`), timestamp: t0 + s * 1000 })));
  const node = nodeAdmin(t);
  const [r] = await within('listOffsets', callback<Loose[]>((cb) => node.listOffsets([{ topic, partition: 0, offset: rdkafka().OffsetSpec.MAX_TIMESTAMP }], {}, cb)));
  assert.deepEqual([r.offset, r.timestamp], [1, t0 + 9000]);
});

test('listGroups, describeGroups, fetchOffsets and deleteGroups follow a KafkaJS-API consumer group through its life', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  const { ConsumerGroupStates } = rdkafka();
  const topic = 'rdk-admin-groups';
  const groupId = 'rdk-admin-group';
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  const producer = await RdProducer.connect(t, broker.bootstrap);
  await producer.produce(topic, [
    { partition: 0, value: Buffer.from('a') },
    { partition: 1, value: Buffer.from('b') },
  ]);

  // A member of the group: it has joined once it has read both records.
  const consumer = kafkaFor().consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false } });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topics: [topic] });
  const seen: string[] = [];
  await within(
    'the consumer reading both records',
    new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }: Loose) => {
          seen.push(message.value.toString());
          if (seen.length === 2) resolve();
        },
      });
    }),
  );
  await consumer.commitOffsets([
    { topic, partition: 0, offset: '1' },
    { topic, partition: 1, offset: '1' },
  ]);
  // commitOffsets resolves once librdkafka has queued the OffsetCommit, not
  // when it is answered; committed() is sent right behind it to the same
  // coordinator connection, so it answers once the commit is applied.
  const own: Loose[] = await consumer.committed([
    { topic, partition: 0 },
    { topic, partition: 1 },
  ]);
  assert.deepEqual(byPartition(own).map((p) => [p.partition, p.offset]), [
    [0, '1'],
    [1, '1'],
  ]);

  const listed: Loose = await admin.listGroups();
  const entry = listed.groups.find((g: Loose) => g.groupId === groupId);
  assert.deepEqual([entry?.protocolType, entry?.state, entry?.isSimpleConsumerGroup], ['consumer', ConsumerGroupStates.STABLE, false]);
  const stable: Loose[] = (await admin.listGroups({ matchConsumerGroupStates: [ConsumerGroupStates.STABLE] })).groups;
  assert.ok(stable.some((g) => g.groupId === groupId), 'ListGroups v4 states filter');
  const empty: Loose[] = (await admin.listGroups({ matchConsumerGroupStates: [ConsumerGroupStates.EMPTY] })).groups;
  assert.ok(!empty.some((g) => g.groupId === groupId));

  const described: Loose = (await admin.describeGroups([groupId])).groups[0];
  assert.equal(described.error ?? null, null);
  assert.equal(described.state, ConsumerGroupStates.STABLE);
  assert.equal(described.protocolType, 'consumer');
  assert.equal(described.members.length, 1);
  assert.deepEqual(
    described.members[0].assignment.topicPartitions.map((tp: Loose) => [tp.topic, tp.partition]).sort(),
    [
      [topic, 0],
      [topic, 1],
    ],
  );

  const offsets: Loose[] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(
    byPartition(offsets[0].partitions).map((p: Loose) => [p.partition, p.offset]),
    [
      [0, '1'],
      [1, '1'],
    ],
  );

  await assert.rejects(admin.deleteGroups([groupId]), (err: Loose) => err.groups?.[0]?.errorCode === ErrorCode.NON_EMPTY_GROUP, 'a group with members is not deleted');
  await consumer.disconnect();
  assert.equal((await admin.describeGroups([groupId])).groups[0].state, ConsumerGroupStates.EMPTY);
  const reports: Loose[] = await admin.deleteGroups([groupId]);
  assert.deepEqual(reports.map((r) => [r.groupId, r.error ?? null]), [[groupId, null]]);
  assert.ok(!(await admin.listGroups()).groups.some((g: Loose) => g.groupId === groupId), 'gone from listGroups');
  assert.deepEqual(await sluiceAdmin.fetchOffsets(groupId), [], 'and its offsets with it');
});

test('fetchTopicMetadata and describeGroups with includeAuthorizedOperations: without an authorizer every operation is allowed', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  const { AclOperationTypes } = rdkafka().KafkaJS;
  await admin.createTopics({ topics: [{ topic: 'rdk-authorized' }] });
  const [topic] = await admin.fetchTopicMetadata({ topics: ['rdk-authorized'], includeAuthorizedOperations: true });
  const Op = AclOperationTypes;
  const sorted = (ops: number[]) => [...ops].sort((a, b) => a - b);
  assert.deepEqual(sorted(topic.authorizedOperations), [Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]);
  await sluiceAdmin.commitOffsets('rdk-authorized-group', [{ topic: 'rdk-authorized', partition: 0, offset: 0 }]);
  const [group] = (await admin.describeGroups(['rdk-authorized-group'], { includeAuthorizedOperations: true })).groups;
  assert.deepEqual(sorted(group.authorizedOperations), [Op.READ, Op.DELETE, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]);
});

test('listGroups filtered by type (ListGroups v5) finds a classic group, and not among consumer-protocol groups', skipUnless(kafkaJavascript), async (t) => {
  const admin = await kafkajsAdmin(t);
  const { ConsumerGroupTypes } = rdkafka();
  await sluiceAdmin.createTopic('rdk-group-types', 1);
  await sluiceAdmin.commitOffsets('rdk-classic-group', [{ topic: 'rdk-group-types', partition: 0, offset: 0 }]);
  const classic: Loose[] = (await admin.listGroups({ matchConsumerGroupTypes: [ConsumerGroupTypes.CLASSIC] })).groups;
  assert.deepEqual(
    classic.filter((g) => g.groupId === 'rdk-classic-group').map((g) => g.type),
    [ConsumerGroupTypes.CLASSIC],
  );
  const consumerType: Loose[] = (await admin.listGroups({ matchConsumerGroupTypes: [ConsumerGroupTypes.CONSUMER] })).groups;
  assert.ok(!consumerType.some((g) => g.groupId === 'rdk-classic-group'));
});
