// Reads at the tail of the active segment find their first batch from the
// batch headers kept since the last index entry instead of stepping through
// the file: every offset must still lead to the batch holding it, before and
// after a roll (the closed segment steps from its index again), after a
// truncation that cuts into the kept batches, and after a reopen.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TailBatches } from '../../src/storage/tail-batches.js';
import { FileLog } from '../../src/storage/file-log.js';
import { makeBatch, openFileLog, summarize, tempDir, testConfig } from './log-test-helpers.js';

/** For every offset from `from` to one past the end: the base offset of the first batch a 1-byte read returns (null: nothing). */
function firstBatches(log: FileLog, from: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let o = from; o <= log.logEndOffset; o++) out.push(summarize(log.read(o, 1, Number.MAX_SAFE_INTEGER))[0]?.baseOffset ?? null);
  return out;
}

/** What firstBatches must be, given each batch's [base, last] offsets. */
function expected(batches: { baseOffset: number; lastOffset: number }[], from: number, end: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let o = from; o <= end; o++) out.push(batches.find((b) => b.lastOffset >= o)?.baseOffset ?? null);
  return out;
}

test('every offset of the active segment, before and after a roll, truncation and reopen, leads to the batch holding it', async (t) => {
  const dir = tempDir(t);
  // Index entries every 300 bytes, so the kept batches restart often; segments of 6 KiB, so the log rolls once.
  const config = testConfig({ indexIntervalBytes: 300, segmentBytes: 6 * 1024 });
  const log = await openFileLog(t, dir, config);
  const appended: { baseOffset: number; lastOffset: number }[] = [];
  const appendSome = (n: number) => {
    for (let i = 0; i < n; i++) appended.push(log.append(makeBatch(1 + (appended.length % 4), { tag: `b${appended.length}` }), 1));
  };
  appendSome(40);
  assert.equal(log.segmentCount, 1);
  assert.deepEqual(firstBatches(log, 0), expected(appended, 0, log.logEndOffset));

  appendSome(60);
  assert.ok(log.segmentCount > 1, 'the log rolled');
  assert.deepEqual(firstBatches(log, 0), expected(appended, 0, log.logEndOffset), 'after the roll');

  const cutAt = appended[appended.length - 7].baseOffset;
  log.truncateTo(cutAt);
  const kept = appended.filter((b) => b.baseOffset < cutAt);
  assert.deepEqual(firstBatches(log, 0), expected(kept, 0, log.logEndOffset), 'after a truncation');
  const more = [...kept];
  for (let i = 0; i < 10; i++) more.push(log.append(makeBatch(2, { tag: `after-cut-${i}` }), 1));
  assert.deepEqual(firstBatches(log, 0), expected(more, 0, log.logEndOffset), 'appends after the cut');

  await log.close();
  const reopened = await openFileLog(t, dir, config);
  assert.deepEqual(firstBatches(reopened, 0), expected(more, 0, reopened.logEndOffset), 'after a reopen');
});

test('the kept batches answer by last offset and forget what a cut removed', () => {
  const tail = new TailBatches();
  const batch = (baseOffset: number, lastOffset: number, position: number) => ({ baseOffset, lastOffset, position, size: 100, maxTimestamp: baseOffset });
  tail.restartAt(batch(10, 12, 0));
  for (let i = 1; i < 20; i++) tail.push(batch(10 + 3 * i, 12 + 3 * i, 100 * i));
  assert.equal(tail.covers(9), false);
  assert.equal(tail.covers(10), true);
  assert.deepEqual(tail.locate(11), batch(10, 12, 0));
  assert.deepEqual(tail.locate(13), batch(13, 15, 100));
  assert.deepEqual(tail.locate(69), batch(67, 69, 1900));
  assert.equal(tail.locate(70), null, 'past the end');
  tail.truncateToPosition(1000);
  assert.equal(tail.locate(40), null, 'batches from position 1000 on are gone');
  assert.deepEqual(tail.locate(39), batch(37, 39, 900));
  tail.clear();
  assert.equal(tail.covers(10), false);
});
