// What librdkafka 2.15 negotiates with Sluice, read from its own debug log
// (`debug: 'broker,protocol,feature'`): after ApiVersions it must enable every
// protocol feature that producing, consuming, groups, idempotence,
// transactions and compression need, and each request of a workload that
// touches all of them must go out at the highest version both sides
// support, min(librdkafka 2.15's maximum, Sluice's advertised maximum). So
// the test follows Sluice's advertised ranges as they change; what it pins is
// librdkafka's side, which KAFKA_JAVASCRIPT_VERSION pins too.
// docs/compatibility.md records the resulting table.

import assert from 'node:assert/strict';
import { type TestContext, after, test } from 'node:test';
import { KafkaClient } from '../../src/client/index.js';
import { supportedApis } from '../../src/server/api/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { kafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { RdConsumer, RdProducer, callback, rdAdmin, rdkafka, within } from './librdkafka-clients.js';

let client: KafkaClient;
after(() => client?.close());
const broker: RunningBroker = await startInProcessBroker({ after });
client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'librdkafka-negotiation-check' });

const DEBUG = { debug: 'broker,protocol,feature' };

/**
 * The highest version librdkafka 2.15.1 sends of each API it used here, with
 * its name in librdkafka's log (src/rdkafka_request.c, rdkafka_fetcher.c,
 * rdkafka_msgset_writer.c, rdkafka_admin.c).
 */
const LIBRDKAFKA_MAX: Record<string, { apiKey: number; max: number }> = {
  Produce: { apiKey: 0, max: 10 },
  Fetch: { apiKey: 1, max: 16 },
  ListOffsets: { apiKey: 2, max: 7 },
  Metadata: { apiKey: 3, max: 13 },
  OffsetCommit: { apiKey: 8, max: 9 },
  OffsetFetch: { apiKey: 9, max: 9 },
  FindCoordinator: { apiKey: 10, max: 2 },
  JoinGroup: { apiKey: 11, max: 5 },
  Heartbeat: { apiKey: 12, max: 3 },
  LeaveGroup: { apiKey: 13, max: 1 },
  SyncGroup: { apiKey: 14, max: 3 },
  DescribeGroups: { apiKey: 15, max: 5 },
  ListGroups: { apiKey: 16, max: 5 },
  ApiVersion: { apiKey: 18, max: 3 },
  CreateTopics: { apiKey: 19, max: 4 },
  DeleteTopics: { apiKey: 20, max: 4 },
  DeleteRecords: { apiKey: 21, max: 2 },
  InitProducerId: { apiKey: 22, max: 4 },
  AddPartitionsToTxn: { apiKey: 24, max: 0 },
  AddOffsetsToTxn: { apiKey: 25, max: 0 },
  EndTxn: { apiKey: 26, max: 1 },
  TxnOffsetCommit: { apiKey: 28, max: 3 },
  CreatePartitions: { apiKey: 37, max: 2 },
  DeleteGroups: { apiKey: 42, max: 2 },
  ConsumerGroupDescribe: { apiKey: 69, max: 0 },
};

/** librdkafka's protocol features (src/rdkafka_feature.c) that the scenarios of test/interop/librdkafka-*.test.ts rely on. */
const NEEDED_FEATURES = ['MsgVer2', 'ApiVersion', 'BrokerBalancedConsumer', 'ThrottleTime', 'BrokerGroupCoordinator', 'LZ4', 'OffsetTime', 'IdempotentProducer', 'ZSTD'];

/** API name -> versions sent, from lines like "Sent JoinGroupRequest (v5, 120 bytes @ 0, CorrId 4)". */
function sentVersions(lines: string[]): Map<string, Set<number>> {
  const sent = new Map<string, Set<number>>();
  for (const line of lines) {
    const m = /Sent (\w+)Request \(v(\d+),/.exec(line);
    if (!m) continue;
    const versions = sent.get(m[1]) ?? new Set<number>();
    versions.add(Number(m[2]));
    sent.set(m[1], versions);
  }
  return sent;
}

/** The features of the last "Updated enabled protocol features to ..." line, which follows each ApiVersions exchange. */
function enabledFeatures(lines: string[]): string[] {
  const updates = lines.filter((l) => l.includes('Updated enabled protocol features to '));
  assert.ok(updates.length > 0, 'librdkafka logged its feature negotiation');
  return updates.at(-1)!.split('Updated enabled protocol features to ')[1].split(',');
}

/** One workload per client type, each logging at `DEBUG`; returns every client's log. */
async function runWorkload(t: TestContext): Promise<{ client: string; lines: string[] }[]> {
  const logs: { client: string; lines: string[] }[] = [];
  const topic = 'rdk-negotiation';
  const out = 'rdk-negotiation-out';

  const { native: admin, log: adminLog } = rdAdmin(t, broker.bootstrap, DEBUG);
  logs.push({ client: 'admin', lines: adminLog });
  const adminCall = <T>(what: string, call: (cb: (err: unknown, result: T) => void) => void) => within(what, callback<T>(call));
  await adminCall('createTopic', (cb) => admin.createTopic({ topic, num_partitions: 1, replication_factor: 1 }, 5000, cb));
  await adminCall('createTopic', (cb) => admin.createTopic({ topic: out, num_partitions: 1, replication_factor: 1 }, 5000, cb));
  await adminCall('createPartitions', (cb) => admin.createPartitions(topic, 2, 5000, cb));

  const producer = await RdProducer.connect(t, broker.bootstrap, { 'enable.idempotence': true, 'compression.codec': 'zstd', ...DEBUG });
  logs.push({ client: 'idempotent producer', lines: producer.log });
  await producer.produce(topic, [0, 1, 2, 3].map((i) => ({ partition: i % 2, value: Buffer.from(`v${i}`), timestamp: Date.now() })));

  const consumer = await RdConsumer.connect(t, broker.bootstrap, {
    'group.id': 'rdk-negotiation',
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    offset_commit_cb: true,
    ...DEBUG,
  });
  logs.push({ client: 'consumer', lines: consumer.log });
  consumer.native.subscribe([topic]);
  const read = await consumer.read(4);
  await consumer.commitAsync(read.map((m) => ({ topic, partition: m.partition, offset: m.offset + 1 })));
  await within('offsetsForTimes', callback((cb) => consumer.native.offsetsForTimes([{ topic, partition: 0, offset: 0 }], 5000, cb)));

  const txn = await RdProducer.connect(t, broker.bootstrap, { 'transactional.id': 'rdk-negotiation', ...DEBUG });
  logs.push({ client: 'transactional producer', lines: txn.log });
  await within('initTransactions', callback((cb) => txn.native.initTransactions(10_000, cb)));
  await within('beginTransaction', callback((cb) => txn.native.beginTransaction(cb)));
  await txn.produce(out, [{ partition: 0, value: Buffer.from('x') }]);
  await within('sendOffsetsToTransaction', callback((cb) => txn.native.sendOffsetsToTransaction([{ topic, partition: 0, offset: 2 }], consumer.native, 10_000, cb)));
  await within('commitTransaction', callback((cb) => txn.native.commitTransaction(10_000, cb)));
  await consumer.disconnect();

  await adminCall('listGroups', (cb) => admin.listGroups({}, cb));
  await adminCall('describeGroups', (cb) => admin.describeGroups(['rdk-negotiation'], {}, cb));
  await adminCall('listConsumerGroupOffsets', (cb) => admin.listConsumerGroupOffsets([{ groupId: 'rdk-negotiation' }], {}, cb));
  await adminCall('describeTopics', (cb) => admin.describeTopics([topic], {}, cb));
  await adminCall('listOffsets', (cb) => admin.listOffsets([{ topic, partition: 0, offset: rdkafka().OffsetSpec.LATEST }], {}, cb));
  await adminCall('deleteRecords', (cb) => admin.deleteRecords([{ topic, partition: 0, offset: 1 }], {}, cb));
  await adminCall('deleteGroups', (cb) => admin.deleteGroups(['rdk-negotiation'], {}, cb));
  await adminCall('deleteTopic', (cb) => admin.deleteTopic(out, 5000, cb));
  return logs;
}

test('librdkafka 2.15 enables every protocol feature it needs and sends each API at the highest version both support', skipUnless(kafkaJavascript), async (t) => {
  const logs = await runWorkload(t);
  const advertised = new Map(supportedApis().map((a) => [a.apiKey, a]));

  for (const { client: name, lines } of logs) {
    const enabled = enabledFeatures(lines);
    assert.deepEqual(
      NEEDED_FEATURES.filter((f) => !enabled.includes(f)),
      [],
      `${name}: features enabled after ApiVersions: ${enabled.join(',')}`,
    );
  }

  const sent = sentVersions(logs.flatMap((l) => l.lines));
  const table: string[] = [];
  for (const [api, versions] of [...sent].sort((a, b) => (LIBRDKAFKA_MAX[a[0]]?.apiKey ?? 999) - (LIBRDKAFKA_MAX[b[0]]?.apiKey ?? 999))) {
    const librdkafka = LIBRDKAFKA_MAX[api];
    assert.ok(librdkafka, `librdkafka sent ${api}, which the table of its maxima lacks`);
    const range = advertised.get(librdkafka.apiKey);
    assert.ok(range, `librdkafka sent ${api}, which Sluice does not advertise`);
    assert.deepEqual([...versions], [Math.min(librdkafka.max, range.maxVersion)], `${api}: versions sent (librdkafka max ${librdkafka.max}, Sluice ${range.minVersion}-${range.maxVersion})`);
    table.push(`${api} (${librdkafka.apiKey}): Sluice ${range.minVersion}-${range.maxVersion}, librdkafka max ${librdkafka.max}, sent v${[...versions].join(',')}`);
  }
  assert.deepEqual(
    Object.keys(LIBRDKAFKA_MAX).filter((api) => !sent.has(api)),
    [],
    'the workload reached every API of the table',
  );
  for (const row of table) t.diagnostic(row);
  // What librdkafka would use if Sluice served it (SASL, KIP-848): reported, not asserted.
  const unsupported = new Set(logs.flatMap((l) => l.lines).flatMap((l) => /Feature (\w+): (\w+ \(\d+\.\.\d+\)) NOT supported by broker/.exec(l)?.slice(1, 3).join(': ') ?? []));
  for (const row of [...unsupported].sort()) t.diagnostic(`not served: ${row}`);
});
