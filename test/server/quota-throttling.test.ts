// Client quotas slow the client they name and no other (KIP-13, KIP-219): a
// greedy producer under producer_byte_rate is answered with throttle times and
// held near its quota, while another client producing at the same time runs at
// full speed; likewise a consumer under consumer_byte_rate. Windows are 2 × 1 s, so a first burst is worth one second of quota.
// Rates are asserted with room for a loaded machine: the throttled client under
// twice its quota, the other several times faster. Quotas are set with
// AlterClientQuotas through Sluice's admin.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import { startTestBroker } from '../helpers/broker.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';
import { consumeGreedily, produceGreedily } from './quota-helpers.js';

const WINDOWS = { quotaWindowNum: 2, quotaWindowSizeSeconds: 1 };
const QUOTA = 64 * 1024;
const VALUE_BYTES = 8 * 1024;
const RUN_MS = 4000;

test('a producer_byte_rate on a user slows that SASL user and not another one producing at the same time', skipUnless(openssl), async (t) => {
  const { broker, endpoint } = await startSaslBroker(t, WINDOWS);
  const admin = new KafkaClient({ bootstrap: broker.bootstrap });
  try {
    await upsertScramCredential(admin, 'bob', 'SCRAM-SHA-512', 'bob-secret');
    await new Admin(admin).createTopic('greedy', 1);
    await new Admin(admin).alterClientQuotas([{ entity: { user: USER }, set: { producer_byte_rate: QUOTA } }]);
  } finally {
    await admin.close();
  }
  const login = (username: string, password: string) => ({
    brokers: [endpoint('SASL_PLAINTEXT')],
    clientId: 'same-client-id',
    sasl: { mechanism: 'scram-sha-512' as const, username, password },
  });
  const deadline = Date.now() + RUN_MS;
  const [alice, bob] = await Promise.all([
    produceGreedily(login(USER, PASSWORD), 'greedy', VALUE_BYTES, deadline),
    produceGreedily(login('bob', 'bob-secret'), 'greedy', VALUE_BYTES, deadline),
  ]);
  t.diagnostic(`alice ${Math.round(alice.rate)} B/s (quota ${QUOTA}), bob ${Math.round(bob.rate)} B/s, alice's largest throttle ${Math.max(...alice.throttles)} ms`);
  assert.ok(alice.throttles.some((ms) => ms > 0), 'alice saw a throttle time');
  assert.ok(alice.rate < 2 * QUOTA, `alice produced ${Math.round(alice.rate)} B/s against a quota of ${QUOTA}`);
  assert.deepEqual(bob.throttles, [], 'bob was never throttled');
  assert.ok(bob.rate > 4 * alice.rate, `bob produced ${Math.round(bob.rate)} B/s, alice ${Math.round(alice.rate)} B/s`);
});

test('a producer_byte_rate on a client id works without SASL, and the default client id quota covers the rest', async (t) => {
  const broker = await startTestBroker(t, WINDOWS);
  const admin = new KafkaClient({ bootstrap: broker.bootstrap });
  try {
    await new Admin(admin).createTopic('greedy', 1);
    await new Admin(admin).alterClientQuotas([
      { entity: { 'client-id': 'slow' }, set: { producer_byte_rate: QUOTA } },
      { entity: { 'client-id': null }, set: { producer_byte_rate: 1e12 } },
    ]);
  } finally {
    await admin.close();
  }
  const deadline = Date.now() + RUN_MS;
  const [slow, fast] = await Promise.all([
    produceGreedily({ brokers: [broker.bootstrap], clientId: 'slow' }, 'greedy', VALUE_BYTES, deadline),
    produceGreedily({ brokers: [broker.bootstrap], clientId: 'fast' }, 'greedy', VALUE_BYTES, deadline),
  ]);
  t.diagnostic(`slow ${Math.round(slow.rate)} B/s (quota ${QUOTA}), fast ${Math.round(fast.rate)} B/s`);
  assert.ok(slow.throttles.some((ms) => ms > 0), 'the slow client id saw a throttle time');
  assert.ok(slow.rate < 2 * QUOTA, `slow produced ${Math.round(slow.rate)} B/s against a quota of ${QUOTA}`);
  assert.deepEqual(fast.throttles, []);
  assert.ok(fast.rate > 4 * slow.rate, `fast produced ${Math.round(fast.rate)} B/s, slow ${Math.round(slow.rate)} B/s`);
});

test('a consumer_byte_rate slows the consumer it names and not another one reading the same topic at the same time', async (t) => {
  const broker = await startTestBroker(t, WINDOWS);
  const producer = new Kafka({ brokers: [broker.bootstrap], clientId: 'filler', logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    // 3 MiB in batches of 32 KiB: a fetch capped to one window's quota still gets whole batches (KIP-74).
    const value = Buffer.alloc(VALUE_BYTES, 'y');
    for (let i = 0; i < 96; i++) await producer.send({ topic: 'stored', acks: 1, messages: Array.from({ length: 4 }, () => ({ value })) });
  } finally {
    await producer.disconnect();
  }
  const admin = new KafkaClient({ bootstrap: broker.bootstrap });
  try {
    await new Admin(admin).alterClientQuotas([{ entity: { 'client-id': 'slow-reader' }, set: { consumer_byte_rate: QUOTA } }]);
  } finally {
    await admin.close();
  }
  const deadline = Date.now() + RUN_MS;
  const [slow, fast] = await Promise.all([
    consumeGreedily({ brokers: [broker.bootstrap], clientId: 'slow-reader' }, 'slow-group', 'stored', deadline),
    consumeGreedily({ brokers: [broker.bootstrap], clientId: 'fast-reader' }, 'fast-group', 'stored', deadline),
  ]);
  t.diagnostic(`slow reader ${Math.round(slow.rate)} B/s (quota ${QUOTA}) for ${slow.bytes} bytes, fast reader ${fast.bytes} bytes`);
  assert.ok(slow.throttles.some((ms) => ms > 0), 'the slow reader saw a throttle time');
  assert.ok(slow.rate < 2 * QUOTA, `the slow reader read ${Math.round(slow.rate)} B/s against a quota of ${QUOTA}`);
  assert.deepEqual(fast.throttles, []);
  assert.equal(fast.bytes, 96 * 4 * VALUE_BYTES, 'the fast reader read the whole topic');
  assert.ok(fast.bytes > 4 * slow.bytes, `fast read ${fast.bytes} bytes, slow ${slow.bytes}`);
});
