// Proves that kafkajs 2.2.4, unchanged, can administer Sluice and produce to
// it with every acks setting and every codec, and that what it wrote is stored
// exactly: read back through Sluice's own client (which also shows the codec
// of each stored batch) and through kafkajs's own Fetch decoder.
//
// kafkajs ships gzip only; the other codecs come from test/helpers/kafkajs-codecs.ts,
// none of them Sluice's compression module, so each codec is checked across two
// independent implementations.
//
// Reading back goes through kafkajsFetch(), which drives the Fetch path
// kafkajs's consumer uses through its internal Cluster (its request encoding
// and response decoding) at exact offsets; group consumers are tested in
// kafkajs-groups.test.ts.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin as SluiceAdmin, KafkaClient, Producer as SluiceProducer } from '../../src/client/index.js';
import { partitionForKey } from '../../src/protocol/murmur2.js';
import { Codec } from '../../src/protocol/record-batch.js';
import type { Record as StoredRecord } from '../../src/protocol/records.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { kafkajsErrorType } from '../helpers/client-errors.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';

const { Kafka, CompressionTypes, ConfigResourceTypes, logLevel } = kafkajs;
type KafkaInstance = InstanceType<typeof Kafka>;
type Admin = ReturnType<KafkaInstance['admin']>;
type Producer = ReturnType<KafkaInstance['producer']>;

const require = createRequire(import.meta.url);

await registerKafkajsCodecs();

const CODECS: { name: string; kafkajs: number; sluice: Codec }[] = [
  { name: 'none', kafkajs: CompressionTypes.None, sluice: Codec.None },
  { name: 'gzip', kafkajs: CompressionTypes.GZIP, sluice: Codec.Gzip },
  { name: 'snappy', kafkajs: CompressionTypes.Snappy, sluice: Codec.Snappy },
  { name: 'lz4', kafkajs: CompressionTypes.LZ4, sluice: Codec.Lz4 },
  { name: 'zstd', kafkajs: CompressionTypes.ZSTD, sluice: Codec.Zstd },
];

// --- kafkajs internals for a plain Fetch ---------------------------------------

interface KafkajsMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
  isControlRecord: boolean;
}

interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string | number }): Promise<{
    fetch(req: object): Promise<{ responses: { topicName: string; partitions: { partition: number; errorCode: number; highWatermark: string; messages: KafkajsMessage[] }[] }[] }>;
  }>;
}

const KafkajsClusterClass = require('kafkajs/src/cluster/index.js') as new (options: object) => KafkajsCluster;
const kafkajsLoggers = require('kafkajs/src/loggers/index.js') as { createLogger(o: object): object; LEVELS: { NOTHING: number } };
const kafkajsSocketFactory = require('kafkajs/src/network/socketFactory.js') as () => unknown;

/** Fetches one partition from `offset` with kafkajs's Fetch (v11) and decoder. */
async function kafkajsFetch(topic: string, partition: number, offset: number): Promise<KafkajsMessage[]> {
  const cluster = new KafkajsClusterClass({
    logger: kafkajsLoggers.createLogger({ level: kafkajsLoggers.LEVELS.NOTHING, logCreator: () => () => {} }),
    socketFactory: kafkajsSocketFactory(),
    brokers: [broker.bootstrap],
    clientId: 'sluice-interop-fetch',
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 0 },
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: 1,
  });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    const [leader] = Object.keys(cluster.findLeaderForPartitions(topic, [partition]));
    const conn = await cluster.findBroker({ nodeId: leader });
    const res = await conn.fetch({
      replicaId: -1,
      isolationLevel: 1,
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 10 * 1024 * 1024,
      topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: 8 * 1024 * 1024 }] }],
    });
    const p = res.responses[0].partitions[0];
    assert.equal(p.errorCode, 0, `kafkajs fetch ${topic}-${partition}`);
    return p.messages.filter((m) => !m.isControlRecord && Number(m.offset) >= offset);
  } finally {
    await cluster.disconnect();
  }
}

// --- records -------------------------------------------------------------------

interface Sent {
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer }[];
  timestamp: number;
}

/** A kafkajs message and the record Sluice must store for it. */
function sample(tag: string, i: number, t0: number): { message: Parameters<Producer['send']>[0]['messages'][number]; expected: Sent } {
  const value = i % 5 === 4 ? null : Buffer.from(`${tag} value ${i} ${'x'.repeat(i * 37)}`);
  const key = i % 5 === 3 ? null : Buffer.from(`${tag}-key-${i}`);
  const timestamp = t0 + i;
  return {
    message: {
      key,
      value,
      partition: 0,
      timestamp: String(timestamp),
      headers: { 'trace-id': `t-${tag}-${i}`, multi: ['first', Buffer.from([0, 1, 2, 255])] },
    },
    expected: {
      key,
      value,
      timestamp,
      headers: [
        { key: 'trace-id', value: Buffer.from(`t-${tag}-${i}`) },
        { key: 'multi', value: Buffer.from('first') },
        { key: 'multi', value: Buffer.from([0, 1, 2, 255]) },
      ],
    },
  };
}

function assertStored(actual: StoredRecord[], expected: Sent[], firstOffset: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: record count`);
  actual.forEach((r, i) => {
    assert.deepEqual(
      { offset: r.offset, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp },
      { offset: firstOffset + i, ...expected[i] },
      `${what}: record ${i}`,
    );
  });
}

function assertKafkajsFetched(actual: KafkajsMessage[], expected: Sent[], firstOffset: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: kafkajs fetched count`);
  actual.forEach((m, i) => {
    const e = expected[i];
    assert.equal(m.offset, String(firstOffset + i), `${what}: offset of ${i}`);
    assert.equal(m.timestamp, String(e.timestamp), `${what}: timestamp of ${i}`);
    assert.deepEqual(m.key, e.key, `${what}: key of ${i}`);
    assert.deepEqual(m.value, e.value, `${what}: value of ${i}`);
    assert.deepEqual(m.headers, { 'trace-id': e.headers[0].value, multi: [e.headers[1].value, e.headers[2].value] }, `${what}: headers of ${i}`);
  });
}

// --- fixtures ------------------------------------------------------------------

let kafka: KafkaInstance;
let admin: Admin;
let producer: Producer;
let client: KafkaClient;

// Registered before the broker's own cleanup, so clients leave before it stops.
after(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await client?.close();
});

// One broker for the file; each test uses topics of its own.
const broker: RunningBroker = await startInProcessBroker({ after });

before(async () => {
  kafka = new Kafka({
    clientId: 'sluice-interop',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
    connectionTimeout: 3000,
    requestTimeout: 10000,
  });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'interop-check' });
});

// --- admin ---------------------------------------------------------------------

test('createTopics creates topics with partition counts and configs that metadata, listTopics and describeConfigs report', async () => {
  const created = await admin.createTopics({
    topics: [
      { topic: 'kjs-admin', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'delete' }] },
      { topic: 'kjs-admin-defaults' },
    ],
  });
  assert.equal(created, true);
  assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin', numPartitions: 3 }] }), false, 'a second create reports that nothing was created');

  const names = await admin.listTopics();
  assert.ok(names.includes('kjs-admin') && names.includes('kjs-admin-defaults'), `listTopics: ${names.join(',')}`);

  const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-admin', 'kjs-admin-defaults'] });
  const byName = new Map(topics.map((t) => [t.name, t]));
  const partitions = byName.get('kjs-admin')?.partitions.slice().sort((a, b) => a.partitionId - b.partitionId);
  assert.deepEqual(
    partitions?.map((p) => ({ id: p.partitionId, error: p.partitionErrorCode, leader: p.leader, replicas: p.replicas, isr: p.isr })),
    [0, 1, 2].map((id) => ({ id, error: 0, leader: 0, replicas: [0], isr: [0] })),
  );
  assert.equal(byName.get('kjs-admin-defaults')?.partitions.length, 1, 'num.partitions default is 1');

  const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-admin' }], includeSynonyms: false });
  const [resource] = described.resources;
  assert.equal(resource.errorCode, 0);
  const entries = new Map(resource.configEntries.map((c) => [c.configName, c]));
  assert.equal(entries.get('retention.ms')?.configValue, '3600000');
  assert.equal(entries.get('retention.ms')?.isDefault, false);
  assert.equal(entries.get('cleanup.policy')?.configValue, 'delete');
  assert.equal(entries.get('segment.bytes')?.isDefault, true, 'configs not given are listed with their defaults');

  const one = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-admin', configNames: ['retention.ms'] }], includeSynonyms: false });
  assert.deepEqual(one.resources[0].configEntries.map((c) => [c.configName, c.configValue]), [['retention.ms', '3600000']]);

  const brokerConfigs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }], includeSynonyms: false });
  const numPartitions = brokerConfigs.resources[0].configEntries.find((c) => c.configName === 'num.partitions');
  assert.equal(numPartitions?.configValue, '1');
});

test('createTopics refuses an illegal name, a bad config and a bad partition count with the Kafka error', async () => {
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad/name' }] }), (err) => kafkajsErrorType(err) === 'INVALID_TOPIC_EXCEPTION');
  await assert.rejects(
    admin.createTopics({ topics: [{ topic: 'kjs-bad-config', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
    (err) => kafkajsErrorType(err) === 'INVALID_CONFIG',
  );
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'kjs-bad-count', numPartitions: 0 }] }), (err) => kafkajsErrorType(err) === 'INVALID_PARTITIONS');
  const names = await admin.listTopics();
  assert.deepEqual(
    names.filter((n) => n.startsWith('kjs-bad')),
    [],
    'nothing was created',
  );
});

test('createPartitions grows a topic and refuses to shrink it', async () => {
  await admin.createTopics({ topics: [{ topic: 'kjs-grow', numPartitions: 2 }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 5 }] });
  const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-grow'] });
  assert.deepEqual(topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3, 4]);
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 3 }] }), (err) => kafkajsErrorType(err) === 'INVALID_PARTITIONS');

  // The new partitions take writes.
  const [meta] = await producer.send({ topic: 'kjs-grow', acks: -1, messages: [{ partition: 4, value: 'in a new partition' }] });
  assert.deepEqual([meta.partition, meta.errorCode, meta.baseOffset], [4, 0, '0']);
});

test('createPartitions and createTopics check manual replica assignments as Kafka does', async () => {
  await admin.createTopics({ topics: [{ topic: 'kjs-assigned', numPartitions: 1 }] });
  // Regression: [[10]] on a one-broker cluster was accepted.
  for (const assignments of [[[10]], [[0], [0]], [[0, 0]]]) {
    await assert.rejects(
      admin.createPartitions({ topicPartitions: [{ topic: 'kjs-assigned', count: 2, assignments }] }),
      (err) => kafkajsErrorType(err) === 'INVALID_REPLICA_ASSIGNMENT',
      JSON.stringify(assignments),
    );
  }
  await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-assigned', count: 3, assignments: [[0], [0]] }] });
  const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-assigned'] });
  assert.deepEqual(topics[0].partitions.map((p) => [p.partitionId, p.replicas]).sort(), [[0, [0]], [1, [0]], [2, [0]]]);

  await assert.rejects(
    admin.createTopics({ topics: [{ topic: 'kjs-assigned-elsewhere', replicaAssignment: [{ partition: 0, replicas: [3] }] }] }),
    (err) => kafkajsErrorType(err) === 'INVALID_REPLICA_ASSIGNMENT',
  );
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'kjs-rf3', replicationFactor: 3 }] }), (err) => kafkajsErrorType(err) === 'INVALID_REPLICATION_FACTOR');
  await admin.createTopics({ topics: [{ topic: 'kjs-assigned-here', replicaAssignment: [{ partition: 1, replicas: [0] }, { partition: 0, replicas: [0] }] }] });
  const created = await admin.fetchTopicMetadata({ topics: ['kjs-assigned-here'] });
  assert.deepEqual(created.topics[0].partitions.map((p) => [p.partitionId, p.replicas]).sort(), [[0, [0]], [1, [0]]]);
});

test('deleteTopics removes a topic from listTopics and from metadata', async () => {
  // Clients of their own: kafkajs keeps asking for every topic it has used,
  // so the shared clients must never touch the deleted topic.
  const ownAdmin = kafka.admin();
  const ownProducer = kafka.producer({ allowAutoTopicCreation: false });
  await ownAdmin.connect();
  await ownProducer.connect();
  try {
    await ownAdmin.createTopics({ topics: [{ topic: 'kjs-doomed', numPartitions: 2 }] });
    await ownProducer.send({ topic: 'kjs-doomed', acks: -1, messages: [{ partition: 1, value: 'soon gone' }] });
    await ownAdmin.deleteTopics({ topics: ['kjs-doomed'] });
    assert.ok(!(await ownAdmin.listTopics()).includes('kjs-doomed'));
    const md = await client.metadata(['kjs-doomed'], false);
    assert.equal(md.topics[0].errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION after delete');
    await assert.rejects(ownAdmin.deleteTopics({ topics: ['kjs-doomed'] }), (err) => kafkajsErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION');
  } finally {
    await ownProducer.disconnect();
    await ownAdmin.disconnect();
  }
});

test('fetchTopicOffsets, fetchTopicOffsetsByTimestamp and deleteTopicRecords agree with what was produced', async () => {
  const topic = 'kjs-offsets';
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  const t0 = Date.now() - 60_000;
  await producer.send({ topic, acks: -1, messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `p0-${i}`, timestamp: String(t0 + i * 1000) })) });
  await producer.send({ topic, acks: -1, messages: [0, 1].map((i) => ({ partition: 1, value: `p1-${i}`, timestamp: String(t0 + 10_000 + i * 1000) })) });

  const sortByPartition = <T extends { partition: number }>(xs: T[]) => xs.slice().sort((a, b) => a.partition - b.partition);
  assert.deepEqual(sortByPartition(await admin.fetchTopicOffsets(topic)), [
    { partition: 0, offset: '5', high: '5', low: '0' },
    { partition: 1, offset: '2', high: '2', low: '0' },
  ]);

  // First record at or after the time; none after (-1) becomes the high watermark in kafkajs.
  assert.deepEqual(sortByPartition(await admin.fetchTopicOffsetsByTimestamp(topic, t0 + 2500)), [
    { partition: 0, offset: '3' },
    { partition: 1, offset: '0' },
  ]);
  assert.deepEqual(sortByPartition(await admin.fetchTopicOffsetsByTimestamp(topic, t0 + 11_000)), [
    { partition: 0, offset: '5' },
    { partition: 1, offset: '1' },
  ]);
  assert.deepEqual(sortByPartition(await admin.fetchTopicOffsetsByTimestamp(topic, t0)), [
    { partition: 0, offset: '0' },
    { partition: 1, offset: '0' },
  ]);

  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] });
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 1, offset: '-1' }] });
  assert.deepEqual(sortByPartition(await admin.fetchTopicOffsets(topic)), [
    { partition: 0, offset: '5', high: '5', low: '3' },
    { partition: 1, offset: '2', high: '2', low: '2' },
  ]);
  const left = recordsOf(await readStoredBatches(client, topic, 0, { fromOffset: 3, minRecords: 2 }), 3);
  assert.deepEqual(
    left.map((r) => [r.offset, r.value?.toString()]),
    [
      [3, 'p0-3'],
      [4, 'p0-4'],
    ],
  );
  const sluiceView = await new SluiceAdmin(client).listOffsets(topic, [0], -2);
  assert.equal(sluiceView.get(0)?.offset, 3, "Sluice's own ListOffsets sees the new log start");
});

// --- producer ------------------------------------------------------------------

for (const codec of CODECS) {
  test(`producer with ${codec.name}: acks 0, 1 and -1 store the records exactly, in a ${codec.name} batch`, async () => {
    const topic = `kjs-produce-${codec.name}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const t0 = Date.now() - 1000;
    let next = 0;
    for (const acks of [1, -1, 0]) {
      const tag = `${codec.name}/acks=${acks}`;
      const samples = Array.from({ length: 7 }, (_, i) => sample(tag, i, t0));
      const result = await producer.send({ topic, acks, compression: codec.kafkajs, messages: samples.map((s) => s.message) });
      if (acks !== 0) {
        assert.deepEqual(
          result.map((m) => [m.partition, m.errorCode, m.baseOffset]),
          [[0, 0, String(next)]],
          `${tag}: produce result`,
        );
      }
      // acks=0 has no answer: the read below waits (long-poll fetches) until the records arrive.
      const batches = await readStoredBatches(client, topic, 0, { fromOffset: next, minRecords: samples.length });
      assert.deepEqual(
        batches.map((b) => [b.codec, b.header.recordCount, b.header.baseOffset]),
        [[codec.sluice, samples.length, next]],
        `${tag}: one batch with the codec kafkajs was asked for`,
      );
      const expected = samples.map((s) => s.expected);
      assertStored(recordsOf(batches, next), expected, next, tag);
      assertKafkajsFetched(await kafkajsFetch(topic, 0, next), expected, next, tag);
      next += samples.length;
    }

    // The other direction: a batch compressed by Sluice's client, decoded by kafkajs.
    const fromSluice = Array.from({ length: 4 }, (_, i) => sample(`${codec.name}/sluice`, i, t0).expected);
    await new SluiceProducer(client, { acks: -1, codec: codec.sluice }).sendBatch(
      topic,
      fromSluice.map((r) => ({ ...r, partition: 0 })),
    );
    assertKafkajsFetched(await kafkajsFetch(topic, 0, next), fromSluice, next, `${codec.name}: written by Sluice's producer`);
  });
}

test("the default partitioner puts each key in the partition Sluice's murmur2 picks, in batches spread over a request", async () => {
  const topic = 'kjs-keys';
  const numPartitions = 6;
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  const keys = Array.from({ length: 60 }, (_, i) => `user-${i * 7919}`);
  const result = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: keys.map((key) => ({ key, value: `value of ${key}` })) });
  const expectedPartitions = new Set(keys.map((k) => partitionForKey(Buffer.from(k), numPartitions)));
  assert.ok(expectedPartitions.size >= 4, 'the keys spread over several partitions');
  assert.deepEqual(new Set(result.map((m) => m.partition)), expectedPartitions, 'one produce result per partition written');

  let total = 0;
  for (let p = 0; p < numPartitions; p++) {
    const want = keys.filter((k) => partitionForKey(Buffer.from(k), numPartitions) === p);
    const got = want.length === 0 ? [] : recordsOf(await readStoredBatches(client, topic, p, { minRecords: want.length }));
    assert.deepEqual(
      got.map((r) => r.key?.toString()),
      want,
      `partition ${p} holds exactly the keys murmur2 maps to it, in send order`,
    );
    for (const r of got) assert.equal(r.value?.toString(), `value of ${r.key?.toString()}`);
    total += got.length;
  }
  assert.equal(total, keys.length);
  const offsets = await admin.fetchTopicOffsets(topic);
  assert.equal(
    offsets.reduce((sum, o) => sum + Number(o.high), 0),
    keys.length,
    'no partition holds anything else',
  );
});
