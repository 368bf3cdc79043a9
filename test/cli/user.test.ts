// `sluice user create|list|delete` against a broker with a PLAINTEXT and a
// SASL_PLAINTEXT listener: a user created by the CLI logs in with kafkajs,
// still does after the broker restarts on the same data directory, and no
// longer does once deleted; the data directory holds no password.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import kafkajs, { type SASLOptions } from 'kafkajs';
import { SCRAM_CREDENTIALS_FILE } from '../../src/broker/user-credentials.js';
import type { ListenerAddress } from '../../src/listener-config.js';
import { makeDataDir } from '../helpers/broker-process.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';

const { Kafka, logLevel } = kafkajs;

/** Whether `user` can log in with `mechanism` and read the metadata. */
async function logsIn(bootstrap: string, mechanism: 'scram-sha-256' | 'scram-sha-512', user: string, password: string): Promise<boolean> {
  const sasl = { mechanism, username: user, password } as SASLOptions;
  const admin = new Kafka({ brokers: [bootstrap], sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch (err) {
    if ((err as Error).name === 'KafkaJSSASLAuthenticationError') return false;
    throw err;
  } finally {
    await admin.disconnect();
  }
}

async function cli(...args: string[]): Promise<string> {
  const r = await runCli(args.slice(0, -1), { input: args.at(-1) });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('a user created with `sluice user create` logs in, survives a restart, and is gone once deleted', async (t) => {
  const dataDir = await makeDataDir(t);
  const listeners: ListenerAddress[] = [
    { name: 'PLAINTEXT', host: '127.0.0.1', port: await freePort() },
    { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: await freePort() },
  ];
  const plain = `127.0.0.1:${listeners[0].port}`;
  const sasl = `127.0.0.1:${listeners[1].port}`;
  let broker = await startRestartableBroker(t, dataDir, 0, undefined, { listeners });

  await cli('user', 'create', 'bob', '--mechanism', 'SCRAM-SHA-256', '--password-stdin', '-b', plain, 'bob-secret\n');
  await cli('user', 'create', 'bob', '--mechanism', 'SCRAM-SHA-512', '--password-stdin', '--iterations', '8192', '-b', plain, 'bob-secret');
  const listed = JSON.parse(await cli('user', 'list', '--json', '-b', plain, ''));
  assert.deepEqual(listed, [
    {
      user: 'bob',
      credentials: [
        { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
        { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
      ],
    },
  ]);
  assert.equal(await logsIn(sasl, 'scram-sha-256', 'bob', 'bob-secret'), true);
  assert.equal(await logsIn(sasl, 'scram-sha-512', 'bob', 'bob-secret'), true);
  assert.equal(await logsIn(sasl, 'scram-sha-512', 'bob', 'bob-secret\n'), false, 'the newline ending stdin is not part of the password');

  const stored = fs.readFileSync(path.join(dataDir, SCRAM_CREDENTIALS_FILE), 'utf8');
  assert.ok(!stored.includes('bob-secret'));
  assert.equal(fs.statSync(path.join(dataDir, SCRAM_CREDENTIALS_FILE)).mode & 0o777, 0o600);

  await broker.close();
  broker = await startRestartableBroker(t, dataDir, 0, undefined, { listeners });
  assert.equal(await logsIn(sasl, 'scram-sha-512', 'bob', 'bob-secret'), true, 'after a restart');

  await cli('user', 'delete', 'bob', '--mechanism', 'SCRAM-SHA-256', '-b', plain, '');
  assert.equal(await logsIn(sasl, 'scram-sha-256', 'bob', 'bob-secret'), false);
  assert.equal(await logsIn(sasl, 'scram-sha-512', 'bob', 'bob-secret'), true);
  await cli('user', 'delete', 'bob', '-b', plain, '');
  assert.equal(await logsIn(sasl, 'scram-sha-512', 'bob', 'bob-secret'), false);
  assert.equal((await cli('user', 'list', '-b', plain, '')).trim(), 'USER  MECHANISM  ITERATIONS');
});

test('`sluice user create` without --password-stdin, or with an empty stdin, fails and says how to give the password', async () => {
  const r = await runCli(['user', 'create', 'carol', '-b', '127.0.0.1:1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--password-stdin/);
  const empty = await runCli(['user', 'create', 'carol', '--password-stdin', '-b', '127.0.0.1:1'], { input: '' });
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /no password on stdin/);
});
