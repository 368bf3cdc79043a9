// GET /stats/history as the console reads it: the interval and the points so
// far (none before the first 10 s; the sampler itself is proven over a fake
// clock in test/broker/stats-history.test.ts), allowed on a read-only API.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHttpApiBroker } from '../helpers/http-api.js';

test('GET /stats/history answers the interval and the points so far on a read-only API', async (t) => {
  const api = await startHttpApiBroker(t, { httpWrites: false });
  const answer = await api.call('GET', '/stats/history');
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json, { intervalMs: 10_000, points: [] });
});
