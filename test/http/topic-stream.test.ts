// GET /topics/{t}/stream over real HTTP: records arrive as Server-Sent Events
// in offset order, live as they are produced (by kcat too), each with an id
// that Last-Event-ID resumes after, for one partition or all; an idle stream
// gets heartbeat comments; closing the broker ends open streams.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openEventStream } from '../helpers/event-stream.js';
import { startHttpApiBroker } from '../helpers/http-api.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

async function produce(api: Awaited<ReturnType<typeof startHttpApiBroker>>, topic: string, records: { value: string; partition: number }[]): Promise<void> {
  const answer = await api.call('POST', `/topics/${topic}/records?acks=1`, { records });
  assert.equal(answer.status, 200, answer.text);
}

test('SSE delivers one partition in order, live, and resumes after Last-Event-ID', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'ticks', partitions: 2 });
  await produce(api, 'ticks', ['a', 'b', 'c'].map((value) => ({ value, partition: 1 })));

  const stream = await openEventStream(t, `${api.base}/topics/ticks/stream?partition=1`);
  assert.equal(stream.status, 200);
  assert.match(stream.headers['content-type']!, /^text\/event-stream/);
  const seen = [];
  for (let i = 0; i < 3; i++) seen.push(await stream.next());
  // Produced while the stream waits: woken by the append, not found by polling.
  await produce(api, 'ticks', ['d', 'e'].map((value) => ({ value, partition: 1 })));
  for (let i = 0; i < 2; i++) seen.push(await stream.next());
  assert.deepEqual(seen.map((e) => e.id), ['1:0', '1:1', '1:2', '1:3', '1:4']);
  assert.deepEqual(seen.map((e) => JSON.parse(e.data).value), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(Object.keys(JSON.parse(seen[0].data)), ['partition', 'offset', 'timestamp', 'key', 'value', 'headers']);
  stream.close();

  const resumed = await openEventStream(t, `${api.base}/topics/ticks/stream?partition=1`, { 'last-event-id': seen[2].id! });
  const after = [await resumed.next(), await resumed.next()];
  assert.deepEqual(after.map((e) => [e.id, JSON.parse(e.data).value]), [['1:3', 'd'], ['1:4', 'e']]);
});

test('SSE over all partitions names every partition in its ids and resumes each where it stood', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'spread', partitions: 2 });
  await produce(api, 'spread', [{ value: 'p0-a', partition: 0 }, { value: 'p0-b', partition: 0 }]);

  const stream = await openEventStream(t, `${api.base}/topics/spread/stream`);
  const first = await stream.next();
  assert.equal(first.id, '0:0,1:-1');
  stream.close();
  await produce(api, 'spread', [{ value: 'p1-a', partition: 1 }]);

  // Resuming after 0:0 with partition 1 at -1 loses neither p0-b nor p1-a, produced after the first stream closed.
  const resumed = await openEventStream(t, `${api.base}/topics/spread/stream?from=latest`, { 'last-event-id': first.id! });
  const values = new Set([JSON.parse((await resumed.next()).data).value, JSON.parse((await resumed.next()).data).value]);
  assert.deepEqual(values, new Set(['p0-b', 'p1-a']));
});

test('SSE from=latest sends only what is produced after it starts, including records produced by kcat', skipUnless(kcat), async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'live', partitions: 1 });
  await produce(api, 'live', [{ value: 'old', partition: 0 }]);
  const stream = await openEventStream(t, `${api.base}/topics/live/stream?from=latest`);
  await runOk(KCAT, ['-P', '-b', api.broker.bootstrap, '-t', 'live', '-p', '0'], { input: 'from kcat\n' });
  const event = await stream.next();
  assert.equal(event.id, '0:1');
  assert.equal(JSON.parse(event.data).value, 'from kcat');
});

test('an idle SSE stream gets heartbeat comments', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'quiet', partitions: 1 });
  const stream = await openEventStream(t, `${api.base}/topics/quiet/stream?heartbeatMs=1000`);
  await stream.until(() => stream.comments.includes('heartbeat'));
});

test('closing the broker ends its open SSE streams', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'closing', partitions: 1 });
  const stream = await openEventStream(t, `${api.base}/topics/closing/stream`);
  await stream.until(() => stream.comments.length > 0);
  await api.broker.close();
  await stream.ended;
});

test('SSE refuses a Last-Event-ID it did not send and an offset without a partition', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'strict', partitions: 1 });
  const garbled = await api.call('GET', '/topics/strict/stream', undefined, { 'last-event-id': 'yesterday' });
  assert.equal(garbled.status, 400);
  assert.equal(garbled.json.error.code, 'SLUICE_HTTP_BAD_LAST_EVENT_ID');
  const foreign = await api.call('GET', '/topics/strict/stream', undefined, { 'last-event-id': '7:3' });
  assert.equal(foreign.json.error.code, 'SLUICE_HTTP_BAD_LAST_EVENT_ID');
  const offsetOnly = await api.call('GET', '/topics/strict/stream?offset=0');
  assert.equal(offsetOnly.status, 400);
  assert.equal((await api.call('GET', '/topics/nope/stream')).status, 404);
});
