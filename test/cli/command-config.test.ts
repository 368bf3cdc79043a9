// Client commands on secured listeners with --command-config, Kafka's client
// property names: topic create, produce, consume and user create over SASL_SSL
// (sasl.jaas.config spread over two lines, PEM CA), and topic describe asking the
// HTTP API (--http-auth basic) as the same user; the same settings from the
// environment over SASL_PLAINTEXT; a malformed file fails naming its line, as
// does each setting the client cannot use.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KafkaClient } from '../../src/client/index.js';
import { readClientSecurity } from '../../src/cli/command-config.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { PASSWORD, USER, startSaslBroker } from '../helpers/sasl-broker.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';

async function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const r = await runCli(args, options);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('topic create, produce, consume and user create work with --command-config over SASL_SSL', skipUnless(openssl), async (t) => {
  const { broker, certs, endpoint } = await startSaslBroker(t, { httpPort: await freePort(), httpAuth: 'basic' });
  const config = path.join(certs.dir, 'client.properties');
  await fs.writeFile(
    config,
    [
      '# SCRAM over TLS, as for kafka-topics.sh',
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
      `    username="${USER}" password="${PASSWORD}";`,
      `ssl.ca.location=${certs.ca}`,
      '',
    ].join('\n'),
  );
  const secured = ['-b', endpoint('SASL_SSL'), '--command-config', config];

  await cli(['topic', 'create', 'payments', '-p', '1', ...secured]);
  await cli(['produce', 'payments', ...secured], { input: 'one\ntwo\nthree\n' });
  assert.equal(await cli(['consume', 'payments', '--from-beginning', '-n', '3', ...secured]), 'one\ntwo\nthree\n');
  const described = await runCli(['topic', 'describe', 'payments', '--http', `http://127.0.0.1:${broker.httpPort}`, ...secured]);
  assert.equal(described.code, 0, described.stderr);
  assert.equal(described.stderr, '', 'the HTTP API answered: no note about what it could not show');
  await cli(['user', 'create', 'bob', '--mechanism', 'SCRAM-SHA-256', '--password-stdin', ...secured], { input: 'bob-secret\n' });

  const bob = new KafkaClient({ bootstrap: endpoint('SASL_SSL'), tls: { ca: await fs.readFile(certs.ca) }, sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'bob-secret' } });
  t.after(() => bob.close());
  assert.equal((await bob.topic('payments')).partitions.length, 1, 'the user the CLI created logs in');

  // Without the file the SASL_SSL listener is not reachable: it is the file that did it.
  const bare = await runCli(['topic', 'list', '-b', endpoint('SASL_SSL')], { timeoutMs: 40_000 });
  assert.notEqual(bare.code, 0);
});

test('the same settings from the environment, with sasl.username and sasl.password, over SASL_PLAINTEXT', skipUnless(openssl), async (t) => {
  const { endpoint } = await startSaslBroker(t);
  const env = { SLUICE_SECURITY_PROTOCOL: 'sasl_plaintext', SLUICE_SASL_MECHANISM: 'SCRAM-SHA-256', SLUICE_SASL_USERNAME: USER, SLUICE_SASL_PASSWORD: PASSWORD };
  await cli(['topic', 'create', 'from-env', '-b', endpoint('SASL_PLAINTEXT')], { env });
  assert.match(await cli(['topic', 'list', '-b', endpoint('SASL_PLAINTEXT')], { env }), /from-env/);
});

test('a malformed properties file fails naming its line', skipUnless(openssl), async (t) => {
  const { certs, endpoint } = await startSaslBroker(t);
  const config = path.join(certs.dir, 'bad.properties');
  await fs.writeFile(config, 'security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nssl.truststore.location=/etc/kafka/truststore.jks\n');
  const r = await runCli(['topic', 'list', '-b', endpoint('SASL_SSL'), '--command-config', config]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.split('\n')[0], `error: ${config}:3: unknown property ssl.truststore.location; the client reads security.protocol, sasl.mechanism, sasl.username, sasl.password, sasl.jaas.config, ssl.ca.location, ssl.certificate.location, ssl.key.location`);
});

test('a file starting with { is read as JSON with the same names; the environment overrides it', skipUnless(openssl), async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-command-config-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'client.json');
  await fs.writeFile(file, JSON.stringify({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'from-file' }));
  assert.deepEqual(readClientSecurity(file, {}), { sasl: { mechanism: 'PLAIN', username: 'alice', password: 'from-file' } });
  assert.deepEqual(readClientSecurity(file, { SLUICE_SASL_PASSWORD: 'from-env' }).sasl?.password, 'from-env');
  await fs.writeFile(file, JSON.stringify({ 'security.protocol': 'SSL', 'ssl.ca.location': 7 }));
  assert.throws(() => readClientSecurity(file, {}), { message: `${file}: property ssl.ca.location must be a string, got 7` });
});

test('each setting the client cannot use is refused with where it was given', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-command-config-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const refused = async (lines: string[], message: string | RegExp, env: NodeJS.ProcessEnv = {}) => {
    const file = path.join(dir, 'client.properties');
    await fs.writeFile(file, lines.join('\n'));
    assert.throws(() => readClientSecurity(file, env), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SLUICE_ERR_CONFIG');
      if (typeof message === 'string') assert.equal(err.message, message.replace('FILE', file));
      else assert.match(err.message, message);
      return true;
    });
  };
  await refused(['security.protocol=SASL_SSL', 'sasl.mechanism'], 'FILE:2: property sasl.mechanism has no value; write sasl.mechanism=<value>');
  await refused(['security.protocol=TLS'], 'FILE:1: security.protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"');
  await refused(['security.protocol=SASL_SSL', 'sasl.mechanism=GSSAPI'], 'FILE:2: sasl.mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "GSSAPI"');
  await refused(['security.protocol=SSL', '', 'sasl.mechanism=PLAIN'], 'FILE:3: sasl.mechanism is not used with security.protocol SSL; SASL_PLAINTEXT or SASL_SSL uses it');
  await refused(['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN', 'sasl.jaas.config=ScramLoginModule required username="a" password="b";'], 'FILE:3: sasl.mechanism PLAIN needs PlainLoginModule in sasl.jaas.config');
  await refused(['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN', 'sasl.jaas.config=PlainLoginModule required username="a" password=;'], /:3: sasl\.jaas\.config cannot be read from "password="/);
  await refused(['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN', 'sasl.jaas.config=PlainLoginModule required username="a";'], 'FILE:3: sasl.jaas.config needs username="..." and password="..."');
  await refused(['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN'], 'security.protocol SASL_SSL needs the user: sasl.username and sasl.password, or sasl.jaas.config');
  await refused(['security.protocol=SSL', 'ssl.ca.location=/nonexistent/ca.pem'], /^.*:2: cannot read ssl.ca.location \/nonexistent\/ca.pem: ENOENT/);
  await refused(['security.protocol=PLAINTEXT'], 'environment SLUICE_SASL_USERNAME: sasl.username is not used with security.protocol PLAINTEXT; SASL_PLAINTEXT or SASL_SSL uses it', { SLUICE_SASL_USERNAME: 'a' });
});
