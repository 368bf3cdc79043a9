// Proves that @platformatic/kafka 1.x, unchanged, can change configs with
// IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT) on topics, this
// broker and groups, and read them back with DescribeConfigs v4 (sources,
// synonyms, config types, documentation); and that dynamic broker configs
// apply to topics at once and survive a restart.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type TestContext, after, before, test } from 'node:test';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes as Op, ProduceAcks, Producer } from '@platformatic/kafka';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer, makeDataDir } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';
import { platformaticErrorId } from '../helpers/client-errors.js';

const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT_BROKER: 3, DEFAULT: 5, GROUP: 8 };
const Type = { BOOLEAN: 1, INT: 3, LONG: 5, LIST: 7 };

let admin: Admin;
after(async () => {
  await admin?.close();
});
const broker: RunningBroker = await startInProcessBroker({ after });

const options = (bootstrap: string) => ({ clientId: 'sluice-configs', bootstrapBrokers: [bootstrap], retries: 0, timeout: 10_000 });

before(() => {
  admin = new Admin(options(broker.bootstrap));
});

type ResourceType = (typeof ConfigResourceTypes)[keyof typeof ConfigResourceTypes];

async function describe(a: Admin, resourceType: ResourceType, resourceName: string) {
  const [result] = await a.describeConfigs({ resources: [{ resourceType, resourceName, configurationKeys: null }], includeSynonyms: true, includeDocumentation: true });
  return new Map(result.configs.map((c) => [c.name, c]));
}

function sourced(entries: Map<string, { value?: string | null; configSource: number }>, name: string): [string | null | undefined, number] | undefined {
  const c = entries.get(name);
  return c && [c.value, c.configSource];
}

test('IncrementalAlterConfigs SET, APPEND, SUBTRACT and DELETE change single topic configs; validateOnly changes nothing', async () => {
  await admin.createTopics({ topics: ['plt-inc'], partitions: 1, replicas: 1 });
  const alter = (configs: Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][0]['configs'], validateOnly = false) =>
    admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-inc', configs }], validateOnly });

  await alter([{ name: 'retention.ms', configOperation: Op.SET, value: '3600000' }], true);
  assert.deepEqual(sourced(await describe(admin, ConfigResourceTypes.TOPIC, 'plt-inc'), 'retention.ms'), ['604800000', Source.DEFAULT], 'validateOnly');

  await alter([
    { name: 'retention.ms', configOperation: Op.SET, value: '3600000' },
    { name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' },
  ]);
  let entries = await describe(admin, ConfigResourceTypes.TOPIC, 'plt-inc');
  assert.deepEqual(sourced(entries, 'retention.ms'), ['3600000', Source.TOPIC]);
  assert.deepEqual(sourced(entries, 'cleanup.policy'), ['delete,compact', Source.TOPIC], 'APPEND adds to the default list');

  await alter([
    { name: 'cleanup.policy', configOperation: Op.SUBTRACT, value: 'delete' },
    { name: 'retention.ms', configOperation: Op.DELETE },
  ]);
  entries = await describe(admin, ConfigResourceTypes.TOPIC, 'plt-inc');
  assert.deepEqual(sourced(entries, 'cleanup.policy'), ['compact', Source.TOPIC]);
  assert.deepEqual(sourced(entries, 'retention.ms'), ['604800000', Source.DEFAULT], 'DELETE goes back to the default');
  assert.equal(broker.broker.partition('plt-inc', 0)!.log.logEndOffset, 0);

  await assert.rejects(alter([{ name: 'retention.ms', configOperation: Op.APPEND, value: '1' }]), (err) => platformaticErrorId(err) === 'INVALID_REQUEST', 'APPEND on a non-list');
  await assert.rejects(alter([{ name: 'cleanup.policy', configOperation: Op.APPEND, value: 'shred' }]), (err) => platformaticErrorId(err) === 'INVALID_CONFIG', 'a policy Kafka does not know');
  await assert.rejects(alter([{ name: 'retention.msec', configOperation: Op.SET, value: '1' }]), (err) => platformaticErrorId(err) === 'INVALID_CONFIG', 'an unknown name');
  assert.deepEqual(sourced(await describe(admin, ConfigResourceTypes.TOPIC, 'plt-inc'), 'cleanup.policy'), ['compact', Source.TOPIC], 'refused changes change nothing');
});

test('DescribeConfigs v4 gives each config its type and documentation, saying which settings have no effect here', async () => {
  await admin.createTopics({ topics: ['plt-doc'], partitions: 1, replicas: 1 });
  const entries = await describe(admin, ConfigResourceTypes.TOPIC, 'plt-doc');
  assert.deepEqual(
    ['retention.ms', 'cleanup.policy', 'preallocate', 'max.message.bytes'].map((n) => entries.get(n)?.configType),
    [Type.LONG, Type.LIST, Type.BOOLEAN, Type.INT],
  );
  assert.match(entries.get('preallocate')?.documentation ?? '', /no effect/);
  assert.doesNotMatch(entries.get('retention.ms')?.documentation ?? '', /no effect/);
  assert.match(entries.get('retention.ms')?.documentation ?? '', /\(ms\)/);
});

test('group configs are stored per group and described, defaults included; bad values are refused', async () => {
  const group = (configs: Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][0]['configs']) =>
    admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.GROUP, resourceName: 'plt-queue', configs }] });
  await group([
    { name: 'share.record.lock.duration.ms', configOperation: Op.SET, value: '20000' },
    { name: 'share.auto.offset.reset', configOperation: Op.SET, value: 'earliest' },
  ]);
  const entries = await describe(admin, ConfigResourceTypes.GROUP, 'plt-queue');
  assert.deepEqual(sourced(entries, 'share.record.lock.duration.ms'), ['20000', Source.GROUP]);
  assert.deepEqual(sourced(entries, 'share.auto.offset.reset'), ['earliest', Source.GROUP]);
  assert.deepEqual(sourced(entries, 'consumer.session.timeout.ms'), ['45000', Source.DEFAULT]);
  assert.deepEqual(sourced(entries, 'share.delivery.count.limit'), ['5', Source.DEFAULT]);
  assert.deepEqual(sourced(await describe(admin, ConfigResourceTypes.GROUP, 'plt-other'), 'share.record.lock.duration.ms'), ['30000', Source.DEFAULT], 'another group keeps the default');

  await assert.rejects(group([{ name: 'share.record.lock.duration.ms', configOperation: Op.SET, value: '100' }]), (err) => platformaticErrorId(err) === 'INVALID_CONFIG');
  await assert.rejects(group([{ name: 'retention.ms', configOperation: Op.SET, value: '100' }]), (err) => platformaticErrorId(err) === 'INVALID_CONFIG');
});

async function adminFor(t: TestContext, b: RunningBroker): Promise<Admin> {
  const a = new Admin(options(b.bootstrap));
  defer(t, () => a.close());
  return a;
}

test('dynamic broker configs (this broker and the cluster-wide default) apply to every topic at once and survive a restart', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-dyncfg-');
  const first = await startRestartableBroker(t, dataDir, 0);
  const a1 = await adminFor(t, first);
  await a1.createTopics({ topics: ['plt-dyn'], partitions: 1, replicas: 1 });
  await a1.incrementalAlterConfigs({
    resources: [
      { resourceType: ConfigResourceTypes.BROKER, resourceName: '0', configs: [{ name: 'log.retention.ms', configOperation: Op.SET, value: '3600000' }] },
      { resourceType: ConfigResourceTypes.BROKER, resourceName: '', configs: [{ name: 'message.max.bytes', configOperation: Op.SET, value: '2048' }] },
    ],
  });
  await assert.rejects(
    a1.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '0', configs: [{ name: 'num.partitions', configOperation: Op.SET, value: '3' }] }] }),
    (err) => platformaticErrorId(err) === 'INVALID_REQUEST',
    'num.partitions cannot change at run time',
  );

  const producer = new Producer({ ...options(first.bootstrap), autocreateTopics: false });
  defer(t, () => producer.close());
  await assert.rejects(
    producer.send({ messages: [{ topic: 'plt-dyn', value: Buffer.alloc(4000) }], acks: ProduceAcks.LEADER }),
    (err) => platformaticErrorId(err) === 'MESSAGE_TOO_LARGE',
    'the topic takes its max.message.bytes from the new broker default',
  );
  assert.equal(first.broker.partition('plt-dyn', 0)!.logEndOffset, 0);

  const expectDynamic = async (a: Admin) => {
    const topic = await describe(a, ConfigResourceTypes.TOPIC, 'plt-dyn');
    assert.deepEqual(sourced(topic, 'retention.ms'), ['3600000', Source.DYNAMIC_BROKER]);
    assert.deepEqual(sourced(topic, 'max.message.bytes'), ['2048', Source.DYNAMIC_DEFAULT_BROKER]);
    assert.deepEqual(
      topic.get('retention.ms')?.synonyms.map((s) => [s.name, s.value, s.source]),
      [
        ['log.retention.ms', '3600000', Source.DYNAMIC_BROKER],
        ['log.retention.ms', '604800000', Source.DEFAULT],
      ],
    );
    const brokerEntries = await describe(a, ConfigResourceTypes.BROKER, '0');
    assert.deepEqual(sourced(brokerEntries, 'log.retention.ms'), ['3600000', Source.DYNAMIC_BROKER]);
    assert.equal(brokerEntries.get('log.retention.ms')?.readOnly, false);
    assert.deepEqual(sourced(brokerEntries, 'message.max.bytes'), ['2048', Source.DYNAMIC_DEFAULT_BROKER]);
    const clusterDefaults = await describe(a, ConfigResourceTypes.BROKER, '');
    assert.deepEqual([...clusterDefaults.keys()], ['message.max.bytes'], 'resource "" lists only the cluster-wide dynamic defaults');
  };
  await expectDynamic(a1);
  const stored = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8'));
  assert.deepEqual(stored.brokerConfigs, { '0': { 'log.retention.ms': '3600000' }, '': { 'message.max.bytes': '2048' } });

  await producer.close();
  await first.close();
  const second = await startRestartableBroker(t, dataDir, first.port);
  const a2 = await adminFor(t, second);
  await expectDynamic(a2);

  await a2.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '0', configs: [{ name: 'log.retention.ms', configOperation: Op.DELETE }] }] });
  assert.deepEqual(sourced(await describe(a2, ConfigResourceTypes.TOPIC, 'plt-dyn'), 'retention.ms'), ['604800000', Source.DEFAULT]);
});
