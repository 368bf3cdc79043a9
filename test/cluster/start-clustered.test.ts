// startBroker with etcd endpoints: the broker registers in the cluster with
// its bound listener, clients see every broker and the controller, and a
// clean close hands its leaderships over and leaves the cluster at once (the
// lease is revoked, no TTL wait).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import fs from 'node:fs';
import type { RunningBroker } from '../../src/start-broker.js';
import { Admin } from '../../src/client/admin.js';
import { KafkaError } from '../../src/client/client-error.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestBroker } from '../helpers/broker.js';
import { makeTestCertificates } from '../helpers/tls-certs.js';
import { freePort } from '../helpers/free-port.js';
import { openssl, skipUnless } from '../helpers/interop-tools.js';
import { untilCluster } from '../helpers/cluster-wait.js';
import { etcdServer, startEtcd } from '../helpers/etcd.js';

describe('a broker started with --etcd', skipUnless(etcdServer), () => {
  test('registers its bound port, is seen with the others, and on close hands over its leaderships and leaves at once', async (t) => {
    const etcd = await startEtcd(t, 1);
    // A long TTL: leaving before it lapses proves the close revoked the lease.
    const cluster = { etcd: etcd.endpoints(), etcdPrefix: '/start', brokerLeaseTtlMs: 60_000 };
    const one = await startTestBroker(t, { ...cluster, nodeId: 1 });
    const two = await startTestBroker(t, { ...cluster, nodeId: 2, replicationAddress: '127.0.0.1:19092', rack: 'r2' });
    const plane = one.broker.cluster;
    await untilCluster(plane, () => plane.brokers().length === 2 && plane.controllerId !== -1, 'two brokers and a controller');
    assert.deepEqual(plane.brokers()[1], {
      nodeId: 2,
      host: two.config.advertisedHost,
      port: two.port,
      endpoints: [{ name: 'PLAINTEXT', host: two.config.advertisedHost, port: two.port }],
      rack: 'r2',
      replicationHost: '127.0.0.1',
      replicationPort: 19092,
    });

    const admin = new Kafka({ brokers: [one.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const described = await admin.describeCluster();
    assert.deepEqual(described.brokers.map((b) => [b.nodeId, b.port]).sort(), [[1, one.port], [2, two.port]]);
    assert.equal(described.controller, plane.controllerId);
    assert.equal(described.clusterId, two.broker.cluster.clusterId);

    // Created in the control plane only: what the brokers do with their replicas is not under test here.
    await plane.createTopic('t', 1, {}, { replicationFactor: -1, assignments: [[2, 1]] });
    await untilCluster(two.broker.cluster, () => two.broker.cluster.topic('t') !== undefined, 'broker 2 sees the topic');
    // Moved by broker 2 itself while still registered, not by the controller after it left.
    const handedOver = untilCluster(plane, () => plane.topic('t')?.partitions[0].leader === 1, 'leadership handed over');
    let registeredAtHandOver: number[] = [];
    void handedOver.then(() => (registeredAtHandOver = plane.brokers().map((b) => b.nodeId)));
    await two.close();
    await handedOver;
    assert.deepEqual(registeredAtHandOver, [1, 2]);
    assert.deepEqual(plane.topic('t')?.partitions[0], { partition: 0, leader: 1, leaderEpoch: 1, replicas: [2, 1], isr: [1], partitionEpoch: 1 });
    await untilCluster(plane, () => plane.brokers().length === 1, 'broker 2 gone', 10_000);
    assert.deepEqual(plane.brokers().map((b) => b.nodeId), [1]);
  });

  test('each broker registers its advertised listeners: Metadata on an SSL listener names every broker at its SSL endpoint', skipUnless(openssl), async (t) => {
    const etcd = await startEtcd(t, 1);
    const certs = await makeTestCertificates(t);
    const options = { etcd: etcd.endpoints(), etcdPrefix: '/listeners', listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', tlsCert: certs.serverCert, tlsKey: certs.serverKey };
    const one = await startTestBroker(t, { ...options, nodeId: 1 });
    const two = await startTestBroker(t, { ...options, nodeId: 2 });
    await untilCluster(one.broker.cluster, () => one.broker.cluster.brokers().length === 2, 'two brokers');
    const ssl = (b: RunningBroker) => b.listeners.find((l) => l.name === 'SSL')!.port;
    const admin = new Kafka({ brokers: [`127.0.0.1:${ssl(one)}`], ssl: { ca: [fs.readFileSync(certs.ca, 'utf8')], servername: 'localhost' }, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const described = await admin.describeCluster();
    assert.deepEqual(described.brokers.map((b) => [b.nodeId, b.port]).sort(), [[1, ssl(one)], [2, ssl(two)]]);
  });

  test('CreateTopics of one name at two brokers at once: one creates it, the other answers TOPIC_ALREADY_EXISTS', async (t) => {
    const etcd = await startEtcd(t, 1);
    const cluster = { etcd: etcd.endpoints(), etcdPrefix: '/create' };
    const brokers = [await startTestBroker(t, { ...cluster, nodeId: 1 }), await startTestBroker(t, { ...cluster, nodeId: 2 })];
    const plane = brokers[0].broker.cluster;
    await untilCluster(plane, () => plane.brokers().length === 2, 'two brokers');
    const clients = brokers.map((b) => new KafkaClient({ bootstrap: b.bootstrap }));
    t.after(() => Promise.all(clients.map((c) => c.close())));
    for (let round = 0; round < 5; round++) {
      const attempts = await Promise.allSettled(clients.map((c) => new Admin(c).createTopic(`orders-${round}`, 2)));
      assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1, attempts.map((a) => (a.status === 'rejected' ? String(a.reason) : 'created')).join(', '));
      const refused = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
      assert.ok(refused.reason instanceof KafkaError && refused.reason.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS, String(refused.reason));
    }
  });

  test('a second broker with the id of a live one refuses to start', async (t) => {
    const etcd = await startEtcd(t, 1);
    const cluster = { etcd: etcd.endpoints(), etcdPrefix: '/dup', nodeId: 1 };
    await startTestBroker(t, cluster);
    await assert.rejects(startTestBroker(t, cluster), { code: 'SLUICE_ERR_BROKER_ID_TAKEN', message: /broker id 1 is already registered by a live broker/ });
  });
});

test('a broker whose etcd cannot be reached refuses to start with SLUICE_ERR_ETCD', async (t) => {
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(startTestBroker(t, { etcd: [nowhere] }), { code: 'SLUICE_ERR_ETCD', message: new RegExp(nowhere) });
});
