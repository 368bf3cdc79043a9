// The HTTP API under the ACL authorizer: a user logged in with Basic may do
// over HTTP what its ACLs let it do over Kafka, and nothing else (403
// SLUICE_HTTP_FORBIDDEN); listings show only what it may describe; the refusals
// are counted in sluice_authorization_denials_total.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AclOperation, AclPatternType, AclPermissionType, AclResourceType, type AclBinding } from '../../src/broker/acl/acl-binding.js';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import { freePort } from '../helpers/free-port.js';
import { httpCall } from '../helpers/http-api.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

test('over HTTP a user may do what its ACLs allow and nothing else; listings show what it may describe', async (t) => {
  // The Kafka PLAINTEXT listener's User:ANONYMOUS is the administrator here.
  const broker = await startInProcessBroker(t, { httpPort: await freePort(), httpAuth: 'basic', httpWrites: true, authorizer: 'acl', superUsers: ['User:ANONYMOUS'] });
  const admin = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => admin.close());
  await upsertScramCredential(admin, 'alice', 'SCRAM-SHA-256', 'alice-secret');
  for (const topic of ['orders', 'secret']) await new Admin(admin).createTopic(topic, 1);
  const grant = (operation: number, resourceName = 'orders', resourceType: number = AclResourceType.TOPIC) =>
    new Admin(admin).createAcls([{ resourceType, resourceName, patternType: AclPatternType.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermissionType.ALLOW } as AclBinding]);
  const alice = (method: string, path: string, body?: unknown) => httpCall(`http://127.0.0.1:${broker.httpPort}`, method, path, body, basic('alice', 'alice-secret'));
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
