// CreateAcls, DescribeAcls and DeleteAcls from kafkajs's admin (v1) and
// Sluice's (v3, flexible) against a broker over TCP: bindings created are
// described by filter (LITERAL, ANY, MATCH), invalid ones answered
// INVALID_REQUEST, deleted ones returned and gone, and what remains still
// there after the broker restarts on the same data directory. With the ACL
// authorizer on, the bindings in the store are what requests are checked
// against as soon as they are created or deleted, and the ACL APIs themselves
// need ALTER (create, delete) or DESCRIBE (describe) on the cluster.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs, { type AclEntry } from 'kafkajs';
import { ALL_BINDINGS, Admin, KafkaClient, AclOperation, AclPatternType, AclPermissionType, AclResourceType, type AclBinding } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../../src/protocol/messages/create-topics.js';
import { startTestBrokerWithClient } from '../helpers/broker.js';
import { makeDataDir } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';

const { Kafka, logLevel, AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

function kafkajsAdmin(bootstrap: string) {
  return new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
}

const acl = (resourceName: string, overrides: Partial<AclEntry> = {}): AclEntry => ({
  resourceType: AclResourceTypes.TOPIC,
  resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperationTypes.READ,
  permissionType: AclPermissionTypes.ALLOW,
  ...overrides,
});

const anyFilter = {
  resourceType: AclResourceTypes.ANY,
  resourcePatternType: ResourcePatternTypes.ANY,
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ANY,
};

/** kafkajs's name of a code in one of its tables (plain objects, no reverse mapping). */
const nameIn = (table: object, code: number) => Object.entries(table).find(([, c]) => c === code)?.[0];

/** "TOPIC LITERAL orders User:alice * READ ALLOW", sorted, for comparing what a describe returned. */
function lines(resources: { resourceType: number; resourceName: string; resourcePatternType: number; acls: { principal: string; host: string; operation: number; permissionType: number }[] }[]): string[] {
  return resources
    .flatMap((r) => r.acls.map((a) => [nameIn(AclResourceTypes, r.resourceType), nameIn(ResourcePatternTypes, r.resourcePatternType), r.resourceName, a.principal, a.host, nameIn(AclOperationTypes, a.operation), nameIn(AclPermissionTypes, a.permissionType)].join(' ')))
    .sort();
}

test('kafkajs creates, describes and deletes ACL bindings, which survive a broker restart', async (t) => {
  const dataDir = await makeDataDir(t);
  let broker = await startRestartableBroker(t, dataDir, 0);
  let admin = kafkajsAdmin(broker.bootstrap);
  await admin.connect();

  await admin.createAcls({
    acl: [
      acl('orders'),
      acl('orders', { operation: AclOperationTypes.WRITE, principal: 'User:bob', host: '10.0.0.7' }),
      acl('logs.', { resourcePatternType: ResourcePatternTypes.PREFIXED, permissionType: AclPermissionTypes.DENY }),
      acl('*', { operation: AclOperationTypes.DESCRIBE }),
      acl('app', { resourceType: AclResourceTypes.GROUP }),
      acl('kafka-cluster', { resourceType: AclResourceTypes.CLUSTER, operation: AclOperationTypes.IDEMPOTENT_WRITE }),
    ],
  });
  const all = lines((await admin.describeAcls(anyFilter)).resources);
  assert.deepEqual(all, [
    'CLUSTER LITERAL kafka-cluster User:alice * IDEMPOTENT_WRITE ALLOW',
    'GROUP LITERAL app User:alice * READ ALLOW',
    'TOPIC LITERAL * User:alice * DESCRIBE ALLOW',
    'TOPIC LITERAL orders User:alice * READ ALLOW',
    'TOPIC LITERAL orders User:bob 10.0.0.7 WRITE ALLOW',
    'TOPIC PREFIXED logs. User:alice * READ DENY',
  ]);

  const ordersLiteral = await admin.describeAcls({ ...anyFilter, resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL });
  assert.deepEqual(lines(ordersLiteral.resources), ['TOPIC LITERAL orders User:alice * READ ALLOW', 'TOPIC LITERAL orders User:bob 10.0.0.7 WRITE ALLOW']);
  const appliesToLogsApp = await admin.describeAcls({ ...anyFilter, resourceType: AclResourceTypes.TOPIC, resourceName: 'logs.app', resourcePatternType: ResourcePatternTypes.MATCH });
  assert.deepEqual(lines(appliesToLogsApp.resources), ['TOPIC LITERAL * User:alice * DESCRIBE ALLOW', 'TOPIC PREFIXED logs. User:alice * READ DENY']);
  const bobs = await admin.describeAcls({ ...anyFilter, principal: 'User:bob' });
  assert.deepEqual(lines(bobs.resources), ['TOPIC LITERAL orders User:bob 10.0.0.7 WRITE ALLOW']);

  const deleted = await admin.deleteAcls({ filters: [{ ...anyFilter, resourceType: AclResourceTypes.GROUP }, { ...anyFilter, principal: 'User:nobody' }] });
  assert.deepEqual(
    deleted.filterResponses.map((r) => [r.errorCode, r.matchingAcls.map((m) => `${nameIn(AclResourceTypes, m.resourceType)} ${m.resourceName} ${m.principal}`)]),
    [
      [0, ['GROUP app User:alice']],
      [0, []],
    ],
  );
  const remaining = lines((await admin.describeAcls(anyFilter)).resources);
  assert.deepEqual(remaining, all.filter((l) => !l.startsWith('GROUP')));

  await admin.disconnect();
  await broker.close();
  broker = await startRestartableBroker(t, dataDir, 0);
  admin = kafkajsAdmin(broker.bootstrap);
  await admin.connect();
  t.after(() => admin.disconnect());
  assert.deepEqual(lines((await admin.describeAcls(anyFilter)).resources), remaining, 'after a restart on the same data directory');
});

test('bindings Kafka refuses are answered INVALID_REQUEST and not created', async (t) => {
  const dataDir = await makeDataDir(t);
  const broker = await startRestartableBroker(t, dataDir, 0);
  const admin = kafkajsAdmin(broker.bootstrap);
  await admin.connect();
  t.after(() => admin.disconnect());

  for (const bad of [
    acl('orders', { principal: 'alice' }),
    acl('my-cluster', { resourceType: AclResourceTypes.CLUSTER, operation: AclOperationTypes.ALTER }),
    acl('orders', { operation: AclOperationTypes.CLUSTER_ACTION }),
    acl('orders', { resourcePatternType: ResourcePatternTypes.MATCH }),
    acl('', {}),
  ]) {
    await assert.rejects(admin.createAcls({ acl: [bad] }), (err: Error & { type?: string }) => {
      assert.equal(err.type, 'INVALID_REQUEST', JSON.stringify(bad));
      return true;
    });
  }
  await assert.rejects(admin.describeAcls({ ...anyFilter, resourcePatternType: ResourcePatternTypes.MATCH }), { type: 'INVALID_REQUEST' });
  assert.deepEqual((await admin.describeAcls(anyFilter)).resources, []);
  assert.equal(broker.acls.size, 0);
});

test("Sluice's admin creates, describes and deletes ACL bindings at the broker's highest version; a refused one is a KafkaError naming it", async (t) => {
  const { client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  const binding = (resourceName: string, patternType: number = AclPatternType.LITERAL): AclBinding => ({
    resourceType: AclResourceType.TOPIC,
    resourceName,
    patternType,
    principal: 'User:carol',
    host: '*',
    operation: AclOperation.WRITE,
    permissionType: AclPermissionType.ALLOW,
  });

  await admin.createAcls([binding('events'), binding('events.', AclPatternType.PREFIXED), binding('other')]);
  assert.deepEqual(await admin.describeAcls({ ...ALL_BINDINGS, resourceType: AclResourceType.TOPIC, resourceName: 'events.eu', patternType: AclPatternType.MATCH }), [binding('events.', AclPatternType.PREFIXED)]);

  await assert.rejects(admin.createAcls([binding('fine'), { ...binding('x'), principal: 'carol' }]), (err: Error & { code?: string; errorCode?: number }) => {
    assert.equal(err.code, 'SLUICE_ERR_KAFKA');
    assert.equal(err.errorCode, ErrorCode.INVALID_REQUEST);
    assert.match(err.message, /ALLOW carol@\* WRITE on TOPIC LITERAL 'x'.*invalid principal 'carol'/);
    return true;
  });
  await assert.rejects(admin.describeAcls({ ...ALL_BINDINGS, patternType: AclPatternType.MATCH }), { code: 'SLUICE_ERR_KAFKA', errorCode: ErrorCode.INVALID_REQUEST });

  assert.deepEqual(await admin.deleteAcls([{ ...ALL_BINDINGS, resourceName: 'events' }, { ...ALL_BINDINGS, resourceName: 'fine' }]), [[binding('events')], [binding('fine')]]);
  assert.deepEqual(await admin.describeAcls(ALL_BINDINGS), [binding('events.', AclPatternType.PREFIXED), binding('other')]);
});

test('with the ACL authorizer, bindings decide at once, and changing them needs ALTER on the cluster', async (t) => {
  const dataDir = await makeDataDir(t);
  const anonymous = (resourceType: number, resourceName: string, patternType: number, operation: number): AclBinding => ({
    resourceType,
    resourceName,
    patternType,
    principal: 'User:ANONYMOUS',
    host: '*',
    operation,
    permissionType: AclPermissionType.ALLOW,
  });
  const alterCluster = anonymous(AclResourceType.CLUSTER, 'kafka-cluster', AclPatternType.LITERAL, AclOperation.ALTER);
  const createOk = anonymous(AclResourceType.TOPIC, 'ok-', AclPatternType.PREFIXED, AclOperation.CREATE);
  let broker = await startRestartableBroker(t, dataDir, 0);
  let client = new KafkaClient({ bootstrap: broker.bootstrap });
  await new Admin(client).createAcls([alterCluster, createOk]);
  await client.close();
  await broker.close();

  broker = await startRestartableBroker(t, dataDir, 0, undefined, { authorizer: 'acl' });
  client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  const admin = new Admin(client);
  const refused = (errorCode: number) => (err: Error & { errorCode?: number }) => {
    assert.equal(err.errorCode, errorCode, err.message);
    return true;
  };

  await admin.createTopic('ok-1', 1);
  await assert.rejects(admin.createTopic('no-1', 1), refused(ErrorCode.TOPIC_AUTHORIZATION_FAILED));
  assert.equal((await admin.describeAcls(ALL_BINDINGS)).length, 2, 'ALTER on the cluster implies DESCRIBE');

  await admin.createAcls([anonymous(AclResourceType.TOPIC, 'no-', AclPatternType.PREFIXED, AclOperation.CREATE)]);
  await admin.createTopic('no-1', 1);

  assert.deepEqual(await admin.deleteAcls([alterCluster]), [[alterCluster]]);
  await assert.rejects(admin.createAcls([anonymous(AclResourceType.TOPIC, 'x', AclPatternType.LITERAL, AclOperation.READ)]), refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED));
  await assert.rejects(admin.deleteAcls([createOk]), refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED));
  await assert.rejects(admin.describeAcls(ALL_BINDINGS), refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED));
  assert.equal(broker.acls.size, 2, 'nothing changed by the refused requests');
});

test('CreateTopics (v5+) echoes the new topic\'s configs only with DESCRIBE_CONFIGS on it; without, topic_config_error_code says why', async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t, { authorizer: 'acl' });
  const grant = (operation: number, prefix: string): AclBinding => ({
    resourceType: AclResourceType.TOPIC,
    resourceName: prefix,
    patternType: AclPatternType.PREFIXED,
    principal: 'User:ANONYMOUS',
    host: '*',
    operation,
    permissionType: AclPermissionType.ALLOW,
  });
  // Set up in the broker's own store, as a super user's CreateAcls would.
  await broker.acls.create([grant(AclOperation.CREATE, 'c-'), grant(AclOperation.DESCRIBE_CONFIGS, 'c-shown')]);
  const create = async (name: string) => {
    const res = await client.send(
      { request: CreateTopicsRequest, response: CreateTopicsResponse },
      { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false },
    );
    return res.topics[0];
  };
  const shown = await create('c-shown-1');
  assert.equal(shown.errorCode, ErrorCode.NONE);
  assert.equal(shown.topicConfigErrorCode, ErrorCode.NONE);
  assert.ok(shown.configs.some((c: { name: string }) => c.name === 'cleanup.policy'), 'the configs are echoed');
  const hidden = await create('c-hidden-1');
  assert.equal(hidden.errorCode, ErrorCode.NONE, 'created all the same');
  assert.equal(hidden.topicConfigErrorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(hidden.configs, null);
  assert.equal(hidden.numPartitions, 1);
});
