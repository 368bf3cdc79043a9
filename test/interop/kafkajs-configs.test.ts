// Proves that kafkajs 2.2.4, unchanged, can create topics with every topic
// config Kafka 4 knows, describe them with Kafka's defaults, and change them
// with AlterConfigs (kafkajs's alterConfigs), and that the broker applies a
// change at once: a lowered max.message.bytes refuses the next larger batch, a
// shorter retention.ms deletes old segments in the next retention pass. Also
// what it describes of the broker, and that kcat -L still lists the topics.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import type { RunningBroker } from '../../src/start-broker.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { kafkajsErrorType } from '../helpers/client-errors.js';
import { runOk } from './run-command.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';

const { Kafka, ConfigResourceTypes, logLevel } = kafkajs;
type Admin = ReturnType<InstanceType<typeof Kafka>['admin']>;
type Producer = ReturnType<InstanceType<typeof Kafka>['producer']>;

const LONG_MAX = '9223372036854775807';
const DEFAULT_CONFIG = 5;
const TOPIC_CONFIG = 1;

/** Every topic config of Kafka 4 (plus the three Kafka 3 still sends) and Sluice's own, with Kafka's defaults. */
const DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'compression.gzip.level': '-1',
  'compression.lz4.level': '9',
  'compression.type': 'producer',
  'compression.zstd.level': '3',
  'dedup.header': '',
  'dedup.window.ms': '600000',
  'delete.retention.ms': '86400000',
  'delivery.delay.ms': '0',
  'file.delete.delay.ms': '60000',
  'flush.interval.ms': '1000',
  'flush.messages': LONG_MAX,
  'flush.ms': LONG_MAX,
  'flush.policy': 'group-commit',
  'follower.replication.throttled.replicas': '',
  'index.interval.bytes': '4096',
  'leader.replication.throttled.replicas': '',
  'local.retention.bytes': '-2',
  'local.retention.ms': '-2',
  'max.compaction.lag.ms': LONG_MAX,
  'max.message.bytes': '1048588',
  'message.downconversion.enable': 'true',
  'message.timestamp.after.max.ms': '3600000',
  'message.timestamp.before.max.ms': LONG_MAX,
  'message.timestamp.difference.max.ms': LONG_MAX,
  'message.timestamp.type': 'CreateTime',
  'min.cleanable.dirty.ratio': '0.5',
  'min.compaction.lag.ms': '0',
  'min.insync.replicas': '1',
  preallocate: 'false',
  'remote.log.copy.disable': 'false',
  'remote.log.delete.on.disable': 'false',
  'remote.storage.enable': 'false',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'segment.bytes': '1073741824',
  'segment.index.bytes': '10485760',
  'segment.jitter.ms': '0',
  'segment.ms': '604800000',
  'unclean.leader.election.enable': 'false',
};

/** A valid value for each, different from the default where one exists. */
const SET: Record<string, string> = {
  'cleanup.policy': 'compact,delete',
  'compression.gzip.level': '5',
  'compression.lz4.level': '10',
  'compression.type': 'zstd',
  'compression.zstd.level': '7',
  'dedup.header': 'message-id',
  'dedup.window.ms': '60000',
  'delete.retention.ms': '3600000',
  'delivery.delay.ms': '5000',
  'file.delete.delay.ms': '1000',
  'flush.interval.ms': '2000',
  'flush.messages': '1000',
  'flush.ms': '5000',
  'flush.policy': 'os',
  'follower.replication.throttled.replicas': '0:0',
  'index.interval.bytes': '1024',
  'leader.replication.throttled.replicas': '*',
  'local.retention.bytes': '1048576',
  'local.retention.ms': '3600000',
  'max.compaction.lag.ms': '86400000',
  'max.message.bytes': '2097152',
  'message.downconversion.enable': 'false',
  'message.timestamp.after.max.ms': '60000',
  'message.timestamp.before.max.ms': '86400000',
  'message.timestamp.difference.max.ms': '86400000',
  'message.timestamp.type': 'LogAppendTime',
  'min.cleanable.dirty.ratio': '0.25',
  'min.compaction.lag.ms': '1000',
  'min.insync.replicas': '2',
  preallocate: 'true',
  'remote.log.copy.disable': 'true',
  'remote.log.delete.on.disable': 'true',
  'remote.storage.enable': 'false',
  'retention.bytes': '1073741824',
  'retention.ms': '86400000',
  'segment.bytes': '16777216',
  'segment.index.bytes': '1048576',
  'segment.jitter.ms': '1000',
  'segment.ms': '3600000',
  'unclean.leader.election.enable': 'true',
};

let admin: Admin;
let producer: Producer;

after(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
});

const broker: RunningBroker = await startInProcessBroker({ after });

before(async () => {
  const kafka = new Kafka({ clientId: 'sluice-configs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

async function describeTopic(topic: string, includeSynonyms = false) {
  const { resources } = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms });
  assert.equal(resources[0].errorCode, 0);
  return new Map(resources[0].configEntries.map((c) => [c.configName, c]));
}

function valuesOf(entries: Map<string, { configValue: string }>): Record<string, string> {
  return Object.fromEntries([...entries].map(([name, c]) => [name, c.configValue]));
}

test('createTopics accepts every Kafka topic config, and describeConfigs lists each with its value or its Kafka default', async () => {
  await admin.createTopics({ topics: [{ topic: 'cfg-all', configEntries: Object.entries(SET).map(([name, value]) => ({ name, value })) }, { topic: 'cfg-none' }] });

  const set = await describeTopic('cfg-all');
  assert.deepEqual(valuesOf(set), SET);
  assert.ok([...set.values()].every((c) => !c.isDefault && c.configSource === TOPIC_CONFIG), 'every given config is a topic override');

  const none = await describeTopic('cfg-none');
  assert.deepEqual(valuesOf(none), DEFAULTS);
  assert.ok([...none.values()].every((c) => c.isDefault && c.configSource === DEFAULT_CONFIG && !c.readOnly), 'every config not given is a default');
});

test('createTopics and alterConfigs refuse an unknown config, a bad value and remote.storage.enable=true with INVALID_CONFIG', async () => {
  for (const [name, value] of [
    ['no.such.config', '1'],
    ['compression.type', 'brotli'],
    ['min.cleanable.dirty.ratio', '1.5'],
    ['message.timestamp.after.max.ms', '-1'],
    ['remote.storage.enable', 'true'],
  ]) {
    await assert.rejects(admin.createTopics({ topics: [{ topic: 'cfg-refused', configEntries: [{ name, value }] }] }), (err) => kafkajsErrorType(err) === 'INVALID_CONFIG', `${name}=${value}`);
  }
  assert.equal((await admin.listTopics()).includes('cfg-refused'), false);

  await admin.createTopics({ topics: [{ topic: 'cfg-alter-refused' }] });
  await assert.rejects(
    admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-alter-refused', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
    (err) => kafkajsErrorType(err) === 'INVALID_CONFIG',
  );
  await assert.rejects(
    admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-no-such-topic', configEntries: [{ name: 'retention.ms', value: '1000' }] }] }),
    (err) => kafkajsErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION',
  );
  assert.equal((await describeTopic('cfg-alter-refused')).get('retention.ms')?.configValue, DEFAULTS['retention.ms'], 'a refused change changes nothing');
});

test('alterConfigs replaces the overrides of a topic; validateOnly changes nothing; synonyms show where each value comes from', async () => {
  await admin.createTopics({ topics: [{ topic: 'cfg-replace', configEntries: [{ name: 'segment.bytes', value: '1048576' }] }] });
  const alter = (validateOnly: boolean) =>
    admin.alterConfigs({ validateOnly, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-replace', configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });

  await alter(true);
  let entries = await describeTopic('cfg-replace');
  assert.deepEqual([entries.get('retention.ms')?.configValue, entries.get('segment.bytes')?.configValue], [DEFAULTS['retention.ms'], '1048576'], 'validateOnly changes nothing');

  await alter(false);
  entries = await describeTopic('cfg-replace', true);
  const retention = entries.get('retention.ms');
  assert.equal(retention?.configValue, '3600000');
  assert.deepEqual(
    retention?.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]),
    [
      ['retention.ms', '3600000', TOPIC_CONFIG],
      ['log.retention.ms', DEFAULTS['retention.ms'], DEFAULT_CONFIG],
    ],
  );
  assert.equal(entries.get('segment.bytes')?.configValue, DEFAULTS['segment.bytes'], 'AlterConfigs drops the overrides it does not name, as Kafka');
  assert.equal(entries.get('segment.bytes')?.isDefault, true);
});

test('a lowered max.message.bytes refuses the next larger batch with MESSAGE_TOO_LARGE, without a restart', async () => {
  await admin.createTopics({ topics: [{ topic: 'cfg-max-message' }] });
  const send = () => producer.send({ topic: 'cfg-max-message', acks: 1, messages: [{ value: 'x'.repeat(4000) }] });
  const [first] = await send();
  assert.equal(first.errorCode, 0);

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-max-message', configEntries: [{ name: 'max.message.bytes', value: '2048' }] }] });
  await assert.rejects(send(), (err) => kafkajsErrorType(err) === 'MESSAGE_TOO_LARGE');

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-max-message', configEntries: [] }] });
  const [again] = await send();
  assert.equal(again.errorCode, 0, 'back to the default once the override is gone');
});

test('a shorter retention.ms deletes old segments at the next retention pass, without a restart', async () => {
  const topic = 'cfg-retention';
  await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'segment.bytes', value: '1024' }] }] });
  const twoHoursAgo = String(Date.now() - 2 * 3600_000);
  for (let i = 0; i < 6; i++) await producer.send({ topic, acks: -1, messages: [{ value: `old record ${i} ${'-'.repeat(600)}`, timestamp: twoHoursAgo }] });
  const partition = broker.broker.partition(topic, 0)!;
  assert.equal(broker.broker.enforceRetention(), 0, 'the default retention.ms (7 days) keeps them');
  assert.equal(partition.logStartOffset, 0);

  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'segment.bytes', value: '1024' }, { name: 'retention.ms', value: '3600000' }] }],
  });
  assert.ok(broker.broker.enforceRetention() >= 5, 'one hour of retention deletes the two-hour-old segments');
  assert.equal(partition.logStartOffset, 6);
  const [offsets] = await admin.fetchTopicOffsets(topic);
  assert.deepEqual([offsets.low, offsets.high], ['6', '6']);
});

test('describeConfigs of the broker lists its settings by Kafka name, read-only ones marked', async () => {
  const { resources } = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }], includeSynonyms: false });
  assert.equal(resources[0].errorCode, 0);
  const entries = new Map(resources[0].configEntries.map((c) => [c.configName, c]));
  const pick = (name: string) => {
    const c = entries.get(name);
    return c && { value: c.configValue, readOnly: c.readOnly, isDefault: c.isDefault };
  };
  assert.deepEqual(pick('default.replication.factor'), { value: '1', readOnly: true, isDefault: true });
  assert.deepEqual(pick('num.partitions'), { value: '1', readOnly: true, isDefault: true });
  assert.deepEqual(pick('log.retention.ms'), { value: '604800000', readOnly: false, isDefault: true });
  assert.deepEqual(pick('message.max.bytes'), { value: '1048588', readOnly: false, isDefault: true });
  assert.deepEqual(pick('log.cleanup.policy'), { value: 'delete', readOnly: false, isDefault: true });
  assert.deepEqual(pick('compression.type'), { value: 'producer', readOnly: false, isDefault: true });
  assert.equal(pick('listeners')?.value, `PLAINTEXT://${broker.bootstrap}`);
  assert.equal(pick('log.dirs')?.value, broker.config.dataDir);

  await assert.rejects(
    admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'num.partitions', value: '3' }] }] }),
    (err) => kafkajsErrorType(err) === 'INVALID_REQUEST',
    'num.partitions is read-only',
  );
});

test('kcat -L lists the topics and their partitions after configs changed', skipUnless(kcat), async () => {
  await admin.createTopics({ topics: [{ topic: 'cfg-kcat', numPartitions: 2 }] });
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg-kcat', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
  const listed = JSON.parse((await runOk(KCAT, ['-L', '-J', '-b', broker.bootstrap, '-t', 'cfg-kcat'])).stdout.toString());
  assert.deepEqual(
    listed.topics.map((t: { topic: string; partitions: unknown[] }) => [t.topic, t.partitions.length]),
    [['cfg-kcat', 2]],
  );
});
