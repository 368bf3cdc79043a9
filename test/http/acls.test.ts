// The HTTP API under the ACL authorizer: a user logged in with Basic may do
// over HTTP what its ACLs let it do over Kafka, and nothing else (403
// SLUICE_HTTP_FORBIDDEN); listings show only what it may describe; the refusals
// are counted in sluice_authorization_denials_total. A queue redrive's Kafka
// client acts as the logged-in user, so the Kafka ACLs decide what it may do.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { AclOperation, AclPatternType, AclPermissionType, AclResourceType, type AclBinding } from '../../src/broker/acl/acl-binding.js';
import { Admin, KafkaClient, LATEST, Producer } from '../../src/client/index.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import type { ScramMechanism } from '../../src/protocol/scram.js';
import type { StartOptions } from '../../src/start-broker.js';
import { freePort } from '../helpers/free-port.js';
import { httpCall } from '../helpers/http-api.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { makeTestCertificates } from '../helpers/tls-certs.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/**
 * A broker under the ACL authorizer with an HTTP API that logs users in with
 * Basic; its PLAINTEXT listener's User:ANONYMOUS is the administrator (`admin`).
 * User alice has a credential of `mechanism`; `grant` allows her an operation,
 * `alice` calls the HTTP API as her.
 */
async function aclBroker(t: TestContext, mechanism: ScramMechanism, options: StartOptions = {}) {
  const broker = await startInProcessBroker(t, { httpPort: await freePort(), httpAuth: 'basic', httpWrites: true, authorizer: 'acl', superUsers: ['User:ANONYMOUS'], ...options });
  const admin = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => admin.close());
  await upsertScramCredential(admin, 'alice', mechanism, 'alice-secret');
  const grant = (operation: number, resourceType: number, resourceName: string) =>
    new Admin(admin).createAcls([{ resourceType, resourceName, patternType: AclPatternType.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermissionType.ALLOW } as AclBinding]);
  const alice = (method: string, path: string, body?: unknown) => httpCall(`http://127.0.0.1:${broker.httpPort}`, method, path, body, basic('alice', 'alice-secret'));
  return { broker, admin, grant, alice };
}

test('over HTTP a user may do what its ACLs allow and nothing else; listings show what it may describe', async (t) => {
  const { admin, grant: grantOn, alice } = await aclBroker(t, 'SCRAM-SHA-256');
  for (const topic of ['orders', 'secret']) await new Admin(admin).createTopic(topic, 1);
  const grant = (operation: number, resourceName = 'orders', resourceType: number = AclResourceType.TOPIC) => grantOn(operation, resourceType, resourceName);
  const forbidden = async (method: string, path: string, body?: unknown) => {
    const answer = await alice(method, path, body);
    assert.equal(answer.status, 403, `${method} ${path}: ${answer.text}`);
    assert.equal(answer.json.error.code, 'SLUICE_HTTP_FORBIDDEN');
  };

  assert.deepEqual((await alice('GET', '/topics')).json.topics, [], 'no topic listed without DESCRIBE');
  await forbidden('GET', '/topics/orders');
  await forbidden('POST', '/topics/orders/records', { records: [{ value: 'v' }] });
  await forbidden('GET', '/topics/orders/records?partition=0');
  await forbidden('GET', '/cluster');
  await forbidden('GET', '/metrics');
  await forbidden('POST', '/topics', { name: 'new-one' });
  await forbidden('DELETE', '/topics/orders');

  await grant(AclOperation.WRITE);
  assert.deepEqual((await alice('GET', '/topics')).json.topics.map((x: { name: string }) => x.name), ['orders'], 'WRITE implies DESCRIBE');
  assert.equal((await alice('POST', '/topics/orders/records', { records: [{ value: 'v' }] })).status, 200);
  await forbidden('GET', '/topics/orders/records?partition=0');
  await forbidden('POST', '/topics/secret/records', { records: [{ value: 'v' }] });

  await grant(AclOperation.READ);
  const read = await alice('GET', '/topics/orders/records?partition=0');
  assert.equal(read.status, 200);
  assert.deepEqual(read.text.trim().split('\n').map((line) => JSON.parse(line).value), ['v']);

  await grant(AclOperation.CREATE, 'kafka-cluster', AclResourceType.CLUSTER);
  assert.equal((await alice('POST', '/topics', { name: 'new-one' })).status, 201, 'CREATE on the cluster');

  // The refusals above are counted by resource type and operation.
  await grant(AclOperation.DESCRIBE, 'kafka-cluster', AclResourceType.CLUSTER);
  const metrics = await alice('GET', '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /^sluice_authorization_denials_total\{resource_type="TOPIC",operation="WRITE"\} 2$/m);
  assert.match(metrics.text, /^sluice_authorization_denials_total\{resource_type="CLUSTER",operation="DESCRIBE"\} 2$/m);
});

test('a queue redrive over HTTP acts as the logged-in user over a SASL_SSL listener: its ACLs decide, refusals answer 403', async (t) => {
  const certs = await makeTestCertificates(t);
  const { admin, grant, alice } = await aclBroker(t, 'SCRAM-SHA-512', {
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    tlsCa: certs.ca,
  });
  await new Admin(admin).createTopic('invoices', 1);
  await new Admin(admin).createTopic('invoices.dlq', 1);
  await new Admin(admin).alterConfigs({ type: 'group', name: 'billing' }, { set: { 'errors.deadletterqueue.topic.name': 'invoices.dlq' } });
  const producer = new Producer(admin);
  const origin = { '_dlq.errors.original.topic': 'invoices', '_dlq.errors.original.partition': '0', '_dlq.errors.group.id': 'billing' };
  for (const value of ['i1', 'i2']) {
    await producer.send('invoices.dlq', { value: Buffer.from(value), headers: Object.entries(origin).map(([key, v]) => ({ key, value: Buffer.from(v) })) });
  }
  await producer.close();
  const redrive = () => alice('POST', '/queues/billing/redrive', {});

  // What redriving reads: the group's config, the dead-letter topic, the cursor group's offsets.
  await grant(AclOperation.READ, AclResourceType.GROUP, 'billing');
  await grant(AclOperation.DESCRIBE_CONFIGS, AclResourceType.GROUP, 'billing');
  await grant(AclOperation.READ, AclResourceType.TOPIC, 'invoices.dlq');
  await grant(AclOperation.READ, AclResourceType.GROUP, 'sluice.redrive.billing');
  const refused = await redrive();
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.error.code, 'SLUICE_HTTP_KAFKA_ERROR');
  assert.match(refused.json.error.message, /TOPIC_AUTHORIZATION_FAILED/, 'alice may not write to the original topic');

  await grant(AclOperation.WRITE, AclResourceType.TOPIC, 'invoices');
  const moved = await redrive();
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual(moved.json, { moved: 2, deadLetterTopic: 'invoices.dlq' });
  const read = await alice('GET', '/topics/invoices/records?partition=0');
  assert.equal(read.status, 403, 'alice may write to the original topic, not read it');
  const offsets = await new Admin(admin).listOffsets('invoices', [0], LATEST);
  assert.equal(offsets.get(0)?.offset, 2, 'both dead letters are back on invoices');
});

test('a queue redrive over HTTP says which listener is missing when the user cannot log in on any', async (t) => {
  const { grant, alice } = await aclBroker(t, 'SCRAM-SHA-256');
  await grant(AclOperation.READ, AclResourceType.GROUP, 'billing');
  const answer = await alice('POST', '/queues/billing/redrive', {});
  assert.equal(answer.status, 409, answer.text);
  assert.equal(answer.json.error.code, 'SLUICE_HTTP_NO_KAFKA_LOGIN');
  assert.match(answer.json.error.hint, /SASL_PLAINTEXT or SASL_SSL listener/);
});

test('a queue redrive over HTTP does not send a password in clear: PLAIN is used on SASL_SSL, or where the broker allows it', async (t) => {
  // The user has a SCRAM-SHA-256 credential only, which this broker does not offer: PLAIN is what it could log in with.
  const { grant, alice } = await aclBroker(t, 'SCRAM-SHA-256', { listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', saslMechanisms: ['SCRAM-SHA-512', 'PLAIN'] });
  await grant(AclOperation.READ, AclResourceType.GROUP, 'billing');
  const answer = await alice('POST', '/queues/billing/redrive', {});
  assert.equal(answer.status, 409, answer.text);
  assert.equal(answer.json.error.code, 'SLUICE_HTTP_NO_KAFKA_LOGIN');
});
