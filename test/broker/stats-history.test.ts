// The stats history over a fake clock: a point every 10 s with the rates since
// the previous one and the lag at that moment, the last 360 kept oldest first,
// a count that went down (a deleted topic) read as no traffic, and nothing
// sampled after stop.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionTraffic } from '../../src/broker/partition-traffic.js';
import { STATS_CAPACITY, STATS_INTERVAL_MS, StatsHistory } from '../../src/broker/stats-history.js';
import { FakeClock } from '../helpers/fake-clock.js';

function sampled() {
  const clock = new FakeClock();
  const traffic = new PartitionTraffic();
  const state = { lag: 0 };
  const history = new StatsHistory(clock, { traffic: () => traffic, groupLag: () => state.lag });
  history.start();
  return { clock, traffic, state, history };
}

test('each point gives the rates since the previous one and the group lag when it was taken', () => {
  const { clock, traffic, state, history } = sampled();
  const started = clock.now();
  traffic.recordsIn += 1000;
  traffic.bytesIn += 64_000;
  traffic.recordsOut += 500;
  traffic.bytesOut += 32_000;
  state.lag = 500;
  clock.advance(STATS_INTERVAL_MS - 1);
  assert.deepEqual(history.points(), []);
  clock.advance(1);
  assert.deepEqual(history.points(), [{ t: started + 10_000, recordsInPerSec: 100, recordsOutPerSec: 50, bytesInPerSec: 6400, bytesOutPerSec: 3200, groupLag: 500 }]);

  traffic.recordsOut += 500;
  traffic.bytesOut += 32_000;
  state.lag = 0;
  clock.advance(STATS_INTERVAL_MS);
  assert.deepEqual(history.points()[1], { t: started + 20_000, recordsInPerSec: 0, recordsOutPerSec: 50, bytesInPerSec: 0, bytesOutPerSec: 3200, groupLag: 0 });
});

test('the last hour is kept, oldest first, and older points are dropped', () => {
  const { clock, traffic, history } = sampled();
  const started = clock.now();
  for (let i = 1; i <= STATS_CAPACITY + 25; i++) {
    traffic.recordsIn += i * 10;
    clock.advance(STATS_INTERVAL_MS);
  }
  const points = history.points();
  assert.equal(points.length, STATS_CAPACITY);
  assert.equal(points[0].t, started + 26 * STATS_INTERVAL_MS);
  assert.equal(points.at(-1)?.t, clock.now());
  // Point i carries the i*10 records that came in during its interval.
  assert.deepEqual(points.slice(0, 2).map((p) => p.recordsInPerSec), [26, 27]);
  assert.equal(points.at(-1)?.recordsInPerSec, STATS_CAPACITY + 25);
  assert.ok(points.every((p, i) => i === 0 || p.t - points[i - 1].t === STATS_INTERVAL_MS));
});

test('counts that went down (a deleted topic) read as no traffic, not a negative rate', () => {
  const { clock, traffic, history } = sampled();
  traffic.bytesIn += 10_000;
  clock.advance(STATS_INTERVAL_MS);
  traffic.bytesIn -= 10_000;
  clock.advance(STATS_INTERVAL_MS);
  assert.deepEqual(history.points().map((p) => p.bytesInPerSec), [1000, 0]);
});

test('no point is taken after stop', () => {
  const { clock, history } = sampled();
  clock.advance(STATS_INTERVAL_MS);
  history.stop();
  clock.advance(10 * STATS_INTERVAL_MS);
  assert.equal(history.points().length, 1);
});
