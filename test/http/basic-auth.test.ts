// --http-auth basic: every HTTP API request, the console's page included, logs
// in as a SASL user with HTTP Basic. Without credentials, with a wrong password
// or an unknown user it is refused (401, WWW-Authenticate: Basic); the right
// ones pass and the request acts as User:<name>. Failed logins are counted
// with the Kafka listeners' in sluice_authentication_failures_total; a login
// remembered from before a password change does not outlive it. A broker whose
// Kafka listeners ask for logins warns when its HTTP API does not.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { KafkaClient } from '../../src/client/index.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import { resolveConfig } from '../../src/config.js';
import { freePort } from '../helpers/free-port.js';
import { httpCall } from '../helpers/http-api.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

async function startBasicAuthBroker(t: Parameters<typeof startSaslBroker>[0], options: Parameters<typeof startSaslBroker>[1] = {}) {
  const { broker, endpoint } = await startSaslBroker(t, { httpPort: await freePort(), httpAuth: 'basic', httpWrites: true, ...options });
  const base = `http://127.0.0.1:${broker.httpPort}`;
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => httpCall(base, method, path, body, headers);
  return { broker, endpoint, call };
}

test('requests without credentials, with a wrong password or an unknown user get 401 with a Basic challenge; the right ones pass as User:<name>', skipUnless(openssl), async (t) => {
  const { call } = await startBasicAuthBroker(t);
  for (const headers of [{}, basic(USER, 'wrong'), basic('mallory', PASSWORD), { authorization: 'Basic !!!' }]) {
    for (const path of ['/topics', '/', '/console/config', '/metrics']) {
      const refused = await call('GET', path, headers);
      assert.equal(refused.status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.equal(refused.headers.get('www-authenticate'), 'Basic realm="sluice", charset="UTF-8"');
      assert.equal(refused.json.error.code, 'SLUICE_HTTP_UNAUTHORIZED');
    }
  }
  assert.equal((await call('POST', '/topics', basic(USER, 'wrong'), { name: 'refused' })).status, 401, 'a write with a wrong password');

  const alice = basic(USER, PASSWORD);
  const created = await call('POST', '/topics', alice, { name: 'orders', partitions: 1 });
  assert.equal(created.status, 201, created.text);
  const topics = await call('GET', '/topics', alice);
  assert.equal(topics.status, 200);
  assert.equal(topics.headers.get('www-authenticate'), null);
  assert.ok(topics.json.topics.some((x: { name: string }) => x.name === 'orders'));
  assert.equal((await call('GET', '/console/config', alice)).json.principal, `User:${USER}`);
  assert.equal((await call('GET', '/', alice)).status, 200, 'the console page');
});

test('failed HTTP logins are counted in sluice_authentication_failures_total beside the Kafka listeners and logged at most once per interval', skipUnless(openssl), async (t) => {
  const warnings: { msg: string; principal?: string; reason?: string; suppressedSinceLast?: number }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  const { call } = await startBasicAuthBroker(t, { logger });
  await call('GET', '/topics', basic(USER, 'wrong'));
  await call('GET', '/topics', basic('mallory', 'x'));
  await call('GET', '/topics');
  const metrics = await scrapeMetrics({ call: (method, path) => call(method, path, basic(USER, PASSWORD)) });
  assert.equal(metrics.value('sluice_authentication_failures_total', { listener: 'HTTP', mechanism: 'BASIC' }), 2, 'two wrong logins; no credentials at all is the challenge, not a failure');
  assert.deepEqual(
    warnings.map((w) => [w.msg, w.principal, w.reason]),
    [['HTTP API authentication failed', `User:${USER}`, 'invalid credentials']],
    'the second failure waits for the next interval',
  );
});

test('a new password takes effect at once: the login remembered for the old one is not used', skipUnless(openssl), async (t) => {
  const { call, endpoint } = await startBasicAuthBroker(t);
  assert.equal((await call('GET', '/topics', basic(USER, PASSWORD))).status, 200);
  const admin = new KafkaClient({ bootstrap: endpoint('PLAINTEXT') });
  t.after(() => admin.close());
  // Only the credential the password is checked against (the stronger one) changes.
  await upsertScramCredential(admin, USER, 'SCRAM-SHA-512', 'new-secret');
  assert.equal((await call('GET', '/topics', basic(USER, PASSWORD))).status, 401);
  assert.equal((await call('GET', '/topics', basic(USER, 'new-secret'))).status, 200);
});

test('httpAuth takes none or basic, and not together with httpToken', () => {
  assert.equal(resolveConfig({ httpAuth: 'basic' }).httpAuth, 'basic');
  assert.throws(() => resolveConfig({ httpAuth: 'digest' }), /httpAuth must be one of none, basic, got "digest"/);
  assert.throws(() => resolveConfig({ httpAuth: 'basic', httpToken: 'secret' }), /httpAuth basic and httpToken exclude each other/);
});

test('a broker with SASL listeners warns at start when its HTTP API asks for no login', skipUnless(openssl), async (t) => {
  const warned = async (options: { httpAuth?: 'basic' }) => {
    const warnings: { msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    await startSaslBroker(t, { httpPort: await freePort(), logger, ...options });
    return warnings.map((w) => w.msg);
  };
  assert.deepEqual(await warned({}), ['the HTTP API lets anyone in while Kafka listeners ask for SASL logins; start the broker with --http-auth basic (or --http-token)']);
  assert.deepEqual(await warned({ httpAuth: 'basic' }), []);
});
