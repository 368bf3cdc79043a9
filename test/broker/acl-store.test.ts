// The ACL store on its own: which bindings `matching` finds for a resource
// (literal, the '*' wildcard, prefixes that start the name and no others) and
// `ofType` for a resource type,
// Kafka's filter semantics for Describe and DeleteAcls (ANY, exact pattern
// types, MATCH), INVALID_REQUEST for bindings and filters Kafka refuses, and
// the bindings read back from <dataDir>/acls, a corrupt file refused.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  type AclBinding,
  type AclBindingFilter,
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  ALL_BINDINGS,
  CLUSTER_RESOURCE,
} from '../../src/broker/acl/acl-binding.js';
import { ACLS_FILE } from '../../src/broker/acl/acl-file.js';
import { AclStore } from '../../src/broker/acl/acl-store.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';

const { TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID } = AclResourceType;
const { LITERAL, PREFIXED, MATCH, ANY } = AclPatternType;

function binding(resourceName: string, overrides: Partial<AclBinding> = {}): AclBinding {
  return { resourceType: TOPIC, resourceName, patternType: LITERAL, principal: 'User:alice', host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW, ...overrides };
}

const filter = (overrides: Partial<AclBindingFilter>): AclBindingFilter => ({ ...ALL_BINDINGS, ...overrides });
const names = (bindings: readonly AclBinding[]) => bindings.map((b) => `${b.patternType === PREFIXED ? 'prefixed:' : ''}${b.resourceName}`).sort();

async function dataDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-acls-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

test('matching finds literal bindings of the name, the wildcard, and prefixes that start the name', async () => {
  const store = AclStore.open(null);
  const created = await store.create([
    binding('logs.app'),
    binding('*'),
    binding('logs.', { patternType: PREFIXED }),
    binding('logs.app', { patternType: PREFIXED, operation: AclOperation.WRITE }),
    binding('log', { patternType: PREFIXED, operation: AclOperation.WRITE }),
    binding('logs.apple', { patternType: PREFIXED }),
    binding('logs.app', { resourceType: GROUP }),
    binding('other'),
  ]);
  assert.ok(created.every((r) => r.errorCode === ErrorCode.NONE));

  assert.deepEqual(names(store.matching({ resourceType: TOPIC, name: 'logs.app' })), ['*', 'logs.app', 'prefixed:log', 'prefixed:logs.', 'prefixed:logs.app']);
  assert.deepEqual(names(store.matching({ resourceType: TOPIC, name: 'logs.b' })), ['*', 'prefixed:log', 'prefixed:logs.']);
  assert.deepEqual(names(store.matching({ resourceType: TOPIC, name: 'log' })), ['*', 'prefixed:log'], "'logs.' is no prefix of 'log'");
  assert.deepEqual(names(store.matching({ resourceType: TOPIC, name: 'lo' })), ['*']);
  assert.deepEqual(names(store.matching({ resourceType: GROUP, name: 'logs.app' })), ['logs.app'], 'other resource types are apart');
  assert.deepEqual(names(store.matching({ resourceType: GROUP, name: 'logs.app2' })), []);
  assert.deepEqual(store.matching({ resourceType: CLUSTER, name: CLUSTER_RESOURCE }), []);
  assert.deepEqual(names([...store.ofType(GROUP)]), ['logs.app'], 'ofType: every binding of one resource type');
  assert.equal([...store.ofType(TOPIC)].length, 7);
  assert.deepEqual([...store.ofType(CLUSTER)], []);
});

test('matching hands back the stored list itself when only one list applies, and that list keeps what it held', async () => {
  const store = AclStore.open(null);
  await store.create([binding('orders'), binding('orders', { operation: AclOperation.WRITE })]);
  const first = store.matching({ resourceType: TOPIC, name: 'orders' });
  assert.equal(store.matching({ resourceType: TOPIC, name: 'orders' }), first, 'no copy when nothing else applies');
  assert.equal(store.matching({ resourceType: TOPIC, name: 'nothing' }), store.matching({ resourceType: GROUP, name: 'x' }), 'one shared empty list');
  await store.delete([filter({ operation: AclOperation.WRITE })]);
  assert.equal(first.length, 2, 'a list handed out is not changed by a later delete');
  assert.equal(store.matching({ resourceType: TOPIC, name: 'orders' }).length, 1);
});

test('a binding created twice is held once', async () => {
  const store = AclStore.open(null);
  assert.deepEqual(
    (await store.create([binding('orders'), binding('orders')])).map((r) => r.errorCode),
    [ErrorCode.NONE, ErrorCode.NONE],
  );
  await store.create([binding('orders')]);
  assert.equal(store.size, 1);
  assert.equal(store.matching({ resourceType: TOPIC, name: 'orders' }).length, 1);
});

test('bindings Kafka refuses are answered INVALID_REQUEST with why, the others created', async () => {
  const store = AclStore.open(null);
  const cases: [Partial<AclBinding> & { resourceName?: string }, RegExp][] = [
    [{ resourceType: AclResourceType.ANY }, /resource type ANY/],
    [{ resourceType: 0 }, /resource type UNKNOWN/],
    [{ resourceType: 99 }, /resource type UNKNOWN \(99\)/],
    [{ patternType: MATCH }, /pattern type MATCH/],
    [{ patternType: ANY }, /pattern type ANY/],
    [{ operation: AclOperation.ANY }, /operation ANY/],
    [{ operation: 0 }, /operation UNKNOWN/],
    [{ permissionType: AclPermissionType.ANY }, /permission type ANY/],
    [{ principal: 'alice' }, /principal 'alice'/],
    [{ principal: 'User:' }, /principal 'User:'/],
    [{ resourceName: '' }, /resource name is empty/],
    [{ resourceType: CLUSTER, resourceName: 'my-cluster', operation: AclOperation.ALTER }, /CLUSTER resource is named kafka-cluster/],
    [{ operation: AclOperation.CLUSTER_ACTION }, /CLUSTER_ACTION is not one of the resource type TOPIC's/],
    [{ resourceType: GROUP, operation: AclOperation.WRITE }, /WRITE is not one of the resource type GROUP's/],
    [{ resourceType: TRANSACTIONAL_ID, operation: AclOperation.READ }, /READ is not one of the resource type TRANSACTIONAL_ID's/],
  ];
  const good = [
    binding('orders', { operation: AclOperation.ALL }),
    binding(CLUSTER_RESOURCE, { resourceType: CLUSTER, operation: AclOperation.IDEMPOTENT_WRITE }),
    binding('tx', { resourceType: TRANSACTIONAL_ID, operation: AclOperation.WRITE, principal: 'User:*', permissionType: AclPermissionType.DENY }),
  ];
  const results = await store.create([...cases.map(([overrides]) => binding('orders', overrides)), ...good]);
  cases.forEach(([overrides, message], i) => {
    assert.equal(results[i].errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(overrides));
    assert.match(results[i].errorMessage ?? '', message);
  });
  assert.deepEqual(results.slice(cases.length), good.map(() => ({ errorCode: ErrorCode.NONE, errorMessage: null })));
  assert.equal(store.size, good.length);
});

test("filters: null and ANY match anything, LITERAL and PREFIXED compare names exactly, MATCH takes what applies to the name", async () => {
  const store = AclStore.open(null);
  await store.create([
    binding('logs.app'),
    binding('*', { operation: AclOperation.WRITE }),
    binding('logs.', { patternType: PREFIXED, principal: 'User:bob' }),
    binding('logs.app', { patternType: PREFIXED, permissionType: AclPermissionType.DENY }),
    binding('logs.app', { resourceType: GROUP, host: '10.0.0.1' }),
  ]);
  const described = (f: Partial<AclBindingFilter>) => {
    const r = store.describe(filter(f));
    assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage ?? '');
    return names(r.bindings);
  };
  assert.deepEqual(described({}), ['*', 'logs.app', 'logs.app', 'prefixed:logs.', 'prefixed:logs.app']);
  assert.deepEqual(described({ resourceType: TOPIC, resourceName: 'logs.app' }), ['logs.app', 'prefixed:logs.app'], 'ANY: literal and prefixed of exactly that name');
  assert.deepEqual(described({ resourceType: TOPIC, resourceName: 'logs.app', patternType: LITERAL }), ['logs.app']);
  assert.deepEqual(described({ resourceName: 'logs.', patternType: PREFIXED }), ['prefixed:logs.']);
  assert.deepEqual(described({ resourceName: 'logs', patternType: PREFIXED }), [], 'a prefixed filter does not match longer prefixes');
  assert.deepEqual(described({ resourceType: TOPIC, resourceName: 'logs.app', patternType: MATCH }), ['*', 'logs.app', 'prefixed:logs.', 'prefixed:logs.app']);
  assert.deepEqual(described({ resourceType: TOPIC, resourceName: 'logs.b', patternType: MATCH }), ['*', 'prefixed:logs.']);
  assert.deepEqual(described({ resourceName: 'logs.app', patternType: MATCH }), ['*', 'logs.app', 'logs.app', 'prefixed:logs.', 'prefixed:logs.app'], 'MATCH over every resource type');
  assert.deepEqual(described({ principal: 'User:bob' }), ['prefixed:logs.']);
  assert.deepEqual(described({ host: '10.0.0.1' }), ['logs.app']);
  assert.deepEqual(described({ operation: AclOperation.WRITE }), ['*']);
  assert.deepEqual(described({ permissionType: AclPermissionType.DENY }), ['prefixed:logs.app']);
  assert.deepEqual(described({ resourceType: TOPIC, resourceName: '*', patternType: LITERAL }), ['*'], "'*' as a filter's name is the wildcard binding itself");

  for (const [bad, message] of [
    [{ patternType: MATCH }, /MATCH filter needs a resource name/],
    [{ resourceType: 0 }, /resource type is unknown/],
    [{ patternType: 9 }, /pattern type is unknown/],
    [{ operation: 0 }, /operation is unknown/],
    [{ permissionType: 0 }, /permission type is unknown/],
  ] as [Partial<AclBindingFilter>, RegExp][]) {
    const r = store.describe(filter(bad));
    assert.equal(r.errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(bad));
    assert.match(r.errorMessage ?? '', message);
    assert.deepEqual(r.bindings, []);
  }
});

test('delete removes what each filter matches and returns it per filter; a bad filter removes nothing', async () => {
  const store = AclStore.open(null);
  await store.create([binding('a'), binding('b'), binding('b', { operation: AclOperation.WRITE }), binding('c', { patternType: PREFIXED })]);
  const results = await store.delete([
    filter({ resourceName: 'b', operation: AclOperation.READ }),
    filter({ patternType: MATCH }),
    filter({ resourceName: 'b' }),
    filter({ resourceName: 'b' }),
  ]);
  assert.deepEqual(
    results.map((r) => [r.errorCode, r.bindings.map((b) => `${b.resourceName}/${b.operation}`)]),
    [
      [ErrorCode.NONE, ['b/3']],
      [ErrorCode.INVALID_REQUEST, []],
      [ErrorCode.NONE, ['b/4']],
      [ErrorCode.NONE, []],
    ],
  );
  assert.deepEqual(names(store.describe(ALL_BINDINGS).bindings), ['a', 'prefixed:c']);
  await store.delete([filter({ resourceName: 'c', patternType: PREFIXED })]);
  assert.deepEqual(store.matching({ resourceType: TOPIC, name: 'cc' }), [], 'the prefix is gone from the index');
  assert.deepEqual(names([...store.ofType(TOPIC)]), ['a'], 'and from the bindings of its type');
  assert.equal(store.size, 1);
});

test('bindings survive a reopen of the data directory, the file naming codes as Kafka does', async (t) => {
  const dir = await dataDir(t);
  const store = AclStore.open(dir);
  await store.create([binding('orders', { operation: AclOperation.WRITE }), binding('logs.', { patternType: PREFIXED, permissionType: AclPermissionType.DENY }), binding('gone')]);
  await store.delete([filter({ resourceName: 'gone' })]);

  const text = await fs.readFile(path.join(dir, ACLS_FILE), 'utf8');
  assert.deepEqual(JSON.parse(text)[0], {
    resourceType: 'TOPIC',
    resourceName: 'orders',
    patternType: 'LITERAL',
    principal: 'User:alice',
    host: '*',
    operation: 'WRITE',
    permissionType: 'ALLOW',
  });
  const reopened = AclStore.open(dir);
  assert.deepEqual(reopened.describe(ALL_BINDINGS).bindings, store.describe(ALL_BINDINGS).bindings);
  assert.deepEqual(names(reopened.matching({ resourceType: TOPIC, name: 'logs.x' })), ['prefixed:logs.']);
  assert.equal(reopened.size, 2);
});

test('an ACL file that cannot be read stops the store from opening, with SLUICE_ERR_ACLS', async (t) => {
  const dir = await dataDir(t);
  const file = path.join(dir, ACLS_FILE);
  const stored = { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW' };
  for (const [content, message] of [
    ['[{"resourceType": ', /cannot read the ACL bindings/],
    ['{}', /not a JSON array/],
    [JSON.stringify([stored, { ...stored, operation: 'READS' }]), /binding 1: operation "READS" is none of/],
    [JSON.stringify([{ ...stored, principal: 7 }]), /binding 0: principal is not a string/],
    [JSON.stringify([{ ...stored, resourceType: 'CLUSTER', operation: 'ALTER' }]), /binding 0: the CLUSTER resource is named kafka-cluster/],
  ] as [string, RegExp][]) {
    await fs.writeFile(file, content);
    assert.throws(() => AclStore.open(dir), (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, 'SLUICE_ERR_ACLS');
      assert.match(err.message, message);
      assert.match(err.hint ?? '', /backup/);
      return true;
    });
  }
});
