// `sluice user create|list|delete` against a broker with a PLAINTEXT and a
// SASL_PLAINTEXT listener: a user created by the CLI logs in with kafkajs,
// still does after the broker restarts on the same data directory, and no
// longer does once deleted; the data directory holds no password. The first
// administrator of a secured broker or cluster is created without a broker,
// in its data directory or in etcd.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import kafkajs, { type SASLOptions } from 'kafkajs';
import { SCRAM_CREDENTIALS_FILE } from '../../src/broker/user-credentials.js';
import type { ListenerAddress } from '../../src/listener-config.js';
import type { RunningBroker, StartOptions } from '../../src/start-broker.js';
import { makeDataDir, waitFor } from '../helpers/broker-process.js';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from '../helpers/cli.js';
import { untilCluster } from '../helpers/cluster-wait.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { freePort } from '../helpers/free-port.js';
import { skipUnless } from '../helpers/interop-tools.js';
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

/** Whether `user` may create a topic over SASL_PLAINTEXT with kafkajs (a super user may; without ACLs no one else may). */
async function createsTopic(bootstrap: string, user: string, password: string, topic: string): Promise<boolean> {
  const admin = new Kafka({ brokers: [bootstrap], sasl: { mechanism: 'scram-sha-512', username: user, password }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    return await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

const SECURED: StartOptions = { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', saslMechanisms: ['SCRAM-SHA-512'], authorizer: 'acl', superUsers: ['User:admin'] };
const saslEndpoint = (broker: RunningBroker) => `127.0.0.1:${broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.port}`;

test('the first administrator of a broker with only a SASL listener and ACLs is created with --data-dir before it starts', async (t) => {
  const dataDir = await makeDataDir(t);
  await cli('user', 'create', 'admin', '--password-stdin', '--data-dir', dataDir, 'admin-secret');
  assert.ok(!fs.readFileSync(path.join(dataDir, SCRAM_CREDENTIALS_FILE), 'utf8').includes('admin-secret'));
  const broker = await startRestartableBroker(t, dataDir, 0, undefined, SECURED);
  assert.equal(await logsIn(saslEndpoint(broker), 'scram-sha-512', 'admin', 'wrong'), false);
  assert.equal(await createsTopic(saslEndpoint(broker), 'admin', 'admin-secret', 'orders'), true, 'the super user logs in and creates a topic');
});

describe('users created in etcd without a broker', skipUnless(etcdServer), () => {
  test('log in on brokers started afterwards, and on running brokers once their watch brings them', async (t) => {
    const etcd = await startEtcd(t, 1);
    const endpoints = etcd.endpoints().join(',');
    await cli('user', 'create', 'admin', '--password-stdin', '--etcd', endpoints, '--etcd-prefix', '/bootstrap', 'admin-secret');
    // PLAINTEXT for the brokers' own traffic (User:ANONYMOUS, which ACLs require among the super users).
    const broker = await startTestBroker(t, {
      ...SECURED,
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      superUsers: ['User:admin', 'User:ANONYMOUS'],
      etcd: etcd.endpoints(),
      etcdPrefix: '/bootstrap',
    });
    await untilCluster(broker.broker.cluster, () => broker.broker.cluster.controllerId !== -1, 'a controller, which kafkajs sends CreateTopics to');
    assert.equal(await createsTopic(saslEndpoint(broker), 'admin', 'admin-secret', 'orders'), true, 'created before the broker started');

    await cli('user', 'create', 'bob', '--password-stdin', '--etcd', endpoints, '--etcd-prefix', '/bootstrap', 'bob-secret');
    await waitFor('bob to log in on the running broker', () => logsIn(saslEndpoint(broker), 'scram-sha-512', 'bob', 'bob-secret'));
  });
});

test('`sluice user create` takes either --data-dir or --etcd, not both', async () => {
  const r = await runCli(['user', 'create', 'carol', '--password-stdin', '--data-dir', '/tmp/x', '--etcd', 'http://127.0.0.1:1'], { input: 'pw' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--data-dir.*cannot be used with.*--etcd/);
});
