// Throttle statistics keep a bounded number of series: a client inventing
// client ids is counted, under <other>, without growing them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SERIES, OTHER, ThrottleStats } from '../../../src/broker/quota/throttle-stats.js';

test('past MAX_SERIES pairs, throttles are counted under <other>', () => {
  const stats = new ThrottleStats();
  for (let i = 0; i < MAX_SERIES + 50; i++) stats.throttled('produce', 'alice', `client-${i}`, 10);
  stats.throttled('produce', 'alice', 'client-0', 5);
  const series = [...stats.all()];
  assert.equal(series.length, MAX_SERIES + 1);
  assert.deepEqual(series.find((s) => s.clientId === OTHER), { quota: 'produce', user: OTHER, clientId: OTHER, throttles: 50, throttleMs: 500 });
  assert.deepEqual(series.find((s) => s.clientId === 'client-0'), { quota: 'produce', user: 'alice', clientId: 'client-0', throttles: 2, throttleMs: 15 });
});
