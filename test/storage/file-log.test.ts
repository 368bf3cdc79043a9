// FileLog beyond the shared contract: what is on disk, and what survives a
// close or a crash.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FileLog } from '../../src/storage/file-log.js';
import { makeBatch, openFileLog, recordingLogger, recordsIn, summarize, tempDir, testConfig } from './log-test-helpers.js';

const ALL = Number.MAX_SAFE_INTEGER;
const BATCH_BYTES = makeBatch(1, { tag: 'x' }).length;

/** Every byte of the log, read the way a consumer does: one read per segment. */
function readAll(log: FileLog): Buffer {
  const chunks: Buffer[] = [];
  for (let next = log.logStartOffset; next < log.logEndOffset; ) {
    const chunk = log.read(next, ALL, ALL);
    chunks.push(chunk);
    const batches = summarize(chunk);
    next = batches[batches.length - 1].lastOffset + 1;
  }
  return Buffer.concat(chunks);
}

function logFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
}

test('data, offsets and timestamps survive close and reopen', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ segmentBytes: 400, indexIntervalBytes: 50 });
  const log = await FileLog.open(dir, config);
  for (let i = 0; i < 10; i++) log.append(makeBatch(1 + (i % 3), { tag: `v${i}`, timestamp: 1_000 * (i + 1) }), 3);
  const before = { end: log.logEndOffset, size: log.sizeBytes, all: readAll(log), max: log.maxTimestamp(), at: log.findByTimestamp(4_500) };
  assert.ok(log.segmentCount > 2);
  await log.close();
  assert.ok(fs.existsSync(path.join(dir, '.clean-shutdown')));

  const logger = recordingLogger();
  const reopened = await openFileLog(t, dir, config, logger);
  assert.ok(!fs.existsSync(path.join(dir, '.clean-shutdown')), 'the marker is taken at open');
  assert.deepEqual(logger.events, [], 'a clean reopen neither cuts nor rebuilds');
  assert.equal(reopened.logEndOffset, before.end);
  assert.equal(reopened.sizeBytes, before.size);
  assert.deepEqual(reopened.maxTimestamp(), before.max);
  assert.deepEqual(reopened.findByTimestamp(4_500), before.at);
  assert.deepEqual(readAll(reopened), before.all);
  assert.equal(before.all.length, before.size);
  assert.deepEqual(reopened.append(makeBatch(2), 3), { baseOffset: before.end, lastOffset: before.end + 1 });
});

test('closing a cleanly reopened log writes no index file until appends change them', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ indexIntervalBytes: 50 });
  // Recent timestamps: the active segment's roll timer starts at its first batch's.
  const t0 = Date.now();
  const first = await FileLog.open(dir, config);
  for (let i = 0; i < 6; i++) first.append(makeBatch(2, { tag: `v${i}`, timestamp: t0 + 1_000 * (i + 1) }), 3);
  await first.close();
  const indexes = fs.readdirSync(dir).filter((n) => n.endsWith('index')).map((n) => path.join(dir, n));
  assert.equal(indexes.length, 2);
  const state = () => indexes.map((f) => ({ f, ...(({ ino, mtimeMs, size }) => ({ ino, mtimeMs, size }))(fs.statSync(f)) }));
  const written = state();
  assert.ok(written.every((s) => s.size > 0), 'both indexes have entries');

  await (await FileLog.open(dir, config)).close();
  assert.deepEqual(state(), written, 'an untouched log leaves its index files alone');

  const third = await FileLog.open(dir, config);
  for (let i = 6; i < 9; i++) third.append(makeBatch(2, { tag: `v${i}`, timestamp: t0 + 1_000 * (i + 1) }), 3);
  const expected = { all: readAll(third), at: third.findByTimestamp(t0 + 8_500) };
  await third.close();
  assert.ok(state().every((s, i) => s.size > written[i].size), 'appends add index entries');
  const reopened = await openFileLog(t, dir, config);
  assert.deepEqual(readAll(reopened), expected.all);
  assert.deepEqual(reopened.findByTimestamp(t0 + 8_500), expected.at);
});

test('segments roll by size and are named by their 20-digit base offset', async (t) => {
  const dir = tempDir(t);
  const log = await openFileLog(t, dir, testConfig({ segmentBytes: BATCH_BYTES * 3 }));
  for (let i = 0; i < 7; i++) log.append(makeBatch(1, { tag: 'x' }), 0);
  assert.deepEqual(logFiles(dir), ['00000000000000000000.log', '00000000000000000003.log', '00000000000000000006.log']);
  assert.equal(log.segmentCount, 3);
  assert.equal(fs.statSync(path.join(dir, '00000000000000000000.log')).size, BATCH_BYTES * 3);
  assert.equal(fs.statSync(path.join(dir, '00000000000000000006.log')).size, BATCH_BYTES);
  // A closed segment's indexes are written when it rolls.
  assert.ok(fs.existsSync(path.join(dir, '00000000000000000000.timeindex')));
  // One append larger than segmentBytes still goes into a single (new) segment.
  log.append(Buffer.concat([makeBatch(1, { tag: 'x' }), makeBatch(1, { tag: 'x' }), makeBatch(1, { tag: 'x' }), makeBatch(1, { tag: 'x' })]), 0);
  assert.deepEqual(logFiles(dir).slice(-1), ['00000000000000000007.log']);
  assert.equal(fs.statSync(path.join(dir, '00000000000000000007.log')).size, BATCH_BYTES * 4);
});

test('retention removes the segment files from disk', async (t) => {
  const dir = tempDir(t);
  const log = await openFileLog(t, dir, testConfig({ segmentBytes: BATCH_BYTES * 2, retentionBytes: BATCH_BYTES * 2 }));
  for (let i = 0; i < 6; i++) log.append(makeBatch(1, { tag: 'x' }), 0);
  assert.equal(log.enforceRetention(Date.now()), 2);
  // Their index files go too; the active segment's are written only at roll or close.
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('0000')), ['00000000000000000004.log']);
});

test('logStartOffset from DeleteRecords is right after a restart', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ segmentBytes: BATCH_BYTES * 2 });
  const log = await FileLog.open(dir, config);
  for (let i = 0; i < 6; i++) log.append(makeBatch(1, { tag: 'x' }), 0);
  log.advanceLogStart(3);
  assert.equal(fs.readFileSync(path.join(dir, 'log-start-offset'), 'utf8').trim(), '3');
  await log.close();
  const reopened = await FileLog.open(dir, config);
  assert.equal(reopened.logStartOffset, 3, 'mid-segment, so only the checkpoint knows it');
  assert.equal(summarize(reopened.read(0, ALL, ALL))[0].baseOffset, 3);
  await reopened.close();
});

test('a log abandoned without close (a crash) reopens with its data and logStartOffset', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ indexIntervalBytes: 1 });
  const crashed = await FileLog.open(dir, config);
  for (let i = 0; i < 5; i++) crashed.append(makeBatch(2, { tag: `c${i}` }), 0);
  crashed.advanceLogStart(4);
  // No close: no marker, no index files for the active segment.
  assert.ok(!fs.existsSync(path.join(dir, '.clean-shutdown')));
  const log = await openFileLog(t, dir, config);
  assert.equal(log.logEndOffset, 10);
  assert.equal(log.logStartOffset, 4);
  assert.deepEqual(
    recordsIn(log.read(4, ALL, ALL)).map((r) => r.value),
    ['c2-0', 'c2-1', 'c3-0', 'c3-1', 'c4-0', 'c4-1'],
  );
});

test('destroy removes the partition directory', async (t) => {
  const dir = path.join(tempDir(t), 'gone-0');
  const log = await FileLog.open(dir, testConfig());
  log.append(makeBatch(1), 0);
  await log.destroy();
  assert.ok(!fs.existsSync(dir));
});
