// `sluice log verify|truncate-corrupt` on a data directory written by FileLog,
// with one byte flipped inside a batch: verify lists that batch with its
// partition and offset range, exits 1 and changes nothing; truncate-corrupt
// cuts the log there only when asked, says so, and the log opens at the cut.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FileLog } from '../../src/storage/file-log.js';
import { runCli } from '../helpers/cli.js';
import { makeBatch, openFileLog, recordsIn, tempDir, testConfig } from '../storage/log-test-helpers.js';

const config = testConfig({ segmentMs: Number.MAX_SAFE_INTEGER });

/** `orders-0` with a corrupt batch at offsets 6-8 (of 0-14), `orders-1` intact. */
async function dataDirWithCorruption(dataDir: string): Promise<string> {
  for (const partition of [0, 1]) {
    const log = await FileLog.open(path.join(dataDir, `orders-${partition}`), config);
    for (let i = 0; i < 5; i++) log.append(makeBatch(3, { tag: `p${partition}b${i}` }), 0);
    await log.close();
  }
  const segment = path.join(dataDir, 'orders-0', '00000000000000000000.log');
  const bytes = fs.readFileSync(segment);
  const third = 2 * makeBatch(3, { tag: 'p0b0' }).length;
  bytes[third + 64] ^= 0xff;
  fs.writeFileSync(segment, bytes);
  return segment;
}

test('log verify lists a corrupt batch with its partition and offset range, exits 1 and changes no file', async (t) => {
  const dataDir = tempDir(t);
  const segment = await dataDirWithCorruption(dataDir);
  const before = fs.readFileSync(segment);

  const r = await runCli(['log', 'verify', '--data-dir', dataDir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^TOPIC\s+PARTITION\s+OFFSETS/);
  const rows = r.stdout.trim().split('\n').slice(1);
  assert.equal(rows.length, 1);
  assert.match(rows[0], /^orders\s+0\s+6-8\s/);

  const json = await runCli(['log', 'verify', '--data-dir', dataDir, '--json']);
  assert.deepEqual(
    JSON.parse(json.stdout).map((f: { topic: string; partition: number; baseOffset: number; lastOffset: number }) => [f.topic, f.partition, f.baseOffset, f.lastOffset]),
    [['orders', 0, 6, 8]],
  );
  const intact = await runCli(['log', 'verify', '--data-dir', dataDir, '--topic', 'orders', '--partition', '1']);
  assert.equal(intact.code, 0);
  assert.equal(intact.stdout, 'no corrupt batches\n');
  assert.deepEqual(fs.readFileSync(segment), before);
});

test('log truncate-corrupt cuts the log at the first corrupt batch and says what it cut; the log opens there', async (t) => {
  const dataDir = tempDir(t);
  await dataDirWithCorruption(dataDir);

  const r = await runCli(['log', 'truncate-corrupt', '--data-dir', dataDir, '--topic', 'orders', '--partition', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^orders-0: cut at offset 6 \(the log now ends there\): \d+ bytes of .*00000000000000000000\.log\n$/);
  assert.equal((await runCli(['log', 'verify', '--data-dir', dataDir])).code, 0);
  const again = await runCli(['log', 'truncate-corrupt', '--data-dir', dataDir, '--topic', 'orders', '--partition', '0']);
  assert.equal(again.stdout, 'orders-0: no corrupt batches, nothing cut\n');

  const log = await openFileLog(t, path.join(dataDir, 'orders-0'), config);
  assert.equal(log.logEndOffset, 6);
  assert.equal(recordsIn(log.read(0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).length, 6);
  const missing = await runCli(['log', 'truncate-corrupt', '--data-dir', dataDir, '--topic', 'orders', '--partition', '7']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no partition orders-7/);
});
