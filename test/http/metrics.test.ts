// GET /metrics over real clients: the per-topic records and bytes counters
// move by exactly what kcat produced and consumed (bytes: the record batches
// as stored, which are the batches as sent), per-partition series only with
// metricsPartitions, request latency histograms and errors per API, the fsync
// histogram, the Kafka connection and partition gauges, the Node event-loop
// delay gauges, client quota throttles and refused connections, the ACL
// bindings gauge, and the diagnostics channels subscribed only while the API runs.

import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { AclOperation, AclPatternType, AclPermissionType, AclResourceType, Admin, KafkaClient } from '../../src/client/index.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { startBroker } from '../../src/start-broker.js';
import { defer, makeDataDir, segmentFiles } from '../helpers/broker-process.js';
import { freePort } from '../helpers/free-port.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';
import { runOk } from '../interop/run-command.js';

const { Kafka, logLevel } = kafkajs;
const RECORDS = 500;
const VALUE_BYTES = 100;

test('records and bytes in and out per topic move by exactly what kcat produced and consumed', skipUnless(kcat), async (t) => {
  const api = await startHttpApiBroker(t);
  const client = new KafkaClient({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  await new Admin(client).createTopic('metered', 1);
  const before = await scrapeMetrics(api);
  assert.equal(before.value('sluice_records_in_total', { topic: 'metered' }), 0);

  const lines = Array.from({ length: RECORDS }, (_, i) => String(i).padStart(VALUE_BYTES, 'x')).join('\n') + '\n';
  await runOk(KCAT, ['-P', '-b', api.broker.bootstrap, '-t', 'metered', '-p', '0', '-X', 'acks=all', '-X', 'linger.ms=50'], { input: lines });
  const storedBytes = (await segmentFiles(api.broker.config.dataDir, 'metered', 0)).reduce((n, f) => n + f.sizeBytes, 0);
  const produced = await scrapeMetrics(api);
  assert.equal(produced.value('sluice_records_in_total', { topic: 'metered' }), RECORDS);
  assert.equal(produced.value('sluice_bytes_in_total', { topic: 'metered' }), storedBytes);
  // The batches carry each value plus a few bytes of record and batch framing.
  assert.ok(storedBytes > RECORDS * VALUE_BYTES && storedBytes < RECORDS * (VALUE_BYTES + 20), `${storedBytes} bytes stored`);
  assert.equal(produced.value('sluice_records_out_total', { topic: 'metered' }), 0);

  const consumed = await runOk(KCAT, ['-C', '-b', api.broker.bootstrap, '-t', 'metered', '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20']);
  assert.equal(consumed.stdout.toString(), lines);
  const fetched = await scrapeMetrics(api);
  assert.equal(fetched.value('sluice_records_out_total', { topic: 'metered' }), RECORDS);
  assert.equal(fetched.value('sluice_bytes_out_total', { topic: 'metered' }), storedBytes);
  assert.equal(fetched.value('sluice_records_in_total', { topic: 'metered' }), RECORDS);
  // Per topic by default: no series carries a partition.
  assert.ok(fetched.samples('sluice_records_in_total').every((s) => s.labels?.partition === undefined));
});

test('metricsPartitions adds a series per partition, for traffic and group lag', async (t) => {
  const api = await startHttpApiBroker(t, { metricsPartitions: true });
  const client = new KafkaClient({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic('split', 2);
  await admin.commitOffsets('readers', [0, 1].map((partition) => ({ topic: 'split', partition, offset: 0 })));
  const m = await scrapeMetrics(api);
  assert.deepEqual(
    m.samples('sluice_records_in_total', { topic: 'split' }).map((s) => s.labels?.partition),
    ['0', '1'],
  );
  assert.deepEqual(
    m.samples('sluice_consumer_group_lag', { group: 'readers', topic: 'split' }).map((s) => s.labels?.partition),
    ['0', '1'],
  );
  // The commit created __consumer_offsets: its partitions count too.
  assert.equal(m.value('sluice_partitions'), 2 + api.broker.config.offsetsTopicNumPartitions);
});

test('a single broker has no under-replicated or offline partitions and changes no ISR; GET /cluster names it alone, as controller', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  assert.equal((await api.call('POST', '/topics', { name: 'solo', partitions: 2 })).status, 201);
  const m = await scrapeMetrics(api);
  for (const name of ['sluice_under_replicated_partitions', 'sluice_offline_partitions', 'sluice_isr_shrinks_total', 'sluice_isr_expands_total']) {
    assert.ok(m.family(name), `${name} is exported`);
    assert.equal(m.value(name), 0, name);
  }
  const view = (await api.call('GET', '/cluster')).json;
  const nodeId = api.broker.config.nodeId;
  assert.deepEqual(view, { nodeId, controllerId: nodeId, brokers: [{ nodeId, host: view.brokers[0].host, port: api.broker.port, rack: null }], underReplicatedPartitions: [], offlinePartitions: [] });
});

test('the connection gauge counts open Kafka connections', async (t) => {
  const api = await startHttpApiBroker(t);
  assert.equal((await scrapeMetrics(api)).value('sluice_connections'), 0);
  for (let i = 0; i < 2; i++) {
    const raw = await RawSocket.connect(t, api.broker.port);
    // Answered: the broker holds the connection.
    await raw.write(encodeRequest(ApiVersionsRequest, 0, {}, 1));
    assert.equal(decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 0).body.errorCode, 0);
  }
  assert.equal((await scrapeMetrics(api)).value('sluice_connections'), 2);
});

test('the ACL gauge counts the bindings the broker holds', async (t) => {
  const api = await startHttpApiBroker(t);
  assert.equal((await scrapeMetrics(api)).value('sluice_acls'), 0);
  const client = new KafkaClient({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  const binding = { resourceType: AclResourceType.TOPIC, resourceName: 'orders', patternType: AclPatternType.LITERAL, principal: 'User:alice', host: '*', permissionType: AclPermissionType.ALLOW };
  await new Admin(client).createAcls([AclOperation.READ, AclOperation.WRITE].map((operation) => ({ ...binding, operation })));
  assert.equal((await scrapeMetrics(api)).value('sluice_acls'), 2);
});

test('the Node event-loop delay is given as p50, p99 and max gauges', async (t) => {
  const api = await startHttpApiBroker(t);
  const m = await scrapeMetrics(api);
  for (const name of ['sluice_nodejs_eventloop_lag_p50_seconds', 'sluice_nodejs_eventloop_lag_p99_seconds', 'sluice_nodejs_eventloop_lag_max_seconds']) {
    assert.equal(m.family(name)?.type, 'GAUGE', name);
    assert.ok(Number.isFinite(m.value(name)), name);
  }
});

test('each Produce request moves the Produce latency histogram once, and acks=all moves the fsync histogram', async (t) => {
  const api = await startHttpApiBroker(t);
  const kafka = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: 'timed', acks: -1, messages: [{ value: 'warm-up' }] });
  const before = await scrapeMetrics(api);
  const SENDS = 3;
  for (let i = 0; i < SENDS; i++) await producer.send({ topic: 'timed', acks: -1, messages: [{ value: `r${i}` }] });
  const after = await scrapeMetrics(api);
  const count = (m: typeof after) => m.value('sluice_request_duration_seconds_count', { api: 'Produce' });
  assert.equal(count(after) - count(before), SENDS);
  assert.ok(after.histograms.has('sluice_request_duration_seconds'));
  assert.ok(after.value('sluice_request_duration_seconds_sum', { api: 'Produce' }) > 0);
  assert.equal(after.value('sluice_request_errors_total', { api: 'Produce' }), 0);
  // group-commit: every acks=all produce waited for an fdatasync round of its partition.
  const rounds = (m: typeof after) => m.value('sluice_log_flush_duration_seconds_count');
  assert.ok(rounds(after) - rounds(before) >= SENDS, `${rounds(after) - rounds(before)} flush rounds for ${SENDS} acks=all produces`);
});

test('a request whose handler fails counts as an error of its API', async (t) => {
  const api = await startHttpApiBroker(t, { faults: { handlerFailure: (apiKey) => (apiKey === 18 ? new Error('injected') : null) } });
  const raw = await RawSocket.connect(t, api.broker.port);
  for (let i = 1; i <= 3; i++) {
    await raw.write(encodeRequest(ApiVersionsRequest, 0, {}, i));
    assert.notEqual(decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 0).body.errorCode, 0);
  }
  const m = await scrapeMetrics(api);
  assert.equal(m.value('sluice_request_errors_total', { api: 'ApiVersions' }), 3);
  assert.equal(m.value('sluice_request_duration_seconds_count', { api: 'ApiVersions' }), 3);
});

test('the request and fsync channels have subscribers only while the HTTP API runs, so the broker publishes nothing otherwise', async (t) => {
  const subscribed = () => ['sluice:server:request', 'sluice:storage:flush'].map((name) => diagnostics_channel.hasSubscribers(name));
  const withoutApi = await startBroker({ port: 0, dataDir: await makeDataDir(t), logLevel: 'silent' });
  assert.deepEqual(subscribed(), [false, false]);
  await withoutApi.close();
  const withApi = await startBroker({ port: 0, httpPort: await freePort(), dataDir: await makeDataDir(t), logLevel: 'silent' });
  assert.deepEqual(subscribed(), [true, true]);
  await withApi.close();
  assert.deepEqual(subscribed(), [false, false]);
});

test('client quota throttles are counted per quota, user and client id, and refused connections per limit', async (t) => {
  const api = await startHttpApiBroker(t, { maxConnectionsPerIp: 3, quotaWindowNum: 2, quotaWindowSizeSeconds: 1 });
  const client = new KafkaClient({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  await new Admin(client).createTopic('metered', 1);
  await new Admin(client).alterClientQuotas([{ entity: { 'client-id': 'greedy' }, set: { producer_byte_rate: 1000 } }]);
  const raw = await RawSocket.connect(t, api.broker.port);
  const throttles: number[] = [];
  // Two 2000-byte batches within a second pass 1000 B/s over a one-second window: the second is throttled at least.
  for (let id = 1; id <= 2; id++) {
    const records = encodeBatch([{ value: Buffer.alloc(2000) }]);
    await raw.write(encodeRequest(ProduceRequest, 9, { acks: 1, timeoutMs: 5000, topicData: [{ name: 'metered', partitionData: [{ index: 0, records }] }] }, id, 'greedy'));
    throttles.push(decodeResponse(await raw.nextFrame(), ProduceResponse, 9).body.throttleTimeMs);
  }
  // The third connection from this address (the client's, the raw one, this) is refused.
  const refused = await RawSocket.connect(t, api.broker.port);
  await refused.closedByPeer();
  assert.ok(throttles[1] > 0, `throttle times ${throttles}`);
  const m = await scrapeMetrics(api);
  assert.ok(m.value('sluice_quota_throttles_total', { quota: 'produce', user: '', client_id: 'greedy' }) >= 1);
  assert.ok(m.value('sluice_quota_throttle_seconds_total', { quota: 'produce', user: '', client_id: 'greedy' }) > 0);
  assert.equal(m.value('sluice_connections_refused_total', { limit: 'max.connections.per.ip' }), 1);
});
