// interBrokerListenerName: brokers replicate from each other over a SASL
// listener of their own, logged in as the brokers' user. With the ACL
// authorizer and that user as the only super user, a write that needs both
// replicas (acks=all, min.insync.replicas=2) is acknowledged, which a follower
// fetching as anyone else (User:ANONYMOUS over PLAINTEXT: no CLUSTER_ACTION)
// could not bring about; and the leader saw the follower log in as that user.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { Producer } from '../../src/client/producer.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import { resolveConfig } from '../../src/config.js';
import { type AuthenticationEvent, authenticationChannel } from '../../src/server/authentication-channel.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { untilCluster } from '../helpers/cluster-wait.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';
import { skipUnless } from '../helpers/interop-tools.js';

const BROKER_USER = 'broker';
const BROKER_PASSWORD = 'broker-secret';

const saslEndpoint = (b: RunningBroker) => `127.0.0.1:${b.listeners.find((l) => l.name === 'SASL_PLAINTEXT')!.port}`;

describe('an inter-broker listener', skipUnless(etcdServer), () => {
  test('brokers replicate over a SASL listener as their user, the only super user of the ACL authorizer', async (t) => {
    const etcd = await startEtcd(t, 1);
    const logins: string[] = [];
    const observe = (e: unknown) => {
      const event = e as AuthenticationEvent;
      if (event.succeeded) logins.push(event.principal);
    };
    authenticationChannel.subscribe(observe);
    t.after(() => authenticationChannel.unsubscribe(observe));
    const common = {
      etcd: etcd.endpoints(),
      etcdPrefix: '/inter-broker',
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      interBrokerListenerName: 'SASL_PLAINTEXT',
      interBrokerSaslUsername: BROKER_USER,
      interBrokerSaslPassword: BROKER_PASSWORD,
      authorizer: 'acl' as const,
      superUsers: [`User:${BROKER_USER}`],
    };
    // The brokers' user is created first, before the ACL authorizer lets only it in (the cluster keeps users in etcd).
    const first = await startTestBroker(t, { ...common, authorizer: 'none', nodeId: 1 });
    const setup = new KafkaClient({ bootstrap: first.bootstrap });
    await upsertScramCredential(setup, BROKER_USER, 'SCRAM-SHA-512', BROKER_PASSWORD);
    await setup.close();
    await first.close();
    const one = await startTestBroker(t, { ...common, nodeId: 1 });
    const two = await startTestBroker(t, { ...common, nodeId: 2 });
    await untilCluster(one.broker.cluster, () => one.broker.cluster.brokers().length === 2 && one.broker.cluster.controllerId !== -1, 'two brokers and a controller');
    assert.equal(one.broker.cluster.brokers().find((b) => b.nodeId === 2)?.replicationPort, Number(saslEndpoint(two).split(':')[1]), 'followers are sent to the SASL listener');

    const client = new KafkaClient({ bootstrap: saslEndpoint(one), sasl: { mechanism: 'SCRAM-SHA-512', username: BROKER_USER, password: BROKER_PASSWORD } });
    t.after(() => client.close());
    await new Admin(client).createTopic('replicated', { partitions: 2, replicationFactor: 2, config: { 'min.insync.replicas': '2' } });
    const producer = new Producer(client, { acks: -1, deliveryTimeoutMs: 20_000 });
    for (const partition of [0, 1]) {
      const { offset } = await producer.send('replicated', { value: Buffer.from(`to ${partition}`), partition });
      assert.equal(offset, 0, `partition ${partition}: acknowledged by both replicas`);
    }
    assert.ok(logins.filter((p) => p === `User:${BROKER_USER}`).length >= 3, `followers logged in as the brokers' user (logins: ${logins.join(', ')})`);
  });
});

test('an inter-broker listener must be one of the broker\'s own, a SASL one needs the user, and with ACLs in a cluster that user must be a super user', () => {
  const base = { listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0' };
  assert.throws(() => resolveConfig({ ...base, interBrokerListenerName: 'SSL' }), /must name one of this broker's listeners/);
  assert.throws(() => resolveConfig({ ...base, interBrokerListenerName: 'SASL_PLAINTEXT' }), /set interBrokerSaslUsername and interBrokerSaslPassword/);
  assert.throws(() => resolveConfig({ ...base, interBrokerListenerName: 'PLAINTEXT', replicationAddress: '127.0.0.1:1' }), /exclude each other/);
  const sasl = { ...base, interBrokerListenerName: 'SASL_PLAINTEXT', interBrokerSaslUsername: 'broker', interBrokerSaslPassword: 'x', etcd: 'http://127.0.0.1:2379', authorizer: 'acl' };
  assert.throws(() => resolveConfig({ ...sasl, superUsers: 'User:ANONYMOUS' }), /brokers replicate as User:broker: add it to superUsers/);
  assert.equal(resolveConfig({ ...sasl, superUsers: 'User:broker' }).interBrokerListenerName, 'SASL_PLAINTEXT');
  assert.throws(() => resolveConfig({ ...base, etcd: 'http://127.0.0.1:2379', authorizer: 'acl' }), /brokers replicate as User:ANONYMOUS/);
});
