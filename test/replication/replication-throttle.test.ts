// The follower replication throttle as a token bucket on an injected clock.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicationThrottle } from '../../src/replication/replication-throttle.js';

test('bytes past the rate hold throttled fetches back for as long as the debt takes to pay', () => {
  let now = 0;
  let rate = 1000;
  const throttle = new ReplicationThrottle(() => rate, () => now);
  assert.equal(throttle.waitMs(), 0);
  throttle.record(3000);
  assert.equal(throttle.waitMs(), 3000, '3000 bytes at 1000 B/s');
  now = 2000;
  assert.equal(throttle.waitMs(), 1000);
  now = 3000;
  assert.equal(throttle.waitMs(), 0);
  now = 60_000;
  throttle.record(1500);
  assert.equal(throttle.waitMs(), 500, 'idle time saves at most one second of the rate');
  rate = Infinity;
  assert.equal(throttle.waitMs(), 0, 'no throttle once the rate is unset');
});

test('a throttled partition asks for at most a second of the rate per fetch, at least a kilobyte', () => {
  assert.equal(new ReplicationThrottle(() => 500_000, () => 0).partitionMaxBytes(1_048_576), 500_000);
  assert.equal(new ReplicationThrottle(() => 10, () => 0).partitionMaxBytes(1_048_576), 1024);
  assert.equal(new ReplicationThrottle(() => Infinity, () => 0).partitionMaxBytes(1_048_576), 1_048_576);
});
