// `sluice acl add|list|remove` against a broker: bindings added by the CLI
// (every combination of resources, principals and operations) are what the
// broker holds, listed as a table or JSON, narrowed by resource, pattern and
// principal, and removed exactly; wrong flags are refused with a message that
// lists what to give, before any request is sent; a binding the broker
// refuses is reported with its reason.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_BINDINGS, AclOperation, AclPatternType, AclPermissionType, AclResourceType } from '../../src/broker/acl/acl-binding.js';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from '../helpers/cli.js';

async function cli(...args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('bindings added with `sluice acl add` are held by the broker, listed, and removed exactly', async (t) => {
  const broker = await startTestBroker(t);
  const b = ['-b', broker.bootstrap];
  const added = await cli('acl', 'add', '--allow', 'User:alice', '--allow', 'User:bob', '--operation', 'read', '--operation', 'DESCRIBE', '--topic', 'orders', '--group', 'billing', ...b);
  assert.match(added, /TOPIC\s+orders\s+LITERAL\s+User:alice\s+\*\s+READ\s+ALLOW\s+ADDED/);
  await cli('acl', 'add', '--deny', 'User:*', '--host', '10.0.0.9', '--operation', 'Write', '--topic', 'logs.', '--pattern', 'Prefixed', ...b);
  await cli('acl', 'add', '--allow', 'User:app', '--operation', 'IdempotentWrite', '--cluster', ...b);
  await cli('acl', 'add', '--allow', 'User:app', '--operation', 'write', '--transactional-id', 'tx-1', ...b);

  const held = broker.acls.describe(ALL_BINDINGS).bindings;
  assert.equal(held.length, 2 * 2 * 2 + 3, 'two resources x two principals x two operations, and three more');
  assert.ok(held.some((x) => x.resourceType === AclResourceType.GROUP && x.resourceName === 'billing' && x.principal === 'User:bob' && x.operation === AclOperation.DESCRIBE));
  assert.ok(held.some((x) => x.patternType === AclPatternType.PREFIXED && x.host === '10.0.0.9' && x.permissionType === AclPermissionType.DENY));
  assert.ok(held.some((x) => x.resourceType === AclResourceType.CLUSTER && x.resourceName === 'kafka-cluster' && x.operation === AclOperation.IDEMPOTENT_WRITE));

  const table = await cli('acl', 'list', ...b);
  assert.match(table, /^RESOURCE TYPE\s+NAME\s+PATTERN\s+PRINCIPAL\s+HOST\s+OPERATION\s+PERMISSION\n/);
  assert.equal(table.trim().split('\n').length, 1 + held.length);
  assert.match(table, /TOPIC\s+logs\.\s+PREFIXED\s+User:\*\s+10\.0\.0\.9\s+WRITE\s+DENY/);
  assert.match(table, /TRANSACTIONAL_ID\s+tx-1\s+LITERAL\s+User:app\s+\*\s+WRITE\s+ALLOW/);

  const applying = JSON.parse(await cli('acl', 'list', '--topic', 'logs.app', '--pattern', 'match', '--json', ...b));
  assert.deepEqual(applying, [{ resourceType: 'TOPIC', resourceName: 'logs.', patternType: 'PREFIXED', principal: 'User:*', host: '10.0.0.9', operation: 'WRITE', permissionType: 'DENY' }]);
  const bobs = JSON.parse(await cli('acl', 'list', '--topic', 'orders', '--group', 'billing', '--principal', 'User:bob', '--json', ...b));
  assert.deepEqual(bobs.map((x: { resourceName: string; operation: string }) => `${x.resourceName} ${x.operation}`).sort(), ['billing DESCRIBE', 'billing READ', 'orders DESCRIBE', 'orders READ']);

  const removed = await cli('acl', 'remove', '--allow', 'User:alice', '--operation', 'Read', '--topic', 'orders', '--topic', 'nothing', ...b);
  assert.match(removed, /TOPIC\s+orders\s+LITERAL\s+User:alice\s+\*\s+READ\s+ALLOW\s+REMOVED/);
  assert.match(removed, /TOPIC\s+nothing\s+LITERAL\s+User:alice\s+\*\s+READ\s+ALLOW\s+NOT FOUND/);
  const left = broker.acls.describe(ALL_BINDINGS).bindings;
  assert.equal(left.length, held.length - 1);
  assert.ok(!left.some((x) => x.resourceName === 'orders' && x.principal === 'User:alice' && x.operation === AclOperation.READ));
  assert.ok(left.some((x) => x.resourceName === 'orders' && x.principal === 'User:alice' && x.operation === AclOperation.DESCRIBE), 'the same resource and principal with another operation stays');
});

test('wrong acl flags are refused with what to give', async () => {
  const refusals: [string[], RegExp][] = [
    [['acl', 'add', '--allow', 'User:a', '--operation', 'read'], /name a resource with --topic, --group, --cluster or --transactional-id/],
    [['acl', 'add', '--operation', 'read', '--topic', 't'], /name a principal with --allow or --deny/],
    [['acl', 'remove', '--allow', 'User:a', '--topic', 't'], /name an operation with --operation: All, Read, Write/],
    [['acl', 'add', '--allow', 'User:a', '--operation', 'reed', '--topic', 't'], /--operation.*one of All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, .*\(in any case\)/],
    [['acl', 'add', '--allow', 'User:a', '--operation', 'any', '--topic', 't'], /--operation.*one of All, Read/],
    [['acl', 'add', '--allow', 'User:a', '--operation', 'CreateTokens', '--topic', 't'], /--operation.*one of All, Read, .*IdempotentWrite \(in any case\)/],
    [['acl', 'add', '--allow', 'User:a', '--operation', 'read', '--topic', 't', '--pattern', 'match'], /--pattern.*one of Literal, Prefixed/],
    [['acl', 'list', '--pattern', 'glob'], /--pattern.*one of Any, Match, Literal, Prefixed/],
  ];
  for (const [args, message] of refusals) {
    const r = await runCli([...args, '-b', '127.0.0.1:1']);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('a binding the broker refuses is reported with its reason', async (t) => {
  const broker = await startTestBroker(t);
  const r = await runCli(['acl', 'add', '--allow', 'alice', '--operation', 'read', '--topic', 'orders', '-b', broker.bootstrap]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /INVALID_REQUEST.*invalid principal 'alice': expected User:<name>/);
  const clusterRead = await runCli(['acl', 'add', '--allow', 'User:a', '--operation', 'read', '--cluster', '-b', broker.bootstrap]);
  assert.equal(clusterRead.code, 1);
  assert.match(clusterRead.stderr, /operation READ is not one of the resource type CLUSTER's/);
  assert.equal(broker.acls.size, 0);
});
