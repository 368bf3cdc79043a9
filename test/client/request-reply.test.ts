// Request/reply between facade clients: a reply resolves its request, a
// request nobody serves times out, a handler's error rejects the request with
// its message, concurrent requests each get their own reply, a reply after
// the timeout is dropped and counted, and the reply topic goes with the
// client that made it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../helpers/broker-process.js';
import { connectFor, startBrokerWithSluiceClient } from '../helpers/sluice-client.js';

const isReplyTopic = (name: string) => name.startsWith('_sluice.reply.');

test('a request is answered by a server in another client', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  const server = await connectFor(t, broker);
  await server.serve('pricing', async (req: { sku: string }) => ({ sku: req.sku, price: req.sku === 'A1' ? 7 : 0 }));
  assert.deepEqual(await client.request('pricing', { sku: 'A1' }, { timeoutMs: 5000 }), { sku: 'A1', price: 7 });
  assert.equal(await client.request('pricing', { sku: 'B2' }, { timeoutMs: 5000, valueFormat: 'string' }), '{"sku":"B2","price":0}');
});

test('a request nobody serves is rejected when its timeout passes', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  const started = Date.now();
  await assert.rejects(client.request('nobody-home', { q: 1 }, { timeoutMs: 300 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SLUICE_ERR_REQUEST_TIMEOUT');
    return true;
  });
  assert.ok(Date.now() - started >= 300);
});

test("a handler's error rejects the request with the handler's message", async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.serve('stock', async (req: { sku: string }) => {
    if (req.sku === 'gone') throw new Error(`out of stock: ${req.sku}`);
    return { left: 3 };
  });
  await assert.rejects(client.request('stock', { sku: 'gone' }, { timeoutMs: 5000 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SLUICE_ERR_REQUEST_HANDLER');
    assert.equal(err.message, 'out of stock: gone');
    return true;
  });
  assert.deepEqual(await client.request('stock', { sku: 'here' }, { timeoutMs: 5000 }), { left: 3 }, 'the server goes on after an error');
});

test('50 concurrent requests each get their own reply', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('double', { partitions: 3 });
  const server = await connectFor(t, broker);
  await server.serve('double', async (req: { n: number }) => ({ n: req.n, twice: req.n * 2 }));
  const replies = await Promise.all(Array.from({ length: 50 }, (_, n) => client.request('double', { n }, { key: `k${n}`, timeoutMs: 10_000 })));
  assert.deepEqual(replies, Array.from({ length: 50 }, (_, n) => ({ n, twice: n * 2 })));
  assert.equal(client.lateReplies, 0);
});

test('a reply that comes after the timeout is dropped and counted', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  await client.serve('slow', async () => {
    if (++calls === 1) await released;
    return 'answer';
  });
  await assert.rejects(client.request('slow', { q: 'first' }, { timeoutMs: 300 }), /within 300 ms/);
  assert.equal(client.lateReplies, 0);
  release();
  await waitFor('the late reply to be counted', () => client.lateReplies === 1);
  assert.equal(await client.request('slow', { q: 'second' }, { timeoutMs: 5000, valueFormat: 'string' }), 'answer', 'the next request gets its own reply, not the late one');
  assert.equal(client.lateReplies, 1);
});

test("close() deletes the client's reply topic", async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  const requester = await connectFor(t, broker);
  await client.serve('echo', async (value) => value);
  assert.deepEqual(await requester.request('echo', [1, 2], { timeoutMs: 5000 }), [1, 2]);
  const before = (await client.admin().listTopics()).map((topic) => topic.name).filter(isReplyTopic);
  assert.equal(before.length, 1, 'one reply topic while the requester is open');
  await requester.close();
  const after = (await client.admin().listTopics()).map((topic) => topic.name).filter(isReplyTopic);
  assert.deepEqual(after, []);
});
