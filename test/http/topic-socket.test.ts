// GET /topics/{t}/ws over a real WebSocket (ws): the server never sends more
// records than the client granted (grant 3 of 10: exactly 3, then 2 more for a
// grant of 2), a record produced by kcat reaches a live tail, and group mode
// starts at the group's commits and commits what the client acknowledges, as
// kafkajs then reads; a read-only API refuses group mode before the upgrade;
// a plain GET, without the upgrade, gets the API's 426 error.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import WebSocket from 'ws';
import { defer } from '../helpers/broker-process.js';
import { type HttpApiBroker, startHttpApiBroker } from '../helpers/http-api.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

const { Kafka, logLevel } = kafkajs;

/** A WebSocket client whose messages are taken one at a time, in order. */
async function openSocket(t: import('node:test').TestContext, api: HttpApiBroker, path: string) {
  const socket = new WebSocket(api.base.replace('http:', 'ws:') + path);
  defer(t, () => socket.terminate());
  const received: any[] = [];
  let wake = () => {};
  socket.on('message', (data) => {
    received.push(JSON.parse(data.toString()));
    wake();
  });
  await once(socket, 'open');
  return {
    send: (m: unknown) => socket.send(JSON.stringify(m)),
    async next(): Promise<any> {
      while (received.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return received.shift();
    },
    /** Proves nothing else was sent before: a message the server refuses is answered right after what it has sent. */
    async nextIsReplyToProbe(): Promise<void> {
      socket.send('probe');
      const m = await this.next();
      assert.equal(m.error?.code, 'SLUICE_HTTP_BAD_REQUEST', `expected the probe's answer, got ${JSON.stringify(m)}`);
    },
  };
}

async function produceValues(api: HttpApiBroker, topic: string, values: string[]): Promise<void> {
  const answer = await api.call('POST', `/topics/${topic}/records`, { records: values.map((value) => ({ value, partition: 0 })) });
  assert.equal(answer.status, 200, answer.text);
}

test('a WebSocket never has more records outstanding than the credit granted', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'paced', partitions: 1 });
  await produceValues(api, 'paced', Array.from({ length: 10 }, (_, i) => `v${i}`));
  const socket = await openSocket(t, api, '/topics/paced/ws');
  socket.send({ credit: 3 });
  const first = [await socket.next(), await socket.next(), await socket.next()];
  assert.deepEqual(first.map((r) => r.value), ['v0', 'v1', 'v2']);
  await socket.nextIsReplyToProbe();
  socket.send({ credit: 2 });
  assert.deepEqual([(await socket.next()).offset, (await socket.next()).offset], [3, 4]);
  await socket.nextIsReplyToProbe();
});

test('a record produced by kcat reaches a live WebSocket tail', skipUnless(kcat), async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'tailed', partitions: 1 });
  const socket = await openSocket(t, api, '/topics/tailed/ws?from=latest&credit=1000000');
  await runOk(KCAT, ['-P', '-b', api.broker.bootstrap, '-t', 'tailed', '-p', '0'], { input: 'from kcat\n' });
  const record = await socket.next();
  assert.deepEqual([record.partition, record.offset, record.value], [0, 0, 'from kcat']);
});

test('group mode starts at the group commit and commits what the client acknowledges', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  const kafka = new Kafka({ brokers: [api.broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await api.call('POST', '/topics', { name: 'orders', partitions: 1 });
  await produceValues(api, 'orders', ['o0', 'o1', 'o2', 'o3']);
  await admin.setOffsets({ groupId: 'web', topic: 'orders', partitions: [{ partition: 0, offset: '1' }] });

  const socket = await openSocket(t, api, '/topics/orders/ws?group=web&credit=2');
  assert.deepEqual([(await socket.next()).value, (await socket.next()).value], ['o1', 'o2']);
  socket.send({ commit: { partition: 0, offset: 2 } });
  assert.deepEqual(await socket.next(), { committed: { partition: 0, offset: 3 } });
  const [{ partitions }] = await admin.fetchOffsets({ groupId: 'web', topics: ['orders'] });
  assert.deepEqual(partitions.map((p) => [p.partition, p.offset]), [[0, '3']]);
});

test('a read-only API refuses group mode before the upgrade, and commits need a group', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: false });
  await api.broker.broker.createTopic('readonly', 1, {});
  const refused = new WebSocket(api.base.replace('http:', 'ws:') + '/topics/readonly/ws?group=g');
  const [request, response] = await once(refused, 'unexpected-response');
  assert.equal(response.statusCode, 403);
  request.destroy();

  const socket = await openSocket(t, api, '/topics/readonly/ws');
  socket.send({ commit: { partition: 0, offset: 0 } });
  assert.equal((await socket.next()).error.code, 'SLUICE_HTTP_BAD_REQUEST');
});

test('a plain GET of the WebSocket route, without the upgrade, answers 426 with the API error shape', async (t) => {
  const api = await startHttpApiBroker(t);
  await api.broker.broker.createTopic('plain', 1, {});
  const plain = await api.call('GET', '/topics/plain/ws');
  assert.equal(plain.status, 426);
  assert.equal(plain.headers.get('upgrade'), 'websocket');
  assert.equal(plain.json.error.code, 'SLUICE_HTTP_UPGRADE_REQUIRED');
  assert.match(plain.json.error.hint, /WebSocket/);
  // The request is checked first, as an upgrade's would be.
  const unknown = await api.call('GET', '/topics/nothing-here/ws');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'SLUICE_HTTP_UNKNOWN_TOPIC');
});
