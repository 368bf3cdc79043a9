// Request timeouts: a broker that stops answering costs the requests waiting
// on it a SLUICE_ERR_TIMEOUT within requestTimeoutMs, never a hang, and the
// connection they waited on is replaced by a fresh one on the next request;
// a long-poll fetch gets its wait on top of the timeout.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, AssignedConsumer, KafkaClient } from '../../src/client/index.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { startTestBrokerWithClient } from '../helpers/broker.js';
import { startUnresponsiveBroker } from '../helpers/unresponsive-broker.js';

const METADATA = { request: MetadataRequest, response: MetadataResponse };
const TIMEOUT_MS = 300;
/** Generous bound on how late a timeout may fire on a loaded machine. */
const SLACK_MS = 2000;

function isTimeout(err: unknown): boolean {
  return (err as { code?: string }).code === 'SLUICE_ERR_TIMEOUT';
}

test('a broker that never answers: the request rejects with SLUICE_ERR_TIMEOUT and the next one reconnects', async (t) => {
  const server = await startUnresponsiveBroker(t, 'silent');
  const client = new KafkaClient({ bootstrap: server.bootstrap, requestTimeoutMs: TIMEOUT_MS });
  t.after(() => client.close());

  const started = Date.now();
  await assert.rejects(client.metadata([]), isTimeout);
  const took = Date.now() - started;
  assert.ok(took >= TIMEOUT_MS && took < TIMEOUT_MS + SLACK_MS, `rejected after ${took} ms`);
  assert.equal(server.connections(), 1);

  await assert.rejects(client.metadata([]), isTimeout);
  assert.equal(server.connections(), 2, 'the second request opened a new connection');
});

test('a request the broker never answers times out, closes its connection and rejects the requests behind it', async (t) => {
  const server = await startUnresponsiveBroker(t, 'hangs');
  const client = new KafkaClient({ bootstrap: server.bootstrap, requestTimeoutMs: TIMEOUT_MS });
  t.after(() => client.close());
  const conn = await client.any();

  const first = conn.send(METADATA, { topics: [], allowAutoTopicCreation: false });
  const behind = conn.send(METADATA, { topics: [], allowAutoTopicCreation: false }, { timeoutMs: 60_000 });
  await assert.rejects(first, isTimeout);
  await assert.rejects(behind, isTimeout, 'the answer it waits for would come after the lost one');
  assert.equal(conn.closed, true);

  const next = await client.any();
  assert.notEqual(next, conn, 'the timed-out connection left the pool');
  assert.equal(server.connections(), 2);
});

test('a per-request timeout overrides requestTimeoutMs', async (t) => {
  const server = await startUnresponsiveBroker(t, 'hangs');
  const client = new KafkaClient({ bootstrap: server.bootstrap, requestTimeoutMs: 60_000 });
  t.after(() => client.close());
  const conn = await client.any();

  const started = Date.now();
  await assert.rejects(conn.send(METADATA, { topics: [], allowAutoTopicCreation: false }, { timeoutMs: TIMEOUT_MS }), isTimeout);
  assert.ok(Date.now() - started < TIMEOUT_MS + SLACK_MS);
});

test('a long-poll fetch may wait its maxWaitMs beyond requestTimeoutMs without timing out', async (t) => {
  const { broker, client: admin } = await startTestBrokerWithClient(t);
  await new Admin(admin).createTopic('quiet', 1);
  const client = new KafkaClient({ bootstrap: broker.bootstrap, requestTimeoutMs: TIMEOUT_MS });
  t.after(() => client.close());
  const consumer = new AssignedConsumer(client, 'quiet', new Map([[0, 0]]), { maxWaitMs: 3 * TIMEOUT_MS });

  const started = Date.now();
  assert.deepEqual(await consumer.poll(), []);
  assert.ok(Date.now() - started >= 3 * TIMEOUT_MS, 'the broker held the fetch for maxWaitMs');
});
