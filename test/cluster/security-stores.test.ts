// Users' SCRAM credentials, ACL bindings and client quotas in a cluster are
// the cluster's, kept in etcd: a change made through one broker is in force on
// the others once their watch brings it, a broker started afterwards has it
// from the start, changes made at once through two brokers are all kept, and a
// broker's own files from before it joined are not read.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, describe, test } from 'node:test';
import { pino } from 'pino';
import { AclOperation, AclPatternType, AclPermissionType, AclResourceType, ALL_BINDINGS } from '../../src/broker/acl/acl-binding.js';
import { CLIENT_QUOTAS_FILE } from '../../src/broker/quota/client-quotas.js';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { deleteScramCredentials, upsertScramCredential } from '../../src/client/user-credentials.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { RunningBroker, StartOptions } from '../../src/start-broker.js';
import { waitFor } from '../helpers/broker-process.js';
import { startTestBroker } from '../helpers/broker.js';
import { untilCluster } from '../helpers/cluster-wait.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { skipUnless } from '../helpers/interop-tools.js';

const USER = 'alice';
const PASSWORD = 'alice-secret';
const ALICE = `User:${USER}`;

/** Brokers with a PLAINTEXT listener (User:ANONYMOUS, a super user: the admin's) and a SASL_PLAINTEXT one, under the ACL authorizer. */
async function clusterOptions(t: TestContext, prefix: string): Promise<StartOptions> {
  const etcd = await startEtcd(t, 1);
  return {
    etcd: etcd.endpoints(),
    etcdPrefix: prefix,
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    saslMechanisms: ['SCRAM-SHA-256'],
    authorizer: 'acl',
    superUsers: ['User:ANONYMOUS'],
  };
}

/** A client of `broker`'s PLAINTEXT listener alone, closed after the test. */
function adminOf(t: TestContext, broker: RunningBroker): Admin {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  return new Admin(client);
}

/** A client logged in as alice on `broker`'s SASL_PLAINTEXT listener alone. */
function aliceOn(broker: RunningBroker): KafkaClient {
  const port = broker.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.port;
  return new KafkaClient({ bootstrap: `127.0.0.1:${port}`, sasl: { mechanism: 'SCRAM-SHA-256', username: USER, password: PASSWORD }, requestTimeoutMs: 5000 });
}

/** Whether alice's login on `broker` holds (a fresh client each time: no reconnect backoff carried over). */
async function aliceLogsIn(broker: RunningBroker): Promise<boolean> {
  const client = aliceOn(broker);
  try {
    await client.metadata([]);
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

const describeOrders = {
  resourceType: AclResourceType.TOPIC,
  resourceName: 'orders',
  patternType: AclPatternType.LITERAL,
  principal: ALICE,
  host: '*',
  operation: AclOperation.DESCRIBE,
  permissionType: AclPermissionType.ALLOW,
};

describe('users, ACL bindings and client quotas in a cluster', skipUnless(etcdServer), () => {
  test('a user created through broker 1 logs in on broker 2, and at once on a broker started afterwards; deleted, on neither', async (t) => {
    const options = await clusterOptions(t, '/users');
    const one = await startTestBroker(t, { ...options, nodeId: 1 });
    const two = await startTestBroker(t, { ...options, nodeId: 2 });
    assert.equal(await aliceLogsIn(two), false, 'no such user yet');

    await upsertScramCredential(adminOf(t, one).client, USER, 'SCRAM-SHA-256', PASSWORD);
    await waitFor('alice logs in on broker 2', () => aliceLogsIn(two));
    const three = await startTestBroker(t, { ...options, nodeId: 3 });
    assert.equal(await aliceLogsIn(three), true, 'read from etcd at start');

    await deleteScramCredentials(adminOf(t, two).client, USER, ['SCRAM-SHA-256']);
    await waitFor('alice is refused on broker 1', async () => !(await aliceLogsIn(one)));
    assert.equal(await aliceLogsIn(two), false, 'the broker that deleted it answered once its own copy had it');
  });

  test('an ACL binding created through broker 1 allows on broker 2, and on a broker started afterwards; deleted, broker 2 refuses again', async (t) => {
    const options = await clusterOptions(t, '/acls');
    const one = await startTestBroker(t, { ...options, nodeId: 1 });
    const two = await startTestBroker(t, { ...options, nodeId: 2 });
    const admin = adminOf(t, one);
    await upsertScramCredential(admin.client, USER, 'SCRAM-SHA-256', PASSWORD);
    await admin.createTopic('orders', 1);
    await untilCluster(two.broker.cluster, () => two.broker.cluster.topic('orders') !== undefined, 'broker 2 sees the topic');
    await waitFor('alice logs in on broker 2', () => aliceLogsIn(two));
    const alice = aliceOn(two);
    t.after(() => alice.close());
    const ordersOnTwo = async () => (await alice.metadata(['orders'])).topics[0].errorCode;
    assert.equal(await ordersOnTwo(), ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'no binding yet');

    await admin.createAcls([describeOrders]);
    await untilCluster(two.broker.cluster, () => two.acls.size === 1, 'broker 2 holds the binding');
    assert.equal(await ordersOnTwo(), ErrorCode.NONE);
    const three = await startTestBroker(t, { ...options, nodeId: 3 });
    assert.deepEqual(three.acls.describe(ALL_BINDINGS).bindings, [describeOrders], 'read from etcd at start');

    assert.deepEqual(await admin.deleteAcls([{ ...ALL_BINDINGS, principal: ALICE }]), [[describeOrders]]);
    await untilCluster(two.broker.cluster, () => two.acls.size === 0, 'broker 2 lets the binding go');
    assert.equal(await ordersOnTwo(), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });

  test('a client quota set through broker 1 is described by broker 2 and a broker started afterwards; quotas of one entity set at once through two brokers are both kept', async (t) => {
    const options = await clusterOptions(t, '/quotas');
    const one = await startTestBroker(t, { ...options, nodeId: 1 });
    const two = await startTestBroker(t, { ...options, nodeId: 2 });
    const entity = { user: USER };
    const aliceQuotas = [{ entityType: 'user', matchType: 'exact' as const, match: USER }];

    await adminOf(t, one).alterClientQuotas([{ entity, set: { producer_byte_rate: 1024 } }]);
    await untilCluster(two.broker.cluster, () => two.quotas.quotas.get(entity) !== undefined, 'broker 2 holds the quota');
    assert.deepEqual(await adminOf(t, two).describeClientQuotas(aliceQuotas), [{ entity, values: { producer_byte_rate: 1024 } }]);

    await Promise.all([
      adminOf(t, one).alterClientQuotas([{ entity, set: { consumer_byte_rate: 2048 } }]),
      adminOf(t, two).alterClientQuotas([{ entity, set: { request_percentage: 50 } }]),
    ]);
    const all = { producer_byte_rate: 1024, consumer_byte_rate: 2048, request_percentage: 50 };
    await untilCluster(one.broker.cluster, () => Object.keys(one.quotas.quotas.get(entity) ?? {}).length === 3, 'broker 1 holds both changes');
    await untilCluster(two.broker.cluster, () => Object.keys(two.quotas.quotas.get(entity) ?? {}).length === 3, 'broker 2 holds both changes');
    assert.deepEqual(one.quotas.quotas.get(entity), all);
    assert.deepEqual(two.quotas.quotas.get(entity), all);

    const three = await startTestBroker(t, { ...options, nodeId: 3 });
    assert.deepEqual(await adminOf(t, three).describeClientQuotas(aliceQuotas), [{ entity, values: all }], 'read from etcd at start');
  });

  test("a broker joining a cluster does not read its own files from before, and names them in a warning", async (t) => {
    const options = await clusterOptions(t, '/joining');
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-joining-'));
    t.after(() => fs.rm(dataDir, { recursive: true, force: true }));
    const file = path.join(dataDir, CLIENT_QUOTAS_FILE);
    await fs.writeFile(file, JSON.stringify([{ entity: { user: 'old' }, quotas: { producer_byte_rate: 1 } }]));
    const warnings: { file?: string; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });

    const broker = await startTestBroker(t, { ...options, nodeId: 1, dataDir, logger });
    assert.equal(broker.quotas.quotas.isEmpty, true);
    assert.deepEqual(warnings.filter((w) => w.file === file).length, 1, JSON.stringify(warnings));
  });
});
