// POST /request/{t} over real HTTP against a Sluice client's serve(): a JSON
// request gets the handler's reply as JSON, text as text; a handler that throws
// answers 502 with its message; no server answers 504 after timeoutMs; the
// reply topic goes away when the broker closes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { defer } from '../helpers/broker-process.js';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('a request over HTTP is answered by a Sluice client serve() handler', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  const client = await connect({ bootstrap: api.broker.bootstrap });
  defer(t, () => client.close());
  const server = await client.serve<{ amount: number } | string>('pricing', (value) => {
    if (typeof value === 'object' && value.amount < 0) throw new Error('negative amount');
    return typeof value === 'object' ? { price: value.amount * 2 } : `echo ${value}`;
  }, { valueFormat: 'json' });
  defer(t, () => server.close());

  const priced = await api.call('POST', '/request/pricing?timeoutMs=10000', { amount: 21 });
  assert.equal(priced.status, 200, priced.text);
  assert.match(priced.headers.get('content-type')!, /^application\/json/);
  assert.deepEqual(priced.json, { price: 42 });

  // A JSON string is sent as its text, which the handler's JSON decoding reads back as a string.
  const echoed = await api.call('POST', '/request/pricing?timeoutMs=10000', JSON.stringify('"hi"'));
  assert.equal(echoed.status, 200, echoed.text);
  assert.equal(echoed.text, 'echo hi');
  assert.match(echoed.headers.get('content-type')!, /^text\/plain/);

  const failed = await api.call('POST', '/request/pricing?timeoutMs=10000', { amount: -1 });
  assert.equal(failed.status, 502);
  assert.equal(failed.json.error.code, 'SLUICE_HTTP_REQUEST_FAILED');
  assert.match(failed.json.error.message, /negative amount/);
});

test('a request nobody answers times out with 504 after timeoutMs', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'unserved', partitions: 1 });
  const started = Date.now();
  const answer = await api.call('POST', '/request/unserved?timeoutMs=300', { q: 1 });
  assert.equal(answer.status, 504);
  assert.equal(answer.json.error.code, 'SLUICE_HTTP_REQUEST_TIMEOUT');
  assert.ok(Date.now() - started >= 300);
  // The request itself was published, with the headers a server answers by.
  const [line] = (await api.call('GET', '/topics/unserved/records')).text.split('\n');
  const published = JSON.parse(line);
  assert.equal(published.value, '{"q":1}');
  assert.match(published.headers['reply-to'], /^_sluice\.reply\.http\./);
  assert.ok(published.headers['correlation-id']);
  assert.equal((await api.call('POST', '/request/unserved?timeoutMs=0', {})).status, 400);
});

test('the HTTP reply topic is deleted when the broker closes', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.call('POST', '/topics', { name: 'once', partitions: 1 });
  await api.call('POST', '/request/once?timeoutMs=50', {});
  const replyTopics = () => api.broker.broker.cluster.topics().filter((topic) => topic.name.startsWith('_sluice.reply.http.'));
  assert.equal(replyTopics().length, 1);
  await api.broker.close();
  assert.equal(replyTopics().length, 0);
});
