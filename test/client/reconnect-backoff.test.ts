// The reconnect schedule per broker address: doubling from reconnectBackoffMs
// to reconnectBackoffMaxMs, ±20% jitter never past the cap, reset by a success,
// one address's failures never delaying another's.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReconnectBackoff } from '../../src/client/reconnect-backoff.js';

function backoffAt(random: number): { backoff: ReconnectBackoff; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return { backoff: new ReconnectBackoff({ reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000 }, () => clock.now, () => random), clock };
}

/** The delays after each of `n` failures in a row (time frozen). */
function schedule(backoff: ReconnectBackoff, n: number): number[] {
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    backoff.failed('a:1');
    delays.push(backoff.delayFor('a:1'));
  }
  return delays;
}

test('without jitter the delay doubles from 50 ms and stops at 1000 ms', () => {
  assert.deepEqual(schedule(backoffAt(0.5).backoff, 8), [50, 100, 200, 400, 800, 1000, 1000, 1000]);
});

test('jitter spreads each delay by at most 20%, never past the cap', () => {
  assert.deepEqual(schedule(backoffAt(0).backoff, 6), [40, 80, 160, 320, 640, 800]);
  assert.deepEqual(schedule(backoffAt(0.999999).backoff, 6), [60, 120, 240, 480, 960, 1000]);
});

test('the delay counts down with the clock, and a success resets the address', () => {
  const { backoff, clock } = backoffAt(0.5);
  assert.equal(backoff.delayFor('a:1'), 0, 'a new address is tried at once');
  schedule(backoff, 3);
  clock.now += 150;
  assert.equal(backoff.delayFor('a:1'), 50);
  clock.now += 60;
  assert.equal(backoff.delayFor('a:1'), 0);
  backoff.succeeded('a:1');
  assert.deepEqual(schedule(backoff, 1), [50]);
});

test('addresses back off independently', () => {
  const { backoff } = backoffAt(0.5);
  schedule(backoff, 4);
  assert.equal(backoff.delayFor('b:2'), 0);
  backoff.failed('b:2');
  assert.equal(backoff.delayFor('b:2'), 50);
  assert.equal(backoff.delayFor('a:1'), 400);
});
