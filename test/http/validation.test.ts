// Bad requests get 400 (or 413/415) with a stable SLUICE_HTTP_* code and
// write nothing: bodies are checked against the routes' JSON schemas (unknown
// fields refused, not dropped) and a size limit before anything is appended.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('bad produce bodies get 400 SLUICE_HTTP_BAD_REQUEST and nothing is written', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true });
  await api.broker.broker.createTopic('strict', 1, {});
  const bad: [string, unknown][] = [
    ['not JSON', '{"value": '],
    ['an empty object', {}],
    ['no value', { key: 'k' }],
    ['an unknown field', { value: 'v', colour: 'red' }],
    ['a key that is not a string', { key: 42, value: 'v' }],
    ['a header value that is not a string', { value: 'v', headers: { h: 1 } }],
    ['a negative partition', { value: 'v', partition: -1 }],
    ['an empty batch', { records: [] }],
    ['a bad record in a batch', { records: [{ value: 'ok' }, { nothing: true }] }],
    ['a JSON array', [{ value: 'v' }]],
  ];
  for (const [what, body] of bad) {
    const answer = await api.call('POST', '/topics/strict/records', body);
    assert.equal(answer.status, 400, `${what}: ${answer.text}`);
    assert.equal(answer.json.error.code, 'SLUICE_HTTP_BAD_REQUEST', what);
    assert.equal(typeof answer.json.error.message, 'string');
  }
  const badQuery = await api.call('POST', '/topics/strict/records?acks=2', { value: 'v' });
  assert.equal(badQuery.status, 400);
  assert.equal(badQuery.json.error.code, 'SLUICE_HTTP_BAD_REQUEST');
  assert.equal(api.broker.broker.partition('strict', 0)!.logEndOffset, 0, 'nothing was appended');
});

test('a body over the limit gets 413, an unknown content type 415, a missing partition 404, each with its code', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true, messageMaxBytes: 64 * 1024 });
  await api.broker.broker.createTopic('limited', 1, {});
  const huge = await api.call('POST', '/topics/limited/records', { value: 'x'.repeat(2 * 1024 * 1024) });
  assert.equal(huge.status, 413);
  assert.equal(huge.json.error.code, 'SLUICE_HTTP_BODY_TOO_LARGE');
  // Under the body limit but over max.message.bytes: the broker's produce path refuses the batch.
  const tooBig = await api.call('POST', '/topics/limited/records', { value: 'x'.repeat(100 * 1024) });
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.json.error.code, 'SLUICE_HTTP_KAFKA_ERROR');
  assert.match(tooBig.json.error.message, /MESSAGE_TOO_LARGE/);
  const text = await api.call('POST', '/topics/limited/records', 'value', { 'content-type': 'text/plain' });
  assert.equal(text.status, 415);
  assert.equal(text.json.error.code, 'SLUICE_HTTP_UNSUPPORTED_MEDIA_TYPE');
  const noPartition = await api.call('POST', '/topics/limited/records', { value: 'v', partition: 3 });
  assert.equal(noPartition.status, 404);
  assert.equal(noPartition.json.error.code, 'SLUICE_HTTP_UNKNOWN_PARTITION');
  assert.equal(api.broker.broker.partition('limited', 0)!.logEndOffset, 0, 'nothing was appended');

  const unknownRoute = await api.call('GET', '/no/such/route');
  assert.equal(unknownRoute.status, 404);
  assert.equal(unknownRoute.json.error.code, 'SLUICE_HTTP_NOT_FOUND');
  const unknownTopic = await api.call('GET', '/topics/nope');
  assert.equal(unknownTopic.json.error.code, 'SLUICE_HTTP_UNKNOWN_TOPIC');
});
