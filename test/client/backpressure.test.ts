// Backpressure: when the broker stops reading, requests wait in the client,
// in order and unencoded, instead of piling their bytes into the socket; the
// bytes buffered stay under one high-water mark plus one request however many
// callers wait, and everything goes out in order once the broker reads again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaClient } from '../../src/client/index.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { waitFor } from '../helpers/broker-process.js';
import { startUnresponsiveBroker } from '../helpers/unresponsive-broker.js';

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };
const RECORDS_BYTES = 1024 * 1024;
/** 64 MiB in all: far more than the kernel's socket buffers on both sides take. */
const REQUESTS = 64;
/** Header and framing of one Produce request around its records. */
const OVERHEAD_BYTES = 1024;

test('a broker that stops reading: queued bytes stay bounded while callers wait, and requests go out in order once it reads', async (t) => {
  const server = await startUnresponsiveBroker(t, 'stops-reading');
  const client = new KafkaClient({ bootstrap: server.bootstrap, requestTimeoutMs: 120_000 });
  t.after(() => client.close());
  const conn = await client.any();
  const records = Buffer.alloc(RECORDS_BYTES);
  const body = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] };

  const answers: Promise<unknown>[] = [];
  let mostBuffered = 0;
  for (let i = 0; i < REQUESTS; i++) {
    answers.push(conn.send(PRODUCE, body).catch((err: Error) => err));
    mostBuffered = Math.max(mostBuffered, conn.bufferedBytes);
  }
  const bound = conn['socket'].writableHighWaterMark + RECORDS_BYTES + OVERHEAD_BYTES;
  assert.ok(mostBuffered <= bound, `buffered ${mostBuffered} bytes, bound ${bound}`);
  assert.ok(conn.waitingRequests > REQUESTS / 2, `${conn.waitingRequests} requests wait`);

  server.resumeReading();
  await waitFor('every request to reach the broker', () => server.correlationIds().length === REQUESTS, 30_000);
  const ids = server.correlationIds();
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'written in the order they were sent');
  assert.equal(conn.waitingRequests, 0);

  await client.close();
  for (const answer of await Promise.all(answers)) assert.equal((answer as { code?: string }).code, 'SLUICE_ERR_CLOSED');
});
