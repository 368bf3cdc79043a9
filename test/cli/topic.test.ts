// `sluice topic`: create, list, describe, alter and delete against a real broker,
// as tables and as JSON, and the errors a user meets first (bad name, bad
// partition count, no broker).

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from '../helpers/cli.js';

test('topic create, list, describe and delete round trip, as tables', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];

  const created = await runCli(['topic', 'create', 'orders', '-p', '3', '-c', 'retention.ms=3600000', '--config', 'cleanup.policy=compact', ...b]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, 'TOPIC   STATUS\norders  OK\n');
  assert.equal((await runCli(['topic', 'create', 'audit', ...b])).code, 0);

  const list = await runCli(['topic', 'list', ...b]);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout, 'NAME    PARTITIONS  REPLICAS\naudit   1           1\norders  3           1\n');

  const described = await runCli(['topic', 'describe', 'orders', ...b]);
  assert.equal(described.code, 0, described.stderr);
  const partitions = described.stdout.split('PARTITIONS\n==========\n')[1].split('\n\n')[0];
  assert.equal(
    partitions,
    'PARTITION  LEADER  EPOCH  REPLICAS  ISR  LOG-START-OFFSET  LOG-END-OFFSET\n' +
      '0          0       0      [0]       [0]  0                 0\n' +
      '1          0       0      [0]       [0]  0                 0\n' +
      '2          0       0      [0]       [0]  0                 0',
  );
  assert.match(described.stdout, /^SUMMARY\n=======\nNAME {8}orders\nID {10}\S{22}\nPARTITIONS {2}3\n/);
  assert.match(described.stdout, /\nCONFIGS\n=======\nKEY +VALUE +SOURCE\n/);
  assert.match(described.stdout, /\ncleanup\.policy +compact +DYNAMIC_TOPIC_CONFIG\n/);
  assert.match(described.stdout, /\nretention\.ms +3600000 +DYNAMIC_TOPIC_CONFIG\n/);
  assert.match(described.stdout, /\nsegment\.bytes +\d+ +DEFAULT_CONFIG\n/);

  const deleted = await runCli(['topic', 'delete', 'orders', ...b]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, 'TOPIC   STATUS\norders  OK\n');
  assert.equal((await runCli(['topic', 'list', ...b])).stdout, 'NAME   PARTITIONS  REPLICAS\naudit  1           1\n');

  const gone = await runCli(['topic', 'describe', 'orders', ...b]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
});

test('topic commands print JSON with --json', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap, '--json'];

  const created = await runCli(['topic', 'create', 'events', '-p', '2', '-c', 'retention.ms=60000', ...b]);
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual(JSON.parse(created.stdout), { topic: 'events', status: 'OK' });

  assert.deepEqual(JSON.parse((await runCli(['topic', 'list', ...b])).stdout), [{ name: 'events', partitions: 2, replicas: 1, internal: false }]);

  const produced = await runCli(['produce', 'events', '-p', '1', '-b', bootstrap], { input: 'a\nb\n' });
  assert.equal(produced.code, 0, produced.stderr);

  const d = JSON.parse((await runCli(['topic', 'describe', 'events', ...b])).stdout);
  assert.equal(d.name, 'events');
  assert.match(d.topicId, /^[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(
    d.partitions.map((p: { partition: number; leader: number; logStartOffset: number; logEndOffset: number }) => [p.partition, p.leader, p.logStartOffset, p.logEndOffset]),
    [
      [0, 0, 0, 0],
      [1, 0, 0, 2],
    ],
  );
  assert.deepEqual(
    d.configs.find((c: { name: string }) => c.name === 'retention.ms'),
    { name: 'retention.ms', value: '60000', source: 'DYNAMIC_TOPIC_CONFIG' },
  );

  assert.deepEqual(JSON.parse((await runCli(['topic', 'delete', 'events', ...b])).stdout), { topic: 'events', status: 'OK' });
  assert.deepEqual(JSON.parse((await runCli(['topic', 'list', ...b])).stdout), []);
});

test('topic alter sets and deletes configs, and describe shows where each value comes from', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'prices', '-c', 'retention.ms=3600000', ...b])).code, 0);

  const altered = await runCli(['topic', 'alter', 'prices', '-c', 'cleanup.policy=compact', '--config', 'max.message.bytes=65536', '-d', 'retention.ms', ...b]);
  assert.equal(altered.code, 0, altered.stderr);
  assert.equal(altered.stdout, 'TOPIC   STATUS\nprices  OK\n');
  const configs = JSON.parse((await runCli(['topic', 'describe', 'prices', ...b, '--json'])).stdout).configs as { name: string; value: string; source: string }[];
  const pick = (name: string) => configs.find((c) => c.name === name);
  assert.deepEqual(pick('cleanup.policy'), { name: 'cleanup.policy', value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG' });
  assert.deepEqual(pick('max.message.bytes'), { name: 'max.message.bytes', value: '65536', source: 'DYNAMIC_TOPIC_CONFIG' });
  assert.deepEqual(pick('retention.ms'), { name: 'retention.ms', value: '604800000', source: 'DEFAULT_CONFIG' });

  const unknown = await runCli(['topic', 'alter', 'prices', '-c', 'retention.hours=1', ...b]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^error: alter configs of topic 'prices': INVALID_CONFIG \(unknown topic config "retention.hours"\)/);
  const nothing = await runCli(['topic', 'alter', 'prices', ...b]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /give at least one --config or --delete-config/);
  const missing = await runCli(['topic', 'alter', 'no-such', '-c', 'retention.ms=1', ...b]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
});

test('a bad topic name or partition count is a clear error with exit code 1', async (t) => {
  const { bootstrap } = await startTestBroker(t);

  const badName = await runCli(['topic', 'create', 'no spaces', '-b', bootstrap]);
  assert.equal(badName.code, 1);
  assert.equal(badName.stdout, '');
  assert.match(badName.stderr, /^error: create topic 'no spaces': INVALID_TOPIC_EXCEPTION \(topic name "no spaces" has characters other than/);

  const negative = await runCli(['topic', 'create', 'ok', '--partitions', '-2', '-b', bootstrap]);
  assert.equal(negative.code, 1);
  assert.match(negative.stderr, /^error: option '-p, --partitions <n>' argument '-2' is invalid\. must be an integer of 1 or more\./);

  const notANumber = await runCli(['topic', 'create', 'ok', '-p', 'three', '-b', bootstrap]);
  assert.equal(notANumber.code, 1);
  assert.match(notANumber.stderr, /argument 'three' is invalid/);

  const badConfig = await runCli(['topic', 'create', 'ok', '-c', 'retention.ms', '-b', bootstrap]);
  assert.equal(badConfig.code, 1);
  assert.match(badConfig.stderr, /expected key=value, got "retention.ms"/);

  const twice = await runCli(['topic', 'create', 'ok', '-b', bootstrap]);
  assert.equal(twice.code, 0, twice.stderr);
  const again = await runCli(['topic', 'create', 'ok', '-b', bootstrap]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /TOPIC_ALREADY_EXISTS/);

  // None of the refused creations left a topic behind.
  assert.equal((await runCli(['topic', 'list', '-b', bootstrap])).stdout, 'NAME  PARTITIONS  REPLICAS\nok    1           1\n');
});

test('an unreachable broker or a malformed --bootstrap is a clear error with exit code 1', async () => {
  // A port that was free a moment ago: nothing listens there.
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));

  const refused = await runCli(['topic', 'list', '-b', `127.0.0.1:${port}`]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `error: cannot connect to 127.0.0.1:${port} (ECONNREFUSED); is the broker running?\n`);

  const fromEnv = await runCli(['topic', 'list'], { env: { SLUICE_BOOTSTRAP: `127.0.0.1:${port}` } });
  assert.equal(fromEnv.code, 1);
  assert.match(fromEnv.stderr, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}`));

  const malformed = await runCli(['topic', 'list', '-b', 'localhost']);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /^error: option '-b, --bootstrap <host:port,\.\.\.>' argument 'localhost' is invalid\. bootstrap address must look like host:port/);
});

test('SLUICE_BOOTSTRAP names the broker when --bootstrap is not given', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const created = await runCli(['topic', 'create', 'via-env'], { env: { SLUICE_BOOTSTRAP: bootstrap } });
  assert.equal(created.code, 0, created.stderr);
  assert.match((await runCli(['topic', 'list', '-b', bootstrap])).stdout, /\nvia-env +1 +1\n/);
});
