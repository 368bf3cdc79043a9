// The client over TLS and SASL against a real broker: the facade produces and
// consumes over SSL, SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN) and
// SASL_PLAINTEXT; a wrong password, an unknown user, a mechanism the listener
// does not enable, a listener expecting TLS or a login the client does not do
// (or taking no login) and a CA that did not sign the broker's certificate fail
// with errors that say so; a KafkaClient logs in again after a broker restart; a
// limited session is renewed on the same connection before it lapses (KIP-368).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { type TestContext, test } from 'node:test';
import { type ClientOptions, ClientError, KafkaClient, KafkaError, Producer, connect } from '../../src/client/index.js';
import type { ClientSaslOptions, ClientTlsOptions } from '../../src/client/client-security.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import { parseListeners } from '../../src/listener-config.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { type AuthenticationEvent, authenticationChannel } from '../../src/server/authentication-channel.js';
import { defer, makeDataDir } from '../helpers/broker-process.js';
import { freePort } from '../helpers/free-port.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';
import { type TestCertificates, makeTestCertificates } from '../helpers/tls-certs.js';

const trusting = async (certs: TestCertificates): Promise<ClientTlsOptions> => ({ ca: await fs.readFile(certs.ca) });
const alice = (mechanism: ClientSaslOptions['mechanism'], password = PASSWORD, username = USER): ClientSaslOptions => ({ mechanism, username, password });

/** Produces three records through a facade client with `security` and reads them back with a consumer of the same client. */
async function roundTrip(t: TestContext, bootstrap: string, security: Pick<ClientOptions, 'tls' | 'sasl'>, topic: string): Promise<string[]> {
  const client = await connect({ bootstrap, ...security });
  defer(t, () => client.close());
  await client.admin().createTopic(topic, { partitions: 1 });
  const producer = client.producer();
  await Promise.all(['a', 'b', 'c'].map((value) => producer.send(topic, { value })));
  const consumer = client.consumer({ group: `${topic}-readers`, topics: [topic], from: 'earliest', valueFormat: 'string', maxWaitMs: 100 });
  const seen: string[] = [];
  for await (const record of consumer) {
    seen.push(record.value as string);
    if (seen.length === 3) break;
  }
  return seen;
}

test('the facade client produces and consumes over SSL, SASL_SSL with each mechanism, and SASL_PLAINTEXT', skipUnless(openssl), async (t) => {
  const { certs, endpoint } = await startSaslBroker(t);
  const tls = await trusting(certs);
  const cases: [string, string, Pick<ClientOptions, 'tls' | 'sasl'>][] = [
    ['ssl', endpoint('SSL'), { tls }],
    ['sasl-ssl-scram-512', endpoint('SASL_SSL'), { tls, sasl: alice('SCRAM-SHA-512') }],
    ['sasl-ssl-scram-256', endpoint('SASL_SSL'), { tls, sasl: alice('SCRAM-SHA-256') }],
    ['sasl-ssl-plain', endpoint('SASL_SSL'), { tls, sasl: alice('PLAIN') }],
    ['sasl-plaintext-scram-256', endpoint('SASL_PLAINTEXT'), { sasl: alice('SCRAM-SHA-256') }],
  ];
  for (const [topic, bootstrap, security] of cases) assert.deepEqual(await roundTrip(t, bootstrap, security, topic), ['a', 'b', 'c'], topic);
});

test('a wrong password and an unknown user fail with SASL_AUTHENTICATION_FAILED and the broker message', skipUnless(openssl), async (t) => {
  const { certs, endpoint } = await startSaslBroker(t);
  const tls = await trusting(certs);
  for (const sasl of [alice('SCRAM-SHA-512', 'wrong'), alice('SCRAM-SHA-256', PASSWORD, 'mallory'), alice('PLAIN', 'wrong')]) {
    await assert.rejects(connect({ bootstrap: endpoint('SASL_SSL'), tls, sasl }), (err: KafkaError) => {
      assert.ok(err instanceof KafkaError, String(err));
      assert.equal(err.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.match(err.message, new RegExp(`SASL ${sasl.mechanism} login as '${sasl.username}' to ${endpoint('SASL_SSL')}: SASL_AUTHENTICATION_FAILED \\(Authentication failed .*invalid credentials`));
      assert.match(err.hint ?? '', /check the user name and password/);
      return true;
    });
  }
});

test('a mechanism the listener does not enable fails naming the ones it does', skipUnless(openssl), async (t) => {
  const { endpoint } = await startSaslBroker(t);
  // PLAIN is not offered without TLS.
  await assert.rejects(connect({ bootstrap: endpoint('SASL_PLAINTEXT'), sasl: alice('PLAIN') }), (err: KafkaError) => {
    assert.equal(err.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    assert.match(err.message, /the broker enables SCRAM-SHA-512, SCRAM-SHA-256 on this listener/);
    return true;
  });
  assert.throws(() => new KafkaClient({ sasl: alice('GSSAPI' as ClientSaslOptions['mechanism']) }), /sasl.mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/);
});

test('a listener that expects TLS or a login the client does not do fails saying so', skipUnless(openssl), async (t) => {
  const { certs, endpoint } = await startSaslBroker(t);
  const tls = await trusting(certs);
  const cases: [string, Pick<ClientOptions, 'tls' | 'sasl'>, RegExp][] = [
    [endpoint('SSL'), {}, /expects TLS \(`tls`; security.protocol SSL or SASL_SSL\) or a SASL login/],
    [endpoint('SASL_PLAINTEXT'), {}, /or a SASL login \(`sasl`; security.protocol SASL_PLAINTEXT or SASL_SSL\)/],
    [endpoint('SASL_SSL'), { tls }, /^a listener closes a new connection at once when it expects a SASL login/],
  ];
  for (const [bootstrap, security, hint] of cases) {
    await assert.rejects(connect({ bootstrap, ...security }), (err: ClientError) => {
      assert.equal(err.code, 'SLUICE_ERR_CONNECTION');
      assert.match(err.hint ?? '', hint, bootstrap);
      return true;
    });
  }
  await assert.rejects(connect({ bootstrap: endpoint('PLAINTEXT'), sasl: alice('SCRAM-SHA-512') }), (err: KafkaError) => {
    assert.equal(err.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.match(err.message, /this listener takes no SASL logins/);
    return true;
  });
});

test('a broker certificate the given CA did not sign fails the TLS handshake with SLUICE_ERR_TLS', skipUnless(openssl), async (t) => {
  const { certs, endpoint } = await startSaslBroker(t);
  const stranger = { ca: await fs.readFile(certs.strangerCert) };
  await assert.rejects(connect({ bootstrap: endpoint('SSL'), tls: stranger }), (err: ClientError) => {
    assert.ok(err instanceof ClientError, String(err));
    assert.equal(err.code, 'SLUICE_ERR_TLS');
    assert.match(err.message, /TLS handshake with 127\.0\.0\.1:\d+ failed/);
    return true;
  });
});

test('a KafkaClient over SASL_SSL logs in again after its broker restarts', skipUnless(openssl), async (t) => {
  const certs = await makeTestCertificates(t);
  const dataDir = await makeDataDir(t, 'sluice-sasl-restart-');
  const [plainPort, saslPort] = [await freePort(), await freePort()];
  const config = {
    listeners: parseListeners('listeners', `PLAINTEXT://127.0.0.1:${plainPort},SASL_SSL://127.0.0.1:${saslPort}`),
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    saslMechanisms: ['SCRAM-SHA-512'],
  };
  const first = await startRestartableBroker(t, dataDir, 0, undefined, config);
  const admin = new KafkaClient({ bootstrap: `127.0.0.1:${plainPort}` });
  await upsertScramCredential(admin, USER, 'SCRAM-SHA-512', PASSWORD);
  await admin.close();

  const client = new KafkaClient({ bootstrap: `127.0.0.1:${saslPort}`, requestTimeoutMs: 10_000, tls: await trusting(certs), sasl: alice('SCRAM-SHA-512') });
  defer(t, () => client.close());
  const producer = new Producer(client, { acks: 1 });
  assert.equal((await producer.send('restarted', { value: Buffer.from('before') })).offset, 0);

  await first.close();
  await assert.rejects(client.topic('restarted'), (err: { code?: string }) => err.code === 'SLUICE_ERR_CONNECTION');

  await startRestartableBroker(t, dataDir, 0, undefined, config);
  assert.equal((await producer.send('restarted', { value: Buffer.from('after') })).offset, 1);
});

test('a session the broker limits is renewed on the same connection before it lapses (KIP-368)', { timeout: 15_000, ...skipUnless(openssl) }, async (t) => {
  const { certs, endpoint } = await startSaslBroker(t, { connectionsMaxReauthMs: 1000 });
  const logins: AuthenticationEvent[] = [];
  let thirdLogin!: () => void;
  const renewedTwice = new Promise<void>((resolve) => (thirdLogin = resolve));
  const observe = (e: unknown) => {
    const event = e as AuthenticationEvent;
    if (event.listener !== 'SASL_SSL') return;
    logins.push(event);
    if (logins.length === 3) thirdLogin();
  };
  authenticationChannel.subscribe(observe);
  t.after(() => authenticationChannel.unsubscribe(observe));

  const client = new KafkaClient({ bootstrap: endpoint('SASL_SSL'), tls: await trusting(certs), sasl: alice('SCRAM-SHA-256') });
  defer(t, () => client.close());
  const connection = await client.any();
  const startedAt = Date.now();
  // The second renewal comes after the first session's 1000 ms: only renewals keep the connection served.
  await renewedTwice;
  assert.ok(Date.now() - startedAt > 1000);
  assert.ok(logins.every((e) => e.succeeded && e.principal === `User:${USER}`));
  assert.equal((await client.metadata([])).brokers.length, 1);
  assert.equal(await client.any(), connection, 'the same connection, not a new one');
  assert.equal(connection.closed, false);
});
