// kcat, kafkajs and confluent-kafka-python log in with SASL and produce and
// consume: over SASL_SSL with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, over
// SASL_PLAINTEXT with SCRAM. Each login is seen with the user's principal; a
// wrong password is refused.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { type TestContext, test } from 'node:test';
import { type AuthenticationEvent, authenticationChannel } from '../../src/server/authentication-channel.js';
import { confluentPython, kcat, openssl, skipUnless } from '../helpers/interop-tools.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { kafkajsRoundTrip, kcatRoundTrip, pythonRoundTrip } from './secure-round-trips.js';

const CASES = [
  { listener: 'SASL_SSL', mechanism: 'SCRAM-SHA-512' },
  { listener: 'SASL_SSL', mechanism: 'SCRAM-SHA-256' },
  { listener: 'SASL_SSL', mechanism: 'PLAIN' },
  { listener: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-512' },
  { listener: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-256' },
] as const;

/** Successful logins, as [principal, mechanism]. */
function watchLogins(t: TestContext): string[][] {
  const seen: string[][] = [];
  const observe = (e: unknown) => {
    const event = e as AuthenticationEvent;
    seen.push([event.principal, event.mechanism, String(event.succeeded)]);
  };
  authenticationChannel.subscribe(observe);
  t.after(() => authenticationChannel.unsubscribe(observe));
  return seen;
}

/** librdkafka's properties for a case. */
function librdkafkaProperties(listener: string, mechanism: string, ca: string, password = PASSWORD): Record<string, string> {
  return {
    'security.protocol': listener.toLowerCase(),
    'sasl.mechanisms': mechanism,
    'sasl.username': USER,
    'sasl.password': password,
    ...(listener === 'SASL_SSL' ? { 'ssl.ca.location': ca } : {}),
  };
}

const topicOf = (client: string, listener: string, mechanism: string) => `${client}-${listener}-${mechanism}`.toLowerCase().replace(/_/g, '-');

for (const { listener, mechanism } of CASES) {
  test(`kcat over ${listener} with ${mechanism}`, skipUnless(kcat, openssl), async (t) => {
    const { certs, endpoint } = await startSaslBroker(t);
    const logins = watchLogins(t);
    await kcatRoundTrip(endpoint(listener), topicOf('kcat', listener, mechanism), librdkafkaProperties(listener, mechanism, certs.ca));
    assert.ok(logins.length > 0);
    assert.deepEqual(new Set(logins.map(String)), new Set([[`User:${USER}`, mechanism, 'true'].join(',')]));
  });

  test(`kafkajs over ${listener} with ${mechanism}`, skipUnless(openssl), async (t) => {
    const { certs, endpoint } = await startSaslBroker(t);
    const logins = watchLogins(t);
    const ssl = listener === 'SASL_SSL' ? { ssl: { ca: [fs.readFileSync(certs.ca, 'utf8')], servername: 'localhost' } } : {};
    const sasl = { mechanism: mechanism.toLowerCase() as 'plain', username: USER, password: PASSWORD };
    await kafkajsRoundTrip(endpoint(listener), topicOf('kafkajs', listener, mechanism), { ...ssl, sasl });
    assert.ok(logins.length > 0);
    assert.deepEqual(new Set(logins.map(String)), new Set([[`User:${USER}`, mechanism, 'true'].join(',')]));
  });

  test(`confluent-kafka-python over ${listener} with ${mechanism}`, skipUnless(confluentPython, openssl), async (t) => {
    const { certs, endpoint } = await startSaslBroker(t);
    const logins = watchLogins(t);
    await pythonRoundTrip(endpoint(listener), topicOf('python', listener, mechanism), librdkafkaProperties(listener, mechanism, certs.ca));
    assert.ok(logins.length > 0);
    assert.deepEqual(new Set(logins.map(String)), new Set([[`User:${USER}`, mechanism, 'true'].join(',')]));
  });
}

test('kcat with a wrong password is refused, and the failure is seen with the claimed principal', skipUnless(kcat, openssl), async (t) => {
  const { certs, endpoint } = await startSaslBroker(t);
  const logins = watchLogins(t);
  const props = librdkafkaProperties('SASL_SSL', 'SCRAM-SHA-512', certs.ca, 'not-the-password');
  const x = Object.entries(props).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const { runCommand } = await import('./run-command.js');
  const { KCAT } = await import('../helpers/interop-tools.js');
  const r = await runCommand(KCAT, ['-L', '-b', endpoint('SASL_SSL'), '-m', '5', ...x]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Authentication failed|SASL authentication error/i);
  assert.ok(logins.length > 0);
  assert.deepEqual(new Set(logins.map(String)), new Set([[`User:${USER}`, 'SCRAM-SHA-512', 'false'].join(',')]));
});
