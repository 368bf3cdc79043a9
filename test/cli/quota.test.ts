// `sluice quota set|list|remove` against a broker: quotas set by the CLI are
// what the broker holds (and what a kafkajs producer under them is throttled
// by is tested in test/server/quota-throttling.test.ts); wrong flags are
// refused with a message that says what to give, before any request is sent.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startTestBroker } from '../helpers/broker.js';

async function cli(...args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('quotas set with `sluice quota set` are listed, held by the broker, and removed', async (t) => {
  const broker = await startTestBroker(t);
  const b = ['-b', broker.bootstrap];
  await cli('quota', 'set', '--user', 'alice', '--producer-byte-rate', '1048576', ...b);
  await cli('quota', 'set', '--user', 'alice', '--default', 'client-id', '--consumer-byte-rate', '2048', '--request-percentage', '12.5', ...b);
  await cli('quota', 'set', '--default', 'ip', '--connection-creation-rate', '10', ...b);
  assert.match(await cli('quota', 'set', '--client-id', 'app', '--producer-byte-rate', '5', '--validate-only', ...b), /VALID/);
  assert.equal(broker.quotas.quotas.get({ 'client-id': 'app' }), undefined, 'validate-only kept nothing');
  assert.deepEqual(broker.quotas.quotas.get({ user: 'alice', 'client-id': null }), { consumer_byte_rate: 2048, request_percentage: 12.5 });

  const table = await cli('quota', 'list', ...b);
  assert.match(table, /user=alice\s+producer_byte_rate\s+1048576/);
  assert.match(table, /user=alice,client-id=<default>\s+consumer_byte_rate\s+2048/);
  assert.match(table, /ip=<default>\s+connection_creation_rate\s+10/);
  const alice = JSON.parse(await cli('quota', 'list', '--user', 'alice', '--strict', '--json', ...b));
  assert.deepEqual(alice, [{ entity: { user: 'alice' }, values: { producer_byte_rate: 1048576 } }]);

  await cli('quota', 'remove', '--user', 'alice', '--default', 'client-id', '--quota', 'request_percentage', ...b);
  assert.deepEqual(broker.quotas.quotas.get({ user: 'alice', 'client-id': null }), { consumer_byte_rate: 2048 });
  assert.match(await cli('quota', 'remove', '--user', 'alice', ...b), /producer_byte_rate\s+REMOVED/);
  assert.equal(broker.quotas.quotas.get({ user: 'alice' }), undefined);
});

test('wrong quota flags are refused with what to give', async () => {
  const refusals: [string[], RegExp][] = [
    [['quota', 'set', '--producer-byte-rate', '5'], /name an entity with --user, --client-id, --ip or --default <type>/],
    [['quota', 'set', '--user', 'alice'], /give at least one of --producer-byte-rate/],
    [['quota', 'set', '--user', 'alice', '--producer-byte-rate', '-3'], /--producer-byte-rate.*must be a number above 0/],
    [['quota', 'set', '--user', 'alice', '--default', 'group', '--producer-byte-rate', '3'], /--default.*one of user, client-id, ip/],
    [['quota', 'set', '--user', 'alice', '--default', 'user', '--producer-byte-rate', '3'], /--user and --default user name two user entities/],
    [['quota', 'set', '--ip', '10.0.0.1', '--user', 'alice', '--connection-creation-rate', '3'], /an ip quota stands alone/],
  ];
  for (const [args, message] of refusals) {
    const r = await runCli([...args, '-b', '127.0.0.1:1']);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('a quota the broker refuses is reported with its reason', async (t) => {
  const broker = await startTestBroker(t);
  const r = await runCli(['quota', 'set', '--user', 'alice', '--connection-creation-rate', '3', '-b', broker.bootstrap]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid configuration key connection_creation_rate/);
});
