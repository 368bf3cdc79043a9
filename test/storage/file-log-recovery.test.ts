// Recovery at open: what a crash can leave in a partition directory, and what
// the log must make of it. A crash is reproduced by its on-disk result: the log
// is closed, its clean-shutdown marker removed, and its files damaged the way a
// torn write or bad sector would.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FileLog } from '../../src/storage/file-log.js';
import type { LogConfig } from '../../src/storage/partition-log.js';
import { makeBatch, openFileLog, recordingLogger, recordsIn, summarize, tempDir, testConfig } from './log-test-helpers.js';

const ALL = Number.MAX_SAFE_INTEGER;
const FIRST_SEGMENT = '00000000000000000000.log';

/** Writes five 3-record batches (values t<i>-<j>) and closes; returns their sizes. */
async function writeFiveBatches(dir: string, config: LogConfig): Promise<number[]> {
  const log = await FileLog.open(dir, config);
  const sizes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const batch = makeBatch(3, { tag: `t${i}`, timestamp: 1_000 * (i + 1) });
    log.append(batch, 0);
    sizes.push(batch.length);
  }
  await log.close();
  return sizes;
}

function simulateCrash(dir: string): void {
  fs.rmSync(path.join(dir, '.clean-shutdown'));
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Checks that every offset of the log reads back from the batch holding it. */
function assertReadsEverywhere(log: FileLog): void {
  for (let offset = log.logStartOffset; offset < log.logEndOffset; offset++) {
    const first = summarize(log.read(offset, 1, ALL))[0];
    assert.ok(first.baseOffset <= offset && offset <= first.lastOffset, `offset ${offset}`);
  }
}

test('a segment whose tail was torn mid-batch is cut at the last whole batch', async (t) => {
  const dir = tempDir(t);
  // An index entry at every batch, so the stale index points past the cut.
  const config = testConfig({ indexIntervalBytes: 1 });
  const sizes = await writeFiveBatches(dir, config);
  simulateCrash(dir);
  const torn = sum(sizes) - Math.floor(sizes[4] / 2);
  fs.truncateSync(path.join(dir, FIRST_SEGMENT), torn);

  const logger = recordingLogger();
  const log = await openFileLog(t, dir, config, logger);
  assert.equal(log.logEndOffset, 12);
  assert.equal(fs.statSync(path.join(dir, FIRST_SEGMENT)).size, sum(sizes.slice(0, 4)));
  const cut = logger.events.filter((e) => e.level === 'warn');
  assert.equal(cut.length, 1);
  assert.equal(cut[0].fields.cutBytes, torn - sum(sizes.slice(0, 4)));
  assert.deepEqual(
    recordsIn(log.read(0, ALL, ALL)).map((r) => r.value).filter((v) => v.endsWith('-0')),
    ['t0-0', 't1-0', 't2-0', 't3-0'],
  );
  assertReadsEverywhere(log);
  assert.equal(log.findByTimestamp(4_500), null, 'the cut batch is not found by time either');

  assert.deepEqual(log.append(makeBatch(2, { tag: 'after' }), 0), { baseOffset: 12, lastOffset: 13 });
  assert.deepEqual(recordsIn(log.read(12, ALL, ALL)).map((r) => r.value), ['after-0', 'after-1']);
  await log.close();

  const quiet = recordingLogger();
  const reopened = await openFileLog(t, dir, config, quiet);
  assert.deepEqual(quiet.events, [], 'the rewritten indexes are consistent');
  assert.equal(reopened.logEndOffset, 14);
  assertReadsEverywhere(reopened);
});

test('after a crash, a flipped byte in the last batch of the active segment is cut as a torn write', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ indexIntervalBytes: 1 });
  const sizes = await writeFiveBatches(dir, config);
  simulateCrash(dir);
  const file = path.join(dir, FIRST_SEGMENT);
  const bytes = fs.readFileSync(file);
  bytes[sum(sizes.slice(0, 4)) + 64] ^= 0xff; // inside the records, covered by the CRC
  fs.writeFileSync(file, bytes);

  const logger = recordingLogger();
  const log = await openFileLog(t, dir, config, logger);
  assert.equal(log.logEndOffset, 12);
  assert.equal(log.sizeBytes, sum(sizes.slice(0, 4)));
  assert.deepEqual(log.corruptRanges(), []);
  const warns = logger.events.filter((e) => e.level === 'warn');
  assert.equal(warns.length, 1);
  assert.match(String(warns[0].fields.reason), /CRC/);
  assert.equal(warns[0].fields.cutBytes, sizes[4]);
  assert.equal(recordsIn(log.read(0, ALL, ALL)).length, 12);
  assert.deepEqual(log.append(makeBatch(1), 0), { baseOffset: 12, lastOffset: 12 });
});

test('zeros after the last batch (a preallocated or half-flushed tail) are cut', async (t) => {
  const dir = tempDir(t);
  const config = testConfig();
  const sizes = await writeFiveBatches(dir, config);
  simulateCrash(dir);
  fs.appendFileSync(path.join(dir, FIRST_SEGMENT), Buffer.alloc(4096));
  const log = await openFileLog(t, dir, config);
  assert.equal(log.logEndOffset, 15);
  assert.equal(log.sizeBytes, sum(sizes));
});

test('missing or malformed index files are rebuilt from the .log, identical to the originals', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ segmentBytes: 700, indexIntervalBytes: 150 });
  const log = await FileLog.open(dir, config);
  for (let i = 0; i < 20; i++) log.append(makeBatch(1 + (i % 3), { tag: `i${i}`, timestamp: 10_000 + 100 * i - (i % 4 === 3 ? 250 : 0) }), 0);
  const probes = [0, 9_000, 10_050, 10_777, 11_111, 11_900, 12_000];
  const expected = { found: probes.map((ts) => log.findByTimestamp(ts)), max: log.maxTimestamp(), end: log.logEndOffset };
  await log.close();

  const indexNames = fs.readdirSync(dir).filter((n) => n.endsWith('index')).sort();
  assert.ok(indexNames.length >= 6, 'several segments');
  const originals = new Map(indexNames.map((n) => [n, fs.readFileSync(path.join(dir, n))]));
  assert.ok([...originals.values()].some((b) => b.length > 0), 'the index files hold entries');
  for (const n of indexNames.filter((n) => n.endsWith('.index'))) fs.rmSync(path.join(dir, n));
  fs.truncateSync(path.join(dir, indexNames.find((n) => n.endsWith('.timeindex'))!), 5);

  const logger = recordingLogger();
  const rebuilt = await FileLog.open(dir, config, logger);
  // The active segment's indexes are rebuilt at every open anyway, so only the closed ones are reported.
  assert.equal(logger.events.filter((e) => e.level === 'info').length, indexNames.length / 2 - 1, 'one rebuild per closed segment');
  assert.equal(logger.events.filter((e) => e.level === 'warn').length, 0, 'nothing cut');
  assert.equal(rebuilt.logEndOffset, expected.end);
  assert.deepEqual(rebuilt.maxTimestamp(), expected.max);
  assert.deepEqual(probes.map((ts) => rebuilt.findByTimestamp(ts)), expected.found);
  assertReadsEverywhere(rebuilt);
  await rebuilt.close();
  for (const [name, bytes] of originals) assert.deepEqual(fs.readFileSync(path.join(dir, name)), bytes, name);
});

test('a torn older segment is cut and the newer segments removed, keeping the log contiguous', async (t) => {
  const dir = tempDir(t);
  const batchBytes = makeBatch(1, { tag: 'x' }).length;
  const config = testConfig({ segmentBytes: batchBytes * 2 });
  const log = await FileLog.open(dir, config);
  for (let i = 0; i < 6; i++) log.append(makeBatch(1, { tag: 'x' }), 0); // segments 0, 2, 4
  await log.close();
  simulateCrash(dir);
  fs.truncateSync(path.join(dir, '00000000000000000002.log'), batchBytes * 2 - 10);

  const logger = recordingLogger();
  const reopened = await openFileLog(t, dir, config, logger);
  assert.equal(reopened.logEndOffset, 3);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort(), [FIRST_SEGMENT, '00000000000000000002.log']);
  assert.ok(!fs.existsSync(path.join(dir, '00000000000000000004.index')));
  assert.equal(logger.events.filter((e) => e.level === 'warn').length, 2, 'the cut and the removal');
  assert.deepEqual(reopened.append(makeBatch(1), 0), { baseOffset: 3, lastOffset: 3 });
});
