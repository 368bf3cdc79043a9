// The sampled rate and what is measured with it (client quotas, connection
// creation rates), on a fake clock: rates, throttle times and window expiry
// are computed exactly, without waiting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SampledRate, throttleTimeMs } from '../../../src/broker/quota/sampled-rate.js';
import { ClientQuotaManager } from '../../../src/broker/quota/client-quota-manager.js';
import { ClientQuotas } from '../../../src/broker/quota/client-quotas.js';
import { SamplerMap } from '../../../src/broker/quota/sampler-map.js';
import { ConnectionCreationRates } from '../../../src/broker/quota/connection-creation-rates.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const T0 = 1_000_000;

test('a first burst is measured over n-1 whole windows, not over the instant it took', () => {
  const rate = new SampledRate(1000, 11, T0);
  rate.record(10_000, T0);
  assert.equal(rate.elapsedMs(T0), 10_000);
  assert.equal(rate.perSecond(T0), 1000);
  // Half a window later the span is still 10 windows plus the half.
  assert.equal(rate.elapsedMs(T0 + 500), 10_500);
});

test('past n-1 windows the span runs from the oldest live sample', () => {
  const rate = new SampledRate(1000, 3, T0);
  for (let s = 0; s < 3; s++) rate.record(3000, T0 + s * 1000);
  // Samples started at T0, T0+1000, T0+2000: at T0+2500 the span is 2500 ms.
  assert.equal(rate.elapsedMs(T0 + 2500), 2500);
  assert.equal(rate.perSecond(T0 + 2500), 9000 / 2.5);
});

test('samples older than the whole span stop counting, and the sampler goes idle', () => {
  const rate = new SampledRate(1000, 3, T0);
  rate.record(5000, T0);
  assert.equal(rate.isIdle(T0 + 2999), false);
  assert.equal(rate.perSecond(T0 + 3000), 0);
  assert.equal(rate.isIdle(T0 + 3000), true);
});

test('the throttle time brings the rate back to the quota, capped', () => {
  const rate = new SampledRate(1000, 11, T0);
  rate.record(20_000, T0);
  // 2000/s over 10 s against 1000/s: (2000 - 1000) / 1000 × 10 s.
  assert.equal(throttleTimeMs(rate, 1000, T0, 60_000), 10_000);
  assert.equal(throttleTimeMs(rate, 1000, T0, 4000), 4000);
  assert.equal(throttleTimeMs(rate, 2000, T0, 60_000), 0);
});

test('unrecord takes back what was just recorded', () => {
  const rate = new SampledRate(1000, 2, T0);
  rate.record(700, T0);
  rate.record(300, T0);
  rate.unrecord(300, T0);
  assert.equal(rate.perSecond(T0), 700);
});

test('the manager shares one rate among the clients one quota entity covers, and only them', async () => {
  const clock = new FakeClock();
  const quotas = ClientQuotas.inMemory();
  await quotas.alter([
    { entity: { user: 'alice' }, key: 'producer_byte_rate', value: 1000 },
    { entity: { 'client-id': null }, key: 'producer_byte_rate', value: 1000 },
  ]);
  const manager = new ClientQuotaManager(quotas, { quotaWindowNum: 2, quotaWindowSizeSeconds: 1 }, clock);
  // alice's two client ids share her user quota: 1500 bytes over 1 s against 1000/s.
  assert.equal(manager.record('produce', 'alice', 'one', 800), 0);
  assert.equal(manager.record('produce', 'alice', 'two', 700), 500);
  // bob falls to the default client-id quota, one rate per client id.
  assert.equal(manager.record('produce', 'bob', 'one', 900), 0);
  assert.equal(manager.record('produce', 'bob', 'two', 900), 0);
  // Nothing is measured where no quota applies.
  assert.equal(manager.record('fetch', 'alice', 'one', 1e9), 0);
  assert.equal(manager.maxValueInWindow('fetch', 'alice', 'one'), Number.POSITIVE_INFINITY);
  assert.equal(manager.maxValueInWindow('produce', 'alice', 'one'), 1000);
  clock.advance(2000);
  assert.equal(manager.record('produce', 'alice', 'one', 1000), 0);
});

test('the throttle is capped at the whole quota window span', async () => {
  const clock = new FakeClock();
  const quotas = ClientQuotas.inMemory();
  await quotas.alter([{ entity: { user: 'alice' }, key: 'producer_byte_rate', value: 1 }]);
  const manager = new ClientQuotaManager(quotas, { quotaWindowNum: 11, quotaWindowSizeSeconds: 1 }, clock);
  assert.equal(manager.record('produce', 'alice', 'c', 1e9), 11_000);
});

test('samplers of keys idle for a whole window span are dropped: their number stays bounded', () => {
  const samplers = new SamplerMap(1000, 2, T0);
  for (let i = 0; i < 100; i++) samplers.of(`client-${i}`, T0).record(1, T0);
  assert.equal(samplers.size, 100);
  samplers.of('still-here', T0 + 2000).record(1, T0 + 2000);
  assert.equal(samplers.size, 1);
});

test('connection creation rates: the broker-wide rate and each ip quota, refused attempts counted', async () => {
  const clock = new FakeClock();
  const quotas = ClientQuotas.inMemory();
  await quotas.alter([{ entity: { ip: '10.0.0.1' }, key: 'connection_creation_rate', value: 2 }]);
  const rates = new ConnectionCreationRates(quotas, { quotaWindowNum: 2, quotaWindowSizeSeconds: 1 }, 4, clock);
  assert.deepEqual(['10.0.0.1', '10.0.0.1', '10.0.0.1'].map((ip) => rates.admit(ip)), [null, null, 'connection_creation_rate']);
  assert.equal(rates.admit('10.0.0.2'), null);
  assert.equal(rates.admit('10.0.0.2'), 'max.connection.creation.rate');
  clock.advance(2000);
  assert.equal(rates.admit('10.0.0.1'), null);
});
