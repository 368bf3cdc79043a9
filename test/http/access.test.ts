// Who may do what over HTTP: a read-only API (the default) refuses every
// write with 403 and changes nothing; with --http-token, a request without the
// token or with a wrong one gets 401, reads included, and one with it passes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('a read-only HTTP API refuses every write with SLUICE_HTTP_READ_ONLY and changes nothing', async (t) => {
  const api = await startHttpApiBroker(t);
  await api.broker.broker.createTopic('kept', 1, {});
  const writes: [string, string, unknown][] = [
    ['POST', '/topics', { name: 'made' }],
    ['DELETE', '/topics/kept', undefined],
    ['PATCH', '/topics/kept/configs', { set: { 'retention.ms': '1000' } }],
    ['POST', '/topics/kept/records', { value: 'v' }],
    ['POST', '/topics/kept/records?key=k', Buffer.from('raw')],
  ];
  for (const [method, path, body] of writes) {
    const answer = await api.call(method, path, body);
    assert.equal(answer.status, 403, `${method} ${path}`);
    assert.equal(answer.json.error.code, 'SLUICE_HTTP_READ_ONLY');
    assert.match(answer.json.error.hint, /--http-writes/);
  }
  const cluster = api.broker.broker.cluster;
  assert.deepEqual(cluster.topics().map((t) => t.name), ['kept']);
  assert.deepEqual(cluster.topic('kept')!.configs, {});
  assert.equal(api.broker.broker.partition('kept', 0)!.logEndOffset, 0);
  assert.equal((await api.call('GET', '/topics/kept')).status, 200, 'reads pass');
});

test('with a token, requests without it or with a wrong one get SLUICE_HTTP_UNAUTHORIZED; with it they pass', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: true, httpToken: 's3cret-token' });
  const record = { value: 'v' };
  const refused: [string, Record<string, string>][] = [
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer s3cret-tokeN' }],
    ['a longer token', { authorization: 'Bearer s3cret-token-and-more' }],
    ['another scheme', { authorization: 'Basic czNjcmV0LXRva2Vu' }],
  ];
  for (const [what, headers] of refused) {
    const write = await api.call('POST', '/topics/guarded/records', record, headers);
    assert.equal(write.status, 401, `a write with ${what}`);
    assert.equal(write.json.error.code, 'SLUICE_HTTP_UNAUTHORIZED');
    assert.equal(write.headers.get('www-authenticate'), 'Bearer');
    const read = await api.call('GET', '/topics', undefined, headers);
    assert.equal(read.status, 401, `a read with ${what}`);
  }
  assert.equal(api.broker.broker.cluster.topic('guarded'), undefined, 'no refused write auto-created the topic');

  const auth = { authorization: 'Bearer s3cret-token' };
  const written = await api.call('POST', '/topics/guarded/records', record, auth);
  assert.equal(written.status, 200, written.text);
  assert.deepEqual(written.json, { records: [{ partition: 0, offset: 0 }] });
  assert.equal((await api.call('GET', '/topics/guarded', undefined, auth)).status, 200);
  const doc = (await api.call('GET', '/openapi.json', undefined, auth)).json;
  assert.deepEqual(doc.security, [{ bearer: [] }], 'the OpenAPI document says so');
});

test('a token does not open writes on a read-only API', async (t) => {
  const api = await startHttpApiBroker(t, { httpToken: 'tok' });
  const answer = await api.call('POST', '/topics', { name: 'x' }, { authorization: 'Bearer tok' });
  assert.equal(answer.status, 403);
  assert.equal(answer.json.error.code, 'SLUICE_HTTP_READ_ONLY');
});
