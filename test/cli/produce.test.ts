// `sluice produce`: stdin lines become records, read back with
// `sluice consume` and compared byte for byte; keys land where Kafka's
// murmur2 partitioner puts them; every codec and acks level delivers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestBroker } from '../helpers/broker.js';
import { runCli } from '../helpers/cli.js';

test('keyed lines come back byte for byte through --format', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'keyed', '-p', '1', ...b])).code, 0);

  // Separator inside the value, an empty value, multi-byte UTF-8, CRLF line ends.
  const input = 'k1::v1:with:colons\nk2::\r\nkey three::wörld ✓\nk4::last line without newline';
  const produced = await runCli(['produce', 'keyed', '--key-separator', '::', '-H', 'src=cli', '-H', 'eq=a=b', ...b], { input });
  assert.equal(produced.code, 0, produced.stderr);
  assert.equal(produced.stdout, '');
  assert.match(produced.stderr, /^4 record\(s\) produced to 'keyed' in \d+\.\d\d s \(\d+ records\/s\)\n$/);

  const consumed = await runCli(['consume', 'keyed', '--from-beginning', '--max-messages', '4', '--format', '%t/%p/%o [%k] %v\\t%h %%', ...b]);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(
    consumed.stdout,
    'keyed/0/0 [k1] v1:with:colons\tsrc=cli,eq=a=b %\n' +
      'keyed/0/1 [k2] \tsrc=cli,eq=a=b %\n' +
      'keyed/0/2 [key three] wörld ✓\tsrc=cli,eq=a=b %\n' +
      'keyed/0/3 [k4] last line without newline\tsrc=cli,eq=a=b %\n',
  );
});

test('empty lines are records, the final newline is not (as kafka-console-producer)', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'lines', '-p', '1', ...b])).code, 0);

  const produced = await runCli(['produce', 'lines', ...b], { input: 'a\n\nb\n\n' });
  assert.equal(produced.code, 0, produced.stderr);
  assert.match(produced.stderr, /^4 record\(s\) produced/);

  const consumed = await runCli(['consume', 'lines', '--from-beginning', '-n', '4', '-f', '%o=[%v] key %k', ...b]);
  assert.equal(consumed.stdout, '0=[a] key null\n1=[] key null\n2=[b] key null\n3=[] key null\n');
  const d = JSON.parse((await runCli(['topic', 'describe', 'lines', '--json', ...b])).stdout);
  assert.equal(d.partitions[0].logEndOffset, 4);
});

test('keyed records land in the partition murmur2 picks, as the Java client does', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'hashed', '-p', '4', ...b])).code, 0);

  // murmur2 of each key from Kafka's UtilsTest.testMurmur2; partition = (hash & 0x7fffffff) % 4.
  const reference: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  const input = reference.map(([key], i) => `${key}\t${i}\n`).join('');
  assert.equal((await runCli(['produce', 'hashed', '-k', '\t', ...b], { input })).code, 0);

  for (let p = 0; p < 4; p++) {
    const expected = reference
      .map(([key, hash], i) => ({ key, i, partition: (hash & 0x7fffffff) % 4 }))
      .filter((r) => r.partition === p)
      .map((r) => `${r.key} ${r.i}\n`)
      .join('');
    const n = expected.split('\n').length - 1;
    assert.ok(n > 0, 'every partition gets a key in this data set');
    const consumed = await runCli(['consume', 'hashed', '--partition', String(p), '--from-beginning', '-n', String(n), '-f', '%k %v', ...b]);
    assert.equal(consumed.stdout, expected, `partition ${p}`);
  }
  const d = JSON.parse((await runCli(['topic', 'describe', 'hashed', '--json', ...b])).stdout);
  assert.deepEqual(
    d.partitions.map((p: { logEndOffset: number }) => p.logEndOffset),
    [2, 1, 1, 2],
  );
});

test('--partition, --acks and --compression: every codec and acks level delivers, in order', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'codecs', '-p', '3', ...b])).code, 0);

  const runs: [string, string][] = [
    ['none', 'all'],
    ['gzip', '1'],
    ['snappy', '0'],
    ['lz4', 'all'],
    ['zstd', '1'],
  ];
  let expected = '';
  for (const [codec, acks] of runs) {
    // Many lines with a tiny batch size: several requests per run, whose order must hold.
    const lines = Array.from({ length: 50 }, (_, i) => `${codec}-${i}`);
    const produced = await runCli(['produce', 'codecs', '--partition', '2', '--compression', codec, '--acks', acks, '--batch-size', '100', ...b], {
      input: lines.join('\n') + '\n',
    });
    assert.equal(produced.code, 0, produced.stderr);
    assert.match(produced.stderr, acks === '0' ? /^50 record\(s\) sent \(acks=0: not acknowledged\)/ : /^50 record\(s\) produced/);
    expected += lines.map((l) => l + '\n').join('');
  }
  const consumed = await runCli(['consume', 'codecs', '-p', '2', '--from-beginning', '-n', '250', ...b]);
  assert.equal(consumed.stdout, expected);
  const d = JSON.parse((await runCli(['topic', 'describe', 'codecs', '--json', ...b])).stdout);
  assert.deepEqual(
    d.partitions.map((p: { logEndOffset: number }) => p.logEndOffset),
    [0, 0, 250],
  );
});

test('produce errors: missing key separator, partition out of range, bad flag values', async (t) => {
  const { bootstrap } = await startTestBroker(t);
  const b = ['-b', bootstrap];
  assert.equal((await runCli(['topic', 'create', 'strict', '-p', '2', ...b])).code, 0);

  const noSep = await runCli(['produce', 'strict', '-k', ':', '-p', '0', ...b], { input: 'a:1\nb:2\nno separator\nc:3\n' });
  assert.equal(noSep.code, 1);
  assert.equal(noSep.stderr, 'error: line 3 has no key separator ":"; every line before it was sent\n');
  const consumed = await runCli(['consume', 'strict', '-p', '0', '--from-beginning', '-n', '2', '-f', '%k=%v', ...b]);
  assert.equal(consumed.stdout, 'a=1\nb=2\n');
  const d = JSON.parse((await runCli(['topic', 'describe', 'strict', '--json', ...b])).stdout);
  assert.equal(d.partitions[0].logEndOffset, 2, 'nothing after the bad line was sent');

  const noPartition = await runCli(['produce', 'strict', '-p', '2', ...b], { input: 'x\n' });
  assert.equal(noPartition.code, 1);
  assert.match(noPartition.stderr, /^error: topic 'strict' has 2 partition\(s\), 0 to 1; there is no partition 2\n/);

  for (const [flag, value, message] of [
    ['--acks', '2', /allowed: 0, 1, all, -1/],
    ['--compression', 'brotli', /allowed: none, gzip, snappy, lz4, zstd/],
    ['--key-separator', '', /must not be empty/],
    ['--header', 'novalue', /expected key=value/],
  ] as const) {
    const r = await runCli(['produce', 'strict', flag, value, ...b], { input: 'x\n' });
    assert.equal(r.code, 1, `${flag} ${value}`);
    assert.match(r.stderr, message);
  }
});
