// Queue writes over the HTTP API: messages sent with POST /queues/{g}/messages
// reach a Sluice client's queue of that group; the ones it rejects land in the
// group's dead-letter topic, and POST /queues/{g}/redrive sends them back to
// their topic, at most `limit` per call, each once (the cursor it shares with
// `sluice queue redrive`); a read-only API refuses both.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { defer } from '../helpers/broker-process.js';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('messages sent over HTTP are received by a queue, and its rejected ones are redriven within the limit, each once', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  const client = await connect({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  await client.admin().createTopic('invoices', { partitions: 1 });
  await client.admin().alterConfigs({ type: 'group', name: 'billing' }, { set: { 'errors.deadletterqueue.topic.name': 'invoices.dlq' } });

  const sent = await api.call('POST', '/queues/billing/messages?topic=invoices', { records: ['i1', 'i2', 'i3'].map((value) => ({ value, headers: { source: 'web' } })) });
  assert.equal(sent.status, 200, sent.text);
  assert.deepEqual(sent.json.records.map((r: any) => r.offset), [0, 1, 2]);

  const queue = client.queue('invoices', { group: 'billing', from: 'earliest', valueFormat: 'string' });
  const seen: string[] = [];
  for await (const msg of queue) {
    seen.push(msg.value as string);
    assert.equal(msg.headers.source, 'web');
    msg.reject('not billable');
    if (seen.length === 3) break;
  }
  await queue.close();
  assert.deepEqual(seen, ['i1', 'i2', 'i3']);
  const lettered = async () => (await api.call('GET', '/topics/invoices.dlq/records')).text.split('\n').filter(Boolean).length;
  // The copies to the dead-letter topic are made after the archive is decided; wait for all three.
  while ((await lettered()) < 3) await new Promise((resolve) => setImmediate(resolve));

  const first = await api.call('POST', '/queues/billing/redrive', { limit: 2 });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json, { moved: 2, deadLetterTopic: 'invoices.dlq' });
  assert.deepEqual((await api.call('POST', '/queues/billing/redrive', {})).json.moved, 1);
  assert.deepEqual((await api.call('POST', '/queues/billing/redrive', {})).json.moved, 0);

  const back = (await api.call('GET', '/topics/invoices/records?offset=3')).text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  assert.deepEqual(back.map((r) => [r.value, r.headers]), [['i1', { source: 'web' }], ['i2', { source: 'web' }], ['i3', { source: 'web' }]]);
});

test('a read-only API refuses queue sends and redrives', async (t) => {
  const api = await startHttpApiBroker(t);
  for (const path of ['/queues/billing/messages?topic=invoices', '/queues/billing/redrive']) {
    const refused = await api.call('POST', path, { value: 'x' });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'SLUICE_HTTP_READ_ONLY');
  }
});
