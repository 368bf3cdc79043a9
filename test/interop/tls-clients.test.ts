// kcat, kafkajs and confluent-kafka-python produce and consume over an SSL
// listener (the broker also has a PLAINTEXT one, so every follow-up connection
// must have been sent to the SSL endpoint), and with a client certificate
// (mutual TLS) their connections act as the certificate's subject.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { type TestContext, test } from 'node:test';
import { type AuthenticationEvent, authenticationChannel } from '../../src/server/authentication-channel.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { confluentPython, kcat, openssl, skipUnless } from '../helpers/interop-tools.js';
import { CLIENT_CERT_PRINCIPAL, type TestCertificates, makeTestCertificates } from '../helpers/tls-certs.js';
import { kafkajsRoundTrip, kcatRoundTrip, pythonRoundTrip } from './secure-round-trips.js';

async function sslBroker(t: TestContext): Promise<{ broker: RunningBroker; certs: TestCertificates; bootstrap: string; principals: string[] }> {
  const certs = await makeTestCertificates(t);
  const broker = await startTestBroker(t, {
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    tlsCa: certs.ca,
    tlsClientAuth: 'requested',
  });
  const ssl = broker.listeners.find((l) => l.name === 'SSL')!;
  const principals: string[] = [];
  const observe = (e: unknown) => {
    const event = e as AuthenticationEvent;
    if (event.succeeded) principals.push(event.principal);
  };
  authenticationChannel.subscribe(observe);
  t.after(() => authenticationChannel.unsubscribe(observe));
  return { broker, certs, bootstrap: `127.0.0.1:${ssl.port}`, principals };
}

test('kcat produces and consumes over SSL, and with a client certificate acts as its subject', skipUnless(kcat, openssl), async (t) => {
  const { certs, bootstrap, principals } = await sslBroker(t);
  await kcatRoundTrip(bootstrap, 'kcat-tls', { 'security.protocol': 'ssl', 'ssl.ca.location': certs.ca });
  assert.deepEqual(principals, [], 'without a certificate the connections are ANONYMOUS');
  await kcatRoundTrip(bootstrap, 'kcat-mtls', { 'security.protocol': 'ssl', 'ssl.ca.location': certs.ca, 'ssl.certificate.location': certs.clientCert, 'ssl.key.location': certs.clientKey });
  assert.ok(principals.length > 0);
  assert.deepEqual(new Set(principals), new Set([CLIENT_CERT_PRINCIPAL]));
});

test('kafkajs produces and consumes in a group over SSL, and with a client certificate acts as its subject', skipUnless(openssl), async (t) => {
  const { certs, bootstrap, principals } = await sslBroker(t);
  const ca = [fs.readFileSync(certs.ca, 'utf8')];
  await kafkajsRoundTrip(bootstrap, 'kafkajs-tls', { ssl: { ca, servername: 'localhost' } });
  assert.deepEqual(principals, []);
  await kafkajsRoundTrip(bootstrap, 'kafkajs-mtls', { ssl: { ca, servername: 'localhost', cert: fs.readFileSync(certs.clientCert, 'utf8'), key: fs.readFileSync(certs.clientKey, 'utf8') } });
  assert.ok(principals.length > 0);
  assert.deepEqual(new Set(principals), new Set([CLIENT_CERT_PRINCIPAL]));
});

test('confluent-kafka-python produces and consumes over SSL, and with a client certificate acts as its subject', skipUnless(confluentPython, openssl), async (t) => {
  const { certs, bootstrap, principals } = await sslBroker(t);
  await pythonRoundTrip(bootstrap, 'python-tls', { 'security.protocol': 'ssl', 'ssl.ca.location': certs.ca });
  assert.deepEqual(principals, []);
  await pythonRoundTrip(bootstrap, 'python-mtls', { 'security.protocol': 'ssl', 'ssl.ca.location': certs.ca, 'ssl.certificate.location': certs.clientCert, 'ssl.key.location': certs.clientKey });
  assert.ok(principals.length > 0);
  assert.deepEqual(new Set(principals), new Set([CLIENT_CERT_PRINCIPAL]));
});
