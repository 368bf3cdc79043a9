// Real client traffic for the protocol fuzzer: kafkajs and @platformatic/kafka
// (always installed), kcat and librdkafka 2.15 (when present) run a short
// scripted session each against a broker through a RecordingProxy, so the
// corpus holds the requests real clients send (every API they use, at the
// versions they negotiate) and no binary corpus file lives in the repository.
//
// Each session uses topics of its own (`cap-<client>-...`); none of them
// touches a topic the fuzz test keeps for its read-back check.

import type { TestContext } from 'node:test';
import { Admin as PltAdmin, ConfigResourceTypes, Consumer as PltConsumer, Producer as PltProducer, ProduceAcks } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { registerKafkajsCodecs } from '../helpers/kafkajs-codecs.js';
import { KCAT, kafkaJavascript, kcat, loadKafkaJavascript } from '../helpers/interop-tools.js';
import { runCommand } from '../interop/run-command.js';

const { Kafka, CompressionTypes, logLevel } = kafkajs;

/** Which client sessions ran (the optional ones only when their tool is installed). */
export type CaptureSession = 'kafkajs' | 'platformatic' | 'kcat' | 'librdkafka';

const values = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${tag}-${i}`, headers: { h: `${i}` } }));

async function kafkajsSession(bootstrap: string): Promise<void> {
  await registerKafkajsCodecs();
  const kafka = new Kafka({ clientId: 'fuzz-capture-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: 'cap-kjs', numPartitions: 2 }, { topic: 'cap-kjs-gone', numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'cap-kjs', count: 3 }] });
    await admin.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: 'cap-kjs' }], includeSynonyms: false });
    await admin.alterConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: 'cap-kjs', configEntries: [{ name: 'retention.ms', value: '86400000' }] }], validateOnly: false });
    await admin.fetchTopicMetadata({ topics: ['cap-kjs'] });

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const codecs = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD];
    for (const compression of codecs) await producer.send({ topic: 'cap-kjs', compression, messages: values(`c${compression}`, 4) });
    await producer.disconnect();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'cap-kjs', acks: 1, messages: values('acks1', 2) });
    await plain.send({ topic: 'cap-kjs', acks: 0, messages: values('acks0', 2) });
    await plain.disconnect();

    const txn = kafka.producer({ transactionalId: 'cap-kjs-txn', idempotent: true, maxInFlightRequests: 1 });
    await txn.connect();
    const committed = await txn.transaction();
    await committed.send({ topic: 'cap-kjs', messages: values('txn', 2) });
    await committed.sendOffsets({ consumerGroupId: 'cap-kjs-txn-group', topics: [{ topic: 'cap-kjs', partitions: [{ partition: 0, offset: '1' }] }] });
    await committed.commit();
    const aborted = await txn.transaction();
    await aborted.send({ topic: 'cap-kjs', messages: values('aborted', 1) });
    await aborted.abort();
    await txn.disconnect();

    await admin.fetchTopicOffsets('cap-kjs');
    await admin.fetchTopicOffsetsByTimestamp('cap-kjs', Date.now() - 60_000);
    await admin.deleteTopicRecords({ topic: 'cap-kjs', partitions: [{ partition: 0, offset: '1' }] });

    const consumer = kafka.consumer({ groupId: 'cap-kjs-group', heartbeatInterval: 1, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'cap-kjs', fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ heartbeat }) => {
          await heartbeat();
          if (++seen === 10) resolve();
        },
      });
    });
    await consumer.commitOffsets([{ topic: 'cap-kjs', partition: 0, offset: '2' }]);
    await consumer.disconnect();
    await admin.fetchOffsets({ groupId: 'cap-kjs-group', topics: ['cap-kjs'] });
    await admin.describeGroups(['cap-kjs-group']);
    await admin.listGroups();
    await admin.deleteTopics({ topics: ['cap-kjs-gone'] });

    const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
    const acl = { resourceType: AclResourceTypes.TOPIC, resourceName: 'cap-kjs', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:cap', host: '*', permissionType: AclPermissionTypes.ALLOW };
    await admin.createAcls({ acl: [{ ...acl, operation: AclOperationTypes.READ }, { ...acl, operation: AclOperationTypes.WRITE }] });
    const filter = { ...acl, resourcePatternType: ResourcePatternTypes.MATCH, resourceName: 'cap-kjs-x', operation: AclOperationTypes.ANY };
    await admin.describeAcls(filter);
    await admin.deleteAcls({ filters: [{ ...filter, operation: AclOperationTypes.WRITE }] });
  } finally {
    await admin.disconnect();
  }
}

async function platformaticSession(bootstrap: string): Promise<void> {
  const common = { clientId: 'fuzz-capture-platformatic', bootstrapBrokers: [bootstrap], retries: 2, timeout: 10_000 };
  const admin = new PltAdmin(common);
  const producer = new PltProducer({ ...common, autocreateTopics: false });
  const consumer = new PltConsumer({ ...common, groupId: 'cap-plt-unused' });
  try {
    await admin.createTopics({ topics: ['cap-plt', 'cap-plt-gone'], partitions: 2 });
    await admin.createPartitions({ topics: [{ name: 'cap-plt', count: 3 }] });
    await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'cap-plt', configurationKeys: ['retention.ms'] }] });
    for (const compression of ['none', 'gzip', 'snappy', 'lz4'] as const) {
      for (const acks of [ProduceAcks.LEADER, ProduceAcks.ALL, ProduceAcks.NO_RESPONSE]) {
        const messages = values(`${compression}-${acks}`, 3).map((m) => ({ topic: 'cap-plt', partition: 0, key: Buffer.from(m.key), value: Buffer.from(m.value) }));
        await producer.send({ messages, acks, compression });
      }
    }
    const md = await admin.metadata({ topics: ['cap-plt'], forceUpdate: true });
    const info = md.topics.get('cap-plt')!;
    await consumer.fetch({
      node: info.partitions[0].leader,
      maxWaitTime: 100,
      topics: [{ topicId: info.id, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }],
    });
    await admin.listGroups();
    await admin.deleteTopics({ topics: ['cap-plt-gone'] });
  } finally {
    await consumer.close();
    await producer.close();
    await admin.close();
  }
}

async function kcatSession(bootstrap: string): Promise<void> {
  const run = async (args: string[], input?: string) => {
    const result = await runCommand(KCAT, ['-b', bootstrap, ...args], { input, timeoutMs: 20_000 });
    if (result.code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  };
  await run(['-L']);
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    await run(['-P', '-t', 'cap-kcat', '-K:', '-z', codec, '-X', 'request.required.acks=-1'], values(codec, 3).map((m) => `${m.key}:${m.value}`).join('\n') + '\n');
  }
  await run(['-C', '-t', 'cap-kcat', '-o', 'beginning', '-e', '-q']);
  await run(['-G', 'cap-kcat-group', '-o', 'beginning', '-e', '-q', '-X', 'enable.auto.commit=true', '-X', 'auto.commit.interval.ms=100', 'cap-kcat']);
}

/** librdkafka 2.15 as a consumer-protocol member (KIP-848: ConsumerGroupHeartbeat) and an admin. */
async function librdkafkaSession(bootstrap: string): Promise<void> {
  const { Kafka } = loadKafkaJavascript().KafkaJS;
  const kafka = new Kafka({ kafkaJS: { brokers: [bootstrap], logLevel: 0 } });
  const producer = kafka.producer({ 'compression.codec': 'zstd' });
  await producer.connect();
  await producer.send({ topic: 'cap-rdk', messages: values('rdk', 3) });
  await producer.disconnect();
  const consumer = kafka.consumer({ kafkaJS: { groupId: 'cap-rdk-group', fromBeginning: true }, 'group.protocol': 'consumer' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'cap-rdk' });
  await new Promise<void>((resolve) => {
    let seen = 0;
    void consumer.run({
      eachMessage: async () => {
        if (++seen === 3) resolve();
      },
    });
  });
  await consumer.disconnect();
}

/** Runs every session whose client is available against `bootstrap` (the proxy); resolves with those that ran. */
export async function captureSessions(t: TestContext, bootstrap: string): Promise<CaptureSession[]> {
  const ran: CaptureSession[] = [];
  await kafkajsSession(bootstrap);
  ran.push('kafkajs');
  await platformaticSession(bootstrap);
  ran.push('platformatic');
  if (kcat.isAvailable()) {
    await kcatSession(bootstrap);
    ran.push('kcat');
  }
  if (kafkaJavascript.isAvailable()) {
    await librdkafkaSession(bootstrap);
    ran.push('librdkafka');
  }
  t.diagnostic(`corpus captured from ${ran.join(', ')}`);
  return ran;
}
