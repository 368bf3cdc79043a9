// Proves that @platformatic/kafka 1.x (the line that runs on Node 20), unchanged,
// can administer Sluice, produce to it with each acks setting and each codec it
// can write here, and fetch back. platformatic 1.x speaks only recent versions:
// Metadata 9-12 (topic ids from v10), Fetch 12-17 (Sluice serves 13: topics by
// id), Produce 7-11, CreateTopics 7, DeleteTopics 6, ApiVersions 3-4; so these
// tests also pin Sluice's flexible encodings and topic-id handling.
//
// What platformatic wrote is read back through Sluice's own client (records and
// the codec of each stored batch) and through platformatic's own Fetch
// (Consumer.fetch, which needs no group; its consume() needs consumer groups,
// which Sluice does not serve yet).

import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import {
  Admin,
  type CompressionAlgorithmValue,
  ConfigResourceTypes,
  Consumer,
  Producer,
  type ProduceResult,
  ProduceAcks,
  compatibilityPartitioner,
} from '@platformatic/kafka';
import { Admin as SluiceAdmin, KafkaClient, Producer as SluiceProducer } from '../../src/client/index.js';
import { partitionForKey } from '../../src/protocol/murmur2.js';
import { Codec } from '../../src/protocol/record-batch.js';
import type { Record as StoredRecord } from '../../src/protocol/records.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { platformaticErrorId } from '../helpers/client-errors.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';

// platformatic 1.x compresses zstd with node:zlib, which has zstd only from Node 22.15.
const zstdAvailable = typeof (zlib as unknown as Record<string, unknown>).zstdCompressSync === 'function';

const CODECS: { name: CompressionAlgorithmValue; sluice: Codec; available: boolean }[] = [
  { name: 'none', sluice: Codec.None, available: true },
  { name: 'gzip', sluice: Codec.Gzip, available: true },
  { name: 'snappy', sluice: Codec.Snappy, available: true },
  { name: 'lz4', sluice: Codec.Lz4, available: true },
  { name: 'zstd', sluice: Codec.Zstd, available: zstdAvailable },
];

const ACKS = [ProduceAcks.LEADER, ProduceAcks.ALL, ProduceAcks.NO_RESPONSE];

let admin: Admin;
let producer: Producer<Buffer, Buffer, Buffer, Buffer>;
let consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
let client: KafkaClient;

// Registered before the broker's own cleanup, so clients leave before it stops.
after(async () => {
  await consumer?.close();
  await producer?.close();
  await admin?.close();
  await client?.close();
});

// One broker for the file; each test uses topics of its own.
const broker: RunningBroker = await startInProcessBroker({ after });

const common = () => ({ clientId: 'sluice-interop', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 10_000 });

before(() => {
  admin = new Admin(common());
  producer = new Producer({ ...common(), autocreateTopics: false });
  // groupId is required by the constructor; fetch() never joins the group.
  consumer = new Consumer({ ...common(), groupId: 'sluice-interop-unused' });
  client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'interop-check' });
});

/** A Kafka topic id (16 bytes) as the UUID string platformatic uses. */
function uuidOf(id: Buffer): string {
  const h = id.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- admin ---------------------------------------------------------------------

test('createTopics, listTopics, metadata, describeConfigs, createPartitions and deleteTopics', async () => {
  const created = await admin.createTopics({ topics: ['plt-admin'], partitions: 3, configs: [{ name: 'retention.ms', value: '3600000' }] });
  assert.equal(created.length, 1);
  assert.deepEqual([created[0].name, created[0].partitions, created[0].replicas], ['plt-admin', 3, 1]);
  assert.equal(created[0].configuration['retention.ms'], '3600000', 'CreateTopics v5+ echoes the configs');
  assert.equal(created[0].configuration['segment.bytes'], String(broker.config.segmentBytes));

  const sluiceView = await client.topic('plt-admin');
  assert.equal(created[0].id, uuidOf(sluiceView.topicId), 'CreateTopics v7 returns the topic id that Metadata shows');

  await assert.rejects(admin.createTopics({ topics: ['plt-admin'], partitions: 3 }), (err) => platformaticErrorId(err) === 'TOPIC_ALREADY_EXISTS');
  const [byDefault] = await admin.createTopics({ topics: ['plt-admin-defaults'] });
  assert.equal(byDefault.partitions, broker.config.numPartitions, 'partitions -1 takes num.partitions');

  const names = await admin.listTopics();
  assert.ok(names.includes('plt-admin') && names.includes('plt-admin-defaults'), `listTopics: ${names.join(',')}`);

  const md = await admin.metadata({ topics: ['plt-admin'], forceUpdate: true });
  const topic = md.topics.get('plt-admin');
  assert.equal(topic?.id, created[0].id, 'Metadata v10+ carries the same topic id');
  assert.equal(topic?.partitionsCount, 3);
  assert.deepEqual(
    topic?.partitions.map((p) => [p.leader, p.replicas, p.isr]),
    [0, 1, 2].map(() => [0, [0], [0]]),
  );
  assert.deepEqual([...md.brokers.values()].map((b) => [b.host, b.port]), [[broker.host, broker.port]]);

  const [described] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-admin', configurationKeys: ['retention.ms', 'cleanup.policy'] }] });
  assert.deepEqual(
    described.configs.map((c) => [c.name, c.value]).sort(),
    [
      ['cleanup.policy', 'delete'],
      ['retention.ms', '3600000'],
    ],
  );

  await admin.createPartitions({ topics: [{ name: 'plt-admin', count: 4 }] });
  const grown = await admin.metadata({ topics: ['plt-admin'], forceUpdate: true });
  assert.equal(grown.topics.get('plt-admin')?.partitionsCount, 4);

  await admin.deleteTopics({ topics: ['plt-admin', 'plt-admin-defaults'] });
  const after = await admin.listTopics();
  assert.ok(!after.includes('plt-admin') && !after.includes('plt-admin-defaults'), `listTopics after delete: ${after.join(',')}`);
  const gone = await client.metadata(['plt-admin'], false);
  assert.equal(gone.topics[0].errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION after delete');
});

test('listGroups (ListGroups v5) lists classic groups by type; describeGroups gives the group\'s authorized operations', async () => {
  await admin.createTopics({ topics: ['plt-groups'], partitions: 1 });
  await new SluiceAdmin(client).commitOffsets('plt-listed-group', [{ topic: 'plt-groups', partition: 0, offset: 0 }]);
  // platformatic asks for types ['classic'] by default.
  const listed = await admin.listGroups();
  assert.deepEqual([...listed.values()].map((g) => [g.id, g.state, g.groupType]), [['plt-listed-group', 'EMPTY', 'classic']]);
  assert.equal((await admin.listGroups({ types: ['consumer'] })).size, 0);
  const described = await admin.describeGroups({ groups: ['plt-listed-group'], includeAuthorizedOperations: true });
  // READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS: every group operation, as Kafka without an authorizer.
  assert.equal(described.get('plt-listed-group')?.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11));
  await admin.deleteTopics({ topics: ['plt-groups'] });
});

test('createTopics refuses an illegal name and a bad partition count with the Kafka error', async () => {
  await assert.rejects(admin.createTopics({ topics: ['bad name!'] }), (err) => platformaticErrorId(err) === 'INVALID_TOPIC_EXCEPTION');
  await assert.rejects(admin.createTopics({ topics: ['plt-bad-count'], partitions: 0 }), (err) => platformaticErrorId(err) === 'INVALID_PARTITIONS');
  assert.ok(!(await admin.listTopics()).includes('plt-bad-count'));
});

// --- producer ------------------------------------------------------------------

interface Sent {
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer }[];
  timestamp: number;
}

function samples(topic: string, tag: string, t0: number): { messages: Parameters<typeof producer.send>[0]['messages']; expected: Sent[] } {
  const messages: Parameters<typeof producer.send>[0]['messages'] = [];
  const expected: Sent[] = [];
  for (let i = 0; i < 6; i++) {
    const key = i === 2 ? null : Buffer.from(`${tag}-key-${i}`);
    const value = Buffer.from(`${tag} value ${i} ${'y'.repeat(i * 41)}`);
    const timestamp = t0 + i;
    const headers = [
      { key: 'trace-id', value: Buffer.from(`t-${tag}-${i}`) },
      { key: 'bin', value: Buffer.from([0, 255, i]) },
    ];
    messages.push({
      topic,
      partition: 0,
      key: key ?? undefined,
      value,
      timestamp: BigInt(timestamp),
      headers: new Map(headers.map((h) => [Buffer.from(h.key), h.value])),
    });
    expected.push({ key, value, headers, timestamp });
  }
  return { messages, expected };
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

/** Reads the partition with platformatic's own Fetch and decoder. */
async function platformaticFetch(topic: string, partition: number, offset: number): Promise<Sent[]> {
  const md = await consumer.metadata({ topics: [topic], forceUpdate: true });
  const info = md.topics.get(topic);
  assert.ok(info, `metadata for ${topic}`);
  const res = await consumer.fetch({
    node: info.partitions[partition].leader,
    maxWaitTime: 100,
    topics: [{ topicId: info.id, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), lastFetchedEpoch: -1, partitionMaxBytes: 8 * 1024 * 1024 }] }],
  });
  const p = res.responses[0].partitions[0];
  assert.equal(p.errorCode, 0, `platformatic fetch ${topic}-${partition}`);
  const out: Sent[] = [];
  for (const batch of p.records ?? []) {
    for (const r of batch.records) {
      if (batch.firstOffset + BigInt(r.offsetDelta) < BigInt(offset)) continue;
      out.push({
        key: r.key,
        value: r.value,
        timestamp: Number(batch.firstTimestamp + r.timestampDelta),
        headers: r.headers.map(([k, v]) => ({ key: k?.toString() ?? '', value: v as Buffer })),
      });
    }
  }
  return out;
}

for (const codec of CODECS) {
  test(`producer with ${codec.name}: acks 1, all and 0 store the records exactly, in a ${codec.name} batch`, async (t) => {
    if (!codec.available) {
      t.skip(`platformatic 1.x writes zstd with node:zlib, which Node ${process.version} lacks`);
      return;
    }
    const topic = `plt-produce-${codec.name}`;
    await admin.createTopics({ topics: [topic], partitions: 1 });
    const t0 = Date.now() - 1000;
    let next = 0;
    for (const acks of ACKS) {
      const tag = `${codec.name}/acks=${acks}`;
      const { messages, expected } = samples(topic, tag, t0);
      const result: ProduceResult = await producer.send({ messages, acks, compression: codec.name });
      if (acks === ProduceAcks.NO_RESPONSE) {
        assert.deepEqual(result.unwritableNodes, [], `${tag}: the request was written`);
      } else {
        assert.deepEqual(result.offsets, [{ topic, partition: 0, offset: BigInt(next) }], `${tag}: produce result`);
      }
      // acks=0 has no answer: the read below waits (long-poll fetches) until the records arrive.
      const batches = await readStoredBatches(client, topic, 0, { fromOffset: next, minRecords: expected.length });
      assert.deepEqual(
        batches.map((b) => [b.codec, b.header.recordCount, b.header.baseOffset]),
        [[codec.sluice, expected.length, next]],
        `${tag}: one batch with the codec platformatic was asked for`,
      );
      assertStored(recordsOf(batches, next), expected, next, tag);
      assert.deepEqual(await platformaticFetch(topic, 0, next), expected, `${tag}: platformatic's Fetch v13 reads the same records`);
      next += expected.length;
    }

    // The other direction: a batch compressed by Sluice's client, decoded by platformatic.
    const fromSluice = samples(topic, `${codec.name}/sluice`, t0).expected;
    await new SluiceProducer(client, { acks: -1, codec: codec.sluice }).sendBatch(
      topic,
      fromSluice.map((r) => ({ ...r, partition: 0 })),
    );
    assert.deepEqual(await platformaticFetch(topic, 0, next), fromSluice, `${codec.name}: written by Sluice's producer`);
  });
}

test('with compatibilityPartitioner, keys land where Sluice murmur2 puts them; auto-created topics take writes', async () => {
  const topic = 'plt-keys';
  const numPartitions = 5;
  await admin.createTopics({ topics: [topic], partitions: numPartitions });
  const keys = Array.from({ length: 40 }, (_, i) => `order-${i * 104729}`);
  await producer.send({
    acks: ProduceAcks.ALL,
    compression: 'gzip',
    partitioner: compatibilityPartitioner,
    messages: keys.map((k) => ({ topic, key: Buffer.from(k), value: Buffer.from(`v-${k}`) })),
  });
  const expectedPartitions = new Set(keys.map((k) => partitionForKey(Buffer.from(k), numPartitions)));
  assert.ok(expectedPartitions.size >= 3, 'the keys spread over several partitions');
  for (let p = 0; p < numPartitions; p++) {
    const want = keys.filter((k) => partitionForKey(Buffer.from(k), numPartitions) === p);
    const got = want.length === 0 ? [] : recordsOf(await readStoredBatches(client, topic, p, { minRecords: want.length }));
    assert.deepEqual(
      got.map((r) => r.key?.toString()),
      want,
      `partition ${p}`,
    );
  }

  // Produce with autocreateTopics: Metadata v12 with allow_auto_topic_creation.
  const autoProducer = new Producer({ ...common(), autocreateTopics: true });
  try {
    const res = await autoProducer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'plt-auto', value: Buffer.from('first') }] });
    assert.deepEqual(res.offsets, [{ topic: 'plt-auto', partition: 0, offset: 0n }]);
  } finally {
    await autoProducer.close();
  }
  assert.deepEqual(
    recordsOf(await readStoredBatches(client, 'plt-auto', 0)).map((r) => r.value?.toString()),
    ['first'],
  );
});
