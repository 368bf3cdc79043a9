// `sluice consume`: where it starts (end by default, --from-beginning,
// --offset, --from-time), following new records, --json, and a clean exit on
// --max-messages and on Ctrl-C. The stderr line "consuming ..." is printed
// once the start offsets are fixed; tests wait for it before producing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestBroker } from '../helpers/broker.js';
import { runCli, startCli } from '../helpers/cli.js';

const READY = /^consuming '.*'.*Ctrl-C to stop\n/m;

async function produce(bootstrap: string, topic: string, input: string, ...flags: string[]): Promise<void> {
  const r = await runCli(['produce', topic, '-b', bootstrap, ...flags], { input });
  assert.equal(r.code, 0, r.stderr);
}

test('by default consume starts at the end and follows new records of every partition', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  assert.equal((await runCli(['topic', 'create', 'tail', '-p', '2', '-b', bootstrap])).code, 0);
  await produce(bootstrap, 'tail', 'old-0\n', '-p', '0');
  await produce(bootstrap, 'tail', 'old-1\n', '-p', '1');

  const consumer = startCli(t, ['consume', 'tail', '-n', '2', '-f', '%p:%o:%v', '-b', bootstrap]);
  await consumer.waitForStderr(READY);
  assert.match(consumer.stderr(), /from partition:offset 0:1 1:1;/);
  await produce(bootstrap, 'tail', 'new-1\n', '-p', '1');
  await produce(bootstrap, 'tail', 'new-0\n', '-p', '0');

  const r = await consumer.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').sort(), ['', '0:1:new-0', '1:1:new-1']);
});

test('Ctrl-C (SIGINT) stops a following consumer with exit code 0 and complete output', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  assert.equal((await runCli(['topic', 'create', 'follow', '-b', bootstrap])).code, 0);
  await produce(bootstrap, 'follow', 'one\ntwo\n');

  const consumer = startCli(t, ['consume', 'follow', '--from-beginning', '-b', bootstrap]);
  await consumer.waitForStdout(/^one\ntwo\n$/);
  consumer.child.kill('SIGINT');
  const r = await consumer.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.signal, null);
  assert.equal(r.stdout, 'one\ntwo\n');
});

test('--offset starts a partition at that offset; outside the log or without --partition it is an error', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'offsets', '-p', '2', ...b])).code, 0);
  await produce(bootstrap, 'offsets', 'a\nb\nc\nd\ne\n', '-p', '1');

  const r = await runCli(['consume', 'offsets', '--partition', '1', '--offset', '3', '-n', '2', '-f', '%o %v', ...b]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '3 d\n4 e\n');

  const beyond = await runCli(['consume', 'offsets', '-p', '1', '--offset', '6', ...b]);
  assert.equal(beyond.code, 1);
  assert.equal(beyond.stderr, 'error: --offset 6 is outside offsets-1, which holds offsets 0 to 5 (log end)\n');

  const alone = await runCli(['consume', 'offsets', '--offset', '1', ...b]);
  assert.equal(alone.code, 1);
  assert.match(alone.stderr, /^error: --offset needs --partition/);

  const both = await runCli(['consume', 'offsets', '-p', '1', '--offset', '1', '--from-beginning', ...b]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /cannot be used with/);
});

test('--from-time starts at the first record at or after that time', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'timed', '-p', '2', ...b])).code, 0);
  await produce(bootstrap, 'timed', 'k1:early-1\nk2:early-2\nk3:early-3\n', '-k', ':');

  // The cut is one ms after the newest early record, read back from the broker
  // rather than from this process's clock, so no early record can share it.
  const early = await runCli(['consume', 'timed', '--from-beginning', '-n', '3', '-f', '%T', ...b]);
  const cut = Math.max(...early.stdout.trim().split('\n').map(Number)) + 1;
  await produce(bootstrap, 'timed', 'k1:late-1\nk2:late-2\nk3:late-3\n', '-k', ':');

  const r = await runCli(['consume', 'timed', '--from-time', new Date(cut).toISOString(), '-n', '3', '-f', '%k=%v', ...b]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['k1=late-1', 'k2=late-2', 'k3=late-3']);

  // Milliseconds since the epoch work too.
  const ms = await runCli(['consume', 'timed', '--from-time', String(cut), '-n', '3', '-f', '%v', ...b]);
  assert.deepEqual(ms.stdout.trim().split('\n').sort(), ['late-1', 'late-2', 'late-3']);

  const bad = await runCli(['consume', 'timed', '--from-time', 'yesterday', ...b]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /expected an ISO 8601 time/);
});

test('--from-time after the newest record starts at the end', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  assert.equal((await runCli(['topic', 'create', 'future', '-b', bootstrap])).code, 0);
  await produce(bootstrap, 'future', 'before\n');

  const consumer = startCli(t, ['consume', 'future', '--from-time', '2999-01-01T00:00:00Z', '-n', '1', '-b', bootstrap]);
  await consumer.waitForStderr(READY);
  assert.match(consumer.stderr(), /from partition:offset 0:1;/);
  await produce(bootstrap, 'future', 'after\n');
  const r = await consumer.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'after\n');
});

test('--json prints one parseable object per record', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  assert.equal((await runCli(['topic', 'create', 'json', '-b', bootstrap])).code, 0);
  await produce(bootstrap, 'json', 'k:{"nested": "quote\\"d"}\n:\n', '-k', ':', '-H', 'h=1');

  const r = await runCli(['consume', 'json', '--from-beginning', '-n', '2', '--json', '-b', bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  const records = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(records.length, 2);
  for (const record of records) assert.equal(typeof record.timestamp, 'number');
  const headers = [{ key: 'h', value: '1' }];
  assert.deepEqual(
    records.map((record) => ({ ...record, timestamp: 0 })),
    [
      { topic: 'json', partition: 0, offset: 0, timestamp: 0, key: 'k', value: '{"nested": "quote\\"d"}', headers },
      { topic: 'json', partition: 0, offset: 1, timestamp: 0, key: '', value: '', headers },
    ],
  );
});

test('consume errors: unknown topic, missing partition, bad format', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  const unknown = await runCli(['consume', 'nope', ...b]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, "error: topic 'nope': UNKNOWN_TOPIC_OR_PARTITION\n");

  assert.equal((await runCli(['topic', 'create', 'one', ...b])).code, 0);
  const partition = await runCli(['consume', 'one', '-p', '1', ...b]);
  assert.equal(partition.code, 1);
  assert.match(partition.stderr, /^error: topic 'one' has 1 partition\(s\), 0 to 0; there is no partition 1\n/);

  const format = await runCli(['consume', 'one', '-f', '%v %q', ...b]);
  assert.equal(format.code, 1);
  assert.match(format.stderr, /unknown %q at position 3/);

  const both = await runCli(['consume', 'one', '-f', '%v', '--json', ...b]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /cannot be used with/);
});
