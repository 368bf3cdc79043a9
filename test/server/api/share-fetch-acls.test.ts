// ShareFetch and ShareAcknowledge under the ACL authorizer: READ on the share
// group is not enough, the topic needs READ too; a refused topic's partition
// answers TOPIC_AUTHORIZATION_FAILED at once, nothing is acquired from it, and
// once READ is granted the same member acquires the records. READ revoked
// while the session is open stops the session's reads of that topic at once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AclBinding, AclOperation, AclPatternType, AclPermissionType, AclResourceType, CLUSTER_RESOURCE } from '../../../src/broker/acl/acl-binding.js';
import { Admin } from '../../../src/client/index.js';
import { Producer } from '../../../src/client/producer.js';
import { AcknowledgeType } from '../../../src/coordinator/share/share-partition.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { RawShareMember } from '../../helpers/raw-share-member.js';

const allow = (resourceType: number, resourceName: string, operation: number): AclBinding => ({
  resourceType,
  resourceName,
  patternType: AclPatternType.LITERAL,
  principal: 'User:ANONYMOUS',
  host: '*',
  operation,
  permissionType: AclPermissionType.ALLOW,
});

test('a share member without READ on the topic gets TOPIC_AUTHORIZATION_FAILED for its partition and acquires nothing until granted', { timeout: 30_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t, { authorizer: 'acl' });
  // Set up in the broker's own store, as a super user's CreateAcls would. WRITE on the topic implies the DESCRIBE a heartbeat needs.
  await broker.acls.create([
    allow(AclResourceType.CLUSTER, CLUSTER_RESOURCE, AclOperation.ALL),
    allow(AclResourceType.TOPIC, 'jobs', AclOperation.WRITE),
    allow(AclResourceType.GROUP, 'workers', AclOperation.READ),
    allow(AclResourceType.GROUP, 'workers', AclOperation.ALTER_CONFIGS),
  ]);
  const admin = new Admin(client);
  await admin.createTopic('jobs', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  await new Producer(client, { acks: -1 }).send('jobs', { value: Buffer.from('job'), partition: 0 });

  const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
  const refused = await member.fetch([], 5000);
  assert.equal(refused.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.deepEqual(refused.acquiredRecords, []);
  assert.equal(await member.acknowledge([{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [AcknowledgeType.Accept] }]), ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  await broker.acls.create([allow(AclResourceType.TOPIC, 'jobs', AclOperation.READ)]);
  const granted = await member.fetch();
  assert.equal(granted.errorCode, ErrorCode.NONE);
  assert.deepEqual(granted.acquiredRecords, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }]);
});

test("READ revoked while a share session is open: the session's partition answers TOPIC_AUTHORIZATION_FAILED and gives out nothing more", { timeout: 30_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t, { authorizer: 'acl' });
  const readJobs = allow(AclResourceType.TOPIC, 'jobs', AclOperation.READ);
  await broker.acls.create([
    allow(AclResourceType.CLUSTER, CLUSTER_RESOURCE, AclOperation.ALL),
    allow(AclResourceType.TOPIC, 'jobs', AclOperation.WRITE),
    readJobs,
    allow(AclResourceType.GROUP, 'workers', AclOperation.READ),
    allow(AclResourceType.GROUP, 'workers', AclOperation.ALTER_CONFIGS),
  ]);
  const admin = new Admin(client);
  await admin.createTopic('jobs', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  const producer = new Producer(client, { acks: -1 });
  await producer.send('jobs', { value: Buffer.from('first'), partition: 0 });

  const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
  assert.deepEqual((await member.fetch()).acquiredRecords, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }], 'the session opens with READ');
  await producer.send('jobs', { value: Buffer.from('second'), partition: 0 });
  await broker.acls.delete([{ ...readJobs, patternType: AclPatternType.LITERAL }]);

  const revoked = await member.fetchSession(5000);
  assert.equal(revoked.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.deepEqual(revoked.acquiredRecords, [], 'the second record is not given out');
  await broker.acls.create([readJobs]);
  assert.deepEqual((await member.fetchSession()).acquiredRecords, [{ firstOffset: 1, lastOffset: 1, deliveryCount: 1 }], 'granted again, the session reads on');
});
