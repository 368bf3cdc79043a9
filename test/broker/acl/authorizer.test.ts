import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AclBinding, type AclResource, AclOperation as Op, AclPatternType, AclPermissionType, AclResourceType as Type } from '../../../src/broker/acl/acl-binding.js';
import { AclAuthorizer, type AclSource, authorizedOperations, AUTHORIZED_OPERATIONS_OMITTED } from '../../../src/broker/acl/authorizer.js';

/** Bindings in a list; `matching` applies literal, wildcard and prefix names as the store does. */
function source(bindings: AclBinding[]): AclSource {
  const applies = (b: AclBinding, r: AclResource) =>
    b.resourceType === r.resourceType && (b.patternType === AclPatternType.PREFIXED ? r.name.startsWith(b.resourceName) : b.resourceName === r.name || b.resourceName === '*');
  return { matching: (r) => bindings.filter((b) => applies(b, r)), ofType: (type) => bindings.filter((b) => b.resourceType === type) };
}

const binding = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: Type.TOPIC,
  resourceName: 'orders',
  patternType: AclPatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Op.READ,
  permissionType: AclPermissionType.ALLOW,
  ...over,
});

const alice = { principal: 'User:alice', clientHost: '10.0.0.1' };
const bob = { principal: 'User:bob', clientHost: '10.0.0.2' };

test('a resource without bindings is refused; an ALLOW grants its own operation to its principal only', () => {
  const authz = new AclAuthorizer(source([binding({})]), []);
  assert.equal(authz.allows(alice, Op.READ, Type.TOPIC, 'orders'), true);
  assert.equal(authz.allows(alice, Op.WRITE, Type.TOPIC, 'orders'), false, 'another operation');
  assert.equal(authz.allows(bob, Op.READ, Type.TOPIC, 'orders'), false, 'another principal');
  assert.equal(authz.allows(alice, Op.READ, Type.TOPIC, 'payments'), false, 'another topic');
  assert.equal(authz.allows(alice, Op.READ, Type.GROUP, 'orders'), false, 'another resource type');
});

test('a prefixed binding grants exactly the names that start with the prefix', () => {
  const authz = new AclAuthorizer(source([binding({ resourceName: 'logs.', patternType: AclPatternType.PREFIXED, operation: Op.ALL })]), []);
  assert.equal(authz.allows(alice, Op.WRITE, Type.TOPIC, 'logs.app'), true);
  assert.equal(authz.allows(alice, Op.WRITE, Type.TOPIC, 'logs.'), true);
  assert.equal(authz.allows(alice, Op.WRITE, Type.TOPIC, 'logs'), false);
  assert.equal(authz.allows(alice, Op.WRITE, Type.TOPIC, 'applogs.x'), false);
});

test('deny beats allow, for its own operation (or all of them with ALL)', () => {
  const allowAll = binding({ operation: Op.ALL });
  const denyWrite = binding({ operation: Op.WRITE, permissionType: AclPermissionType.DENY, resourceName: '*' });
  const authz = new AclAuthorizer(source([allowAll, denyWrite]), []);
  assert.equal(authz.allows(alice, Op.WRITE, Type.TOPIC, 'orders'), false);
  assert.equal(authz.allows(alice, Op.READ, Type.TOPIC, 'orders'), true, 'a DENY of WRITE leaves READ');
  const denyAll = new AclAuthorizer(source([allowAll, binding({ operation: Op.ALL, permissionType: AclPermissionType.DENY, principal: 'User:*' })]), []);
  assert.equal(denyAll.allows(alice, Op.READ, Type.TOPIC, 'orders'), false);
});

test('READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; nothing else is implied', () => {
  for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
    assert.equal(new AclAuthorizer(source([binding({ operation: op })]), []).allows(alice, Op.DESCRIBE, Type.TOPIC, 'orders'), true, `op ${op}`);
  }
  const alterConfigs = new AclAuthorizer(source([binding({ operation: Op.ALTER_CONFIGS })]), []);
  assert.equal(alterConfigs.allows(alice, Op.DESCRIBE_CONFIGS, Type.TOPIC, 'orders'), true);
  assert.equal(alterConfigs.allows(alice, Op.DESCRIBE, Type.TOPIC, 'orders'), false);
  const describe = new AclAuthorizer(source([binding({ operation: Op.DESCRIBE })]), []);
  assert.equal(describe.allows(alice, Op.READ, Type.TOPIC, 'orders'), false);
  // A DENY of READ does not deny the DESCRIBE that a WRITE allows.
  const writeNotRead = new AclAuthorizer(source([binding({ operation: Op.WRITE }), binding({ operation: Op.READ, permissionType: AclPermissionType.DENY })]), []);
  assert.equal(writeNotRead.allows(alice, Op.DESCRIBE, Type.TOPIC, 'orders'), true);
});

test('wildcard principal and host; a host binding applies to that address only, IPv4-mapped addresses included', () => {
  const everyone = new AclAuthorizer(source([binding({ principal: 'User:*' })]), []);
  assert.equal(everyone.allows(bob, Op.READ, Type.TOPIC, 'orders'), true);
  const fromHost = new AclAuthorizer(source([binding({ host: '10.0.0.1' })]), []);
  assert.equal(fromHost.allows(alice, Op.READ, Type.TOPIC, 'orders'), true);
  assert.equal(fromHost.allows({ principal: 'User:alice', clientHost: '::ffff:10.0.0.1' }, Op.READ, Type.TOPIC, 'orders'), true);
  assert.equal(fromHost.allows({ principal: 'User:alice', clientHost: '10.0.0.9' }, Op.READ, Type.TOPIC, 'orders'), false);
});

test('super users may do everything, even against a DENY', () => {
  const authz = new AclAuthorizer(source([binding({ principal: 'User:*', operation: Op.ALL, permissionType: AclPermissionType.DENY })]), ['User:admin']);
  assert.equal(authz.allows({ principal: 'User:admin', clientHost: '1.2.3.4' }, Op.DELETE, Type.TOPIC, 'orders'), true);
  assert.equal(authz.allows(alice, Op.READ, Type.TOPIC, 'orders'), false);
});

test('allowsSome: an operation allowed on any resource of the type, unless denied there', () => {
  assert.equal(new AclAuthorizer(source([binding({ operation: Op.WRITE })]), []).allowsSome(alice, Op.WRITE, Type.TOPIC), true);
  assert.equal(new AclAuthorizer(source([binding({ operation: Op.READ })]), []).allowsSome(alice, Op.WRITE, Type.TOPIC), false);
  const denied = [binding({ operation: Op.WRITE }), binding({ operation: Op.WRITE, permissionType: AclPermissionType.DENY })];
  assert.equal(new AclAuthorizer(source(denied), []).allowsSome(alice, Op.WRITE, Type.TOPIC), false);
});

test('authorized operations: the bit of each operation valid for the type that is allowed, or the omitted marker', () => {
  const authz = new AclAuthorizer(source([binding({ operation: Op.READ })]), []);
  assert.equal(authorizedOperations(authz, alice, false, Type.TOPIC, 'orders'), AUTHORIZED_OPERATIONS_OMITTED);
  assert.equal(authorizedOperations(authz, alice, true, Type.TOPIC, 'orders'), (1 << Op.READ) | (1 << Op.DESCRIBE));
  assert.equal(authorizedOperations(authz, bob, true, Type.TOPIC, 'orders'), 0);
});

test('refusals are counted per resource type and operation, by Kafka name', () => {
  const authz = new AclAuthorizer(source([]), []);
  authz.refused(alice, Op.WRITE, Type.TOPIC, 'orders');
  authz.refused(bob, Op.WRITE, Type.TOPIC, 'payments');
  authz.refused(alice, Op.READ, Type.GROUP, 'billing');
  assert.deepEqual([...authz.denials.values()], [
    { resourceType: 'TOPIC', operation: 'WRITE', count: 2 },
    { resourceType: 'GROUP', operation: 'READ', count: 1 },
  ]);
});
