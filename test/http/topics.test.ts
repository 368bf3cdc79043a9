// Topics over the HTTP API: the list is paged by name (so thousands of topics
// are served a bounded page at a time) with partition, record and size totals;
// the detail shows each partition's offsets and size, the configs with their
// sources and the groups with offsets on the topic; with --http-writes topics
// are created, altered and deleted through the broker's own checks. The
// OpenAPI document describes every route.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('GET /topics pages through the topics by name with their totals', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  // Each creation rewrites cluster.json with an fsync: a few hundred keep the test short and still span pages.
  const names = Array.from({ length: 250 }, (_, i) => `t-${String(i).padStart(4, '0')}`);
  for (const name of names) await api.broker.broker.createTopic(name, 1, {});
  await api.call('POST', '/topics/t-0007/records', { records: [{ value: 'a' }, { value: 'b' }] });

  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const page: any = await api.call('GET', `/topics?limit=100${after === null ? '' : `&after=${after}`}`);
    assert.equal(page.status, 200);
    assert.ok(page.json.topics.length <= 100);
    seen.push(...page.json.topics.map((x: { name: string }) => x.name));
    after = page.json.next;
    pages++;
  } while (after !== null);
  assert.equal(pages, 3);
  assert.deepEqual(seen, names);

  const one = await api.call('GET', '/topics?limit=1&after=t-0006');
  assert.deepEqual(one.json.topics, [{ name: 't-0007', partitions: 1, internal: false, records: 2, sizeBytes: api.broker.broker.partition('t-0007', 0)!.log.sizeBytes }]);
  assert.equal(one.json.next, 't-0007');
  const tooMany = await api.call('GET', '/topics?limit=100000');
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.json.error.code, 'SLUICE_HTTP_BAD_REQUEST');
});

test('topics are created, described, altered and deleted over HTTP through the checks of the broker', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  const created = await api.call('POST', '/topics', { name: 'orders', partitions: 3, configs: { 'retention.ms': '3600000' } });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.partitions.length, 3);
  await api.call('POST', '/topics/orders/records', { value: 'x', partition: 2 });

  const detail = await api.call('GET', '/topics/orders');
  assert.equal(detail.status, 200);
  const p2 = detail.json.partitions[2];
  const partition = api.broker.broker.partition('orders', 2)!;
  assert.deepEqual(p2, {
    partition: 2,
    leader: 0,
    leaderEpoch: 0,
    logStartOffset: 0,
    highWatermark: 1,
    lastStableOffset: 1,
    logEndOffset: 1,
    sizeBytes: partition.log.sizeBytes,
    offline: false,
    corruptRanges: [],
  });
  assert.ok(p2.sizeBytes > 0);
  const retention = detail.json.configs.find((c: { name: string }) => c.name === 'retention.ms');
  assert.deepEqual(retention, { name: 'retention.ms', value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG' });
  assert.equal(detail.json.configs.find((c: { name: string }) => c.name === 'cleanup.policy').source, 'DEFAULT_CONFIG');
  assert.deepEqual(detail.json.groups, []);

  const again = await api.call('POST', '/topics', { name: 'orders' });
  assert.equal(again.status, 409);
  assert.match(again.json.error.message, /TOPIC_ALREADY_EXISTS/);
  const badConfig = await api.call('POST', '/topics', { name: 'bad', configs: { 'retention.ms': 'soon' } });
  assert.equal(badConfig.status, 400);
  assert.match(badConfig.json.error.message, /INVALID_CONFIG/);
  const internal = await api.call('POST', '/topics', { name: '__consumer_offsets' });
  assert.equal(internal.status, 400);

  const altered = await api.call('PATCH', '/topics/orders/configs', { set: { 'cleanup.policy': 'compact' }, delete: ['retention.ms'] });
  assert.equal(altered.status, 200, altered.text);
  assert.deepEqual(api.broker.broker.cluster.topic('orders')!.configs, { 'cleanup.policy': 'compact' });
  assert.equal(altered.json.configs.find((c: { name: string }) => c.name === 'retention.ms').source, 'DEFAULT_CONFIG');
  const unknownConfig = await api.call('PATCH', '/topics/orders/configs', { set: { 'no.such.config': '1' } });
  assert.equal(unknownConfig.status, 400);
  assert.equal(unknownConfig.json.error.code, 'SLUICE_HTTP_KAFKA_ERROR');

  const longName = 'l'.repeat(249);
  assert.equal((await api.call('POST', '/topics', { name: longName })).status, 201);
  assert.equal((await api.call('GET', `/topics/${longName}`)).json.name, longName, 'a name of the longest length Kafka allows is routed');

  const deleted = await api.call('DELETE', '/topics/orders');
  assert.deepEqual(deleted.json, { name: 'orders', deleted: true });
  assert.equal(api.broker.broker.cluster.topic('orders'), undefined);
  assert.equal((await api.call('GET', '/topics/orders')).status, 404);
});

test('GET /openapi.json describes every route with its parameters and bodies', async (t) => {
  const api = await startHttpApiBroker(t);
  const doc = (await api.call('GET', '/openapi.json')).json;
  assert.match(doc.openapi, /^3\./);
  const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(routes.sort(), [
    'DELETE /topics/{topic}',
    'GET /cluster',
    'GET /console/config',
    'GET /groups',
    'GET /groups/{group}',
    'GET /metrics',
    'GET /openapi.json',
    'GET /queues',
    'GET /queues/{group}',
    'GET /stats/history',
    'GET /topics',
    'GET /topics/{topic}',
    'GET /topics/{topic}/records',
    'GET /topics/{topic}/stream',
    'PATCH /topics/{topic}/configs',
    'POST /groups/{group}/offsets/reset',
    'POST /queues/{group}/ack',
    'POST /queues/{group}/messages',
    'POST /queues/{group}/receive',
    'POST /queues/{group}/redrive',
    'POST /queues/{group}/reject',
    'POST /queues/{group}/release',
    'POST /request/{topic}',
    'POST /topics',
    'POST /topics/{topic}/records',
  ]);
  assert.match(doc.info.description, /WebSocket GET \/topics\/\{t\}\/ws/, 'the WebSocket route, hidden from the paths, is described');
  const produce = doc.paths['/topics/{topic}/records'].post;
  assert.deepEqual(Object.keys(produce.requestBody.content).sort(), ['application/json', 'application/octet-stream']);
  assert.deepEqual(produce.parameters.map((p: { name: string }) => p.name).sort(), ['acks', 'key', 'partition', 'topic']);
  assert.ok(produce.responses['4XX'] ?? produce.responses['4xx'], 'error answers are described');
  const receive = doc.paths['/queues/{group}/receive'].post;
  assert.deepEqual(receive.parameters.map((p: { name: string }) => p.name).sort(), ['group', 'max', 'topic', 'waitMs']);
  assert.ok(receive.responses['200'].content['application/json'].schema.properties.messages.items.properties.receipt, 'messages carry receipts');
});
