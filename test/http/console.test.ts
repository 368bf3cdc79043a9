// The web console's routes: `/` serves the page and `/console/` its bundled
// script and styles, both open without the token (the page must load to ask
// for it), while every other route still needs it; GET /console/config tells
// the page whether writes are allowed, whether a token is needed and which
// optional routes this broker serves.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('GET / serves the console page and /console/ its assets, built into the package, without the token', async (t) => {
  const api = await startHttpApiBroker(t, { httpToken: 'console-token' });
  const page = await api.call('GET', '/');
  assert.equal(page.status, 200, page.text);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self';.*connect-src 'self'/);
  const scripts = [...page.text.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
  const styles = [...page.text.matchAll(/href="(\/console\/[^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(scripts, ['/console/app.js']);
  assert.deepEqual(styles, ['/console/app.css']);
  for (const [asset, type] of [['/console/app.js', /javascript/], ['/console/app.css', /^text\/css/]] as const) {
    const answer = await api.call('GET', asset);
    assert.equal(answer.status, 200, asset);
    assert.match(answer.headers.get('content-type') ?? '', type);
    assert.ok(answer.text.length > 1000, `${asset} holds the bundle`);
    assert.doesNotMatch(answer.text, /https?:\/\/(cdn|unpkg|fonts)\./, `${asset} fetches nothing from elsewhere`);
  }
  assert.equal((await api.call('GET', '/console/missing.js')).status, 404);
  for (const path of ['/topics', '/groups', '/queues', '/metrics', '/openapi.json', '/console']) {
    assert.equal((await api.call('GET', path)).status, 401, `${path} still needs the token`);
  }
});

test('GET /console/config says what the console may show', async (t) => {
  const readOnly = await startHttpApiBroker(t);
  const config = await readOnly.call('GET', '/console/config');
  assert.equal(config.status, 200, config.text);
  const { routes, ...broker } = config.json;
  assert.deepEqual(broker, { writes: false, tokenRequired: false, principal: 'User:ANONYMOUS', nodeId: 0, kafkaListener: readOnly.broker.bootstrap });
  assert.deepEqual(Object.keys(routes).sort(), ['history', 'offsetReset', 'redrive']);

  const guarded = await startHttpApiBroker(t, { httpWrites: true, httpToken: 'console-token' });
  const auth = { authorization: 'Bearer console-token' };
  // Each optional route is said to be served exactly when asking it finds a route.
  const probes: Record<string, [string, string]> = { history: ['GET', '/stats/history'], offsetReset: ['POST', '/groups/g/offsets/reset'], redrive: ['POST', '/queues/g/redrive'] };
  for (const [name, [method, path]] of Object.entries(probes)) {
    const probe = await guarded.call(method, path, method === 'POST' ? {} : undefined, auth);
    assert.equal(routes[name], probe.json?.error?.code !== 'SLUICE_HTTP_NOT_FOUND', `${name}: ${probe.status} ${probe.text}`);
  }
  const answer = await guarded.call('GET', '/console/config');
  assert.equal(answer.status, 200, 'open without the token');
  assert.equal(answer.json.writes, true);
  assert.equal(answer.json.tokenRequired, true);
});
