// Truncation of the file log (a follower cutting the tail that diverged from
// its leader's): what is cut stays cut across a clean close and a crash, with
// what was appended after it; appends awaiting durability of removed offsets
// are told so; and the records appended again in their place wait for an
// fdatasync of their own; and the leader epochs it records follow the cut.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { StorageError } from '../../src/storage/storage-error.js';
import { makeBatch, openFileLog, recordsIn, tempDir, testConfig } from './log-test-helpers.js';

const ALL = Number.MAX_SAFE_INTEGER;
const BATCH_BYTES = makeBatch(1, { tag: 'n-00' }).length;
/** Three one-record batches per segment, an index entry at every batch. */
const CONFIG = testConfig({ segmentBytes: BATCH_BYTES * 3, indexIntervalBytes: 1 });

function values(log: { read(o: number, b: number, m: number): Buffer; logEndOffset: number }): string[] {
  const out: string[] = [];
  for (let next = 0; next < log.logEndOffset; ) {
    const records = recordsIn(log.read(next, ALL, ALL));
    if (records.length === 0) break;
    out.push(...records.map((r) => r.value));
    next = records[records.length - 1].offset + 1;
  }
  return out;
}

for (const ending of ['a clean close', 'a crash'] as const) {
  test(`a truncated log reopens truncated, with what was appended after the cut (after ${ending})`, async (t) => {
    const dir = tempDir(t);
    const log = await openFileLog(t, dir, CONFIG);
    for (let i = 0; i < 10; i++) log.append(makeBatch(1, { tag: `n-${i}` }), 0);
    await log.awaitDurable(9);
    log.truncateTo(4);
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.log')).length, 2, 'segments past the cut are deleted');
    log.append(makeBatch(1, { tag: 'new' }), 1);
    await log.awaitDurable(4);
    const expected = ['n-0-0', 'n-1-0', 'n-2-0', 'n-3-0', 'new-0'];
    assert.deepEqual(values(log), expected);
    if (ending === 'a clean close') {
      await log.close();
    } else {
      // What a kill leaves: the files as written, no clean-shutdown marker.
      fs.rmSync(path.join(dir, '.clean-shutdown'), { force: true });
    }
    const reopened = await openFileLog(t, dir, CONFIG);
    assert.equal(reopened.logEndOffset, 5);
    assert.deepEqual(values(reopened), expected);
  });
}

test('appends awaiting durability of truncated offsets are rejected; what is appended in their place waits for a round of its own', async (t) => {
  const log = await openFileLog(t, tempDir(t), testConfig({ flushPolicy: 'group-commit' }));
  for (let i = 0; i < 3; i++) log.append(makeBatch(1), 0);
  // Starts a round covering offsets 0-2, still in flight when the log is cut after offset 0.
  const removed = log.awaitDurable(2);
  assert.equal(log.flushStats.rounds, 0);
  log.truncateTo(1);
  log.append(makeBatch(1, { tag: 'again' }), 1);
  const again = log.awaitDurable(1).then(() => log.flushStats.rounds);
  await assert.rejects(removed, StorageError);
  assert.equal(await again, 2, 'the round in flight synced the old offset 1, not the new one: a second round covers it');
});

test('leader epochs survive a reopen, and a cut forgets the epochs it removed also on disk', async (t) => {
  const dir = tempDir(t);
  const log = await openFileLog(t, dir, CONFIG);
  for (const epoch of [0, 0, 3, 3, 7]) log.append(makeBatch(1), epoch);
  log.truncateTo(4);
  await log.close();
  const reopened = await openFileLog(t, dir, CONFIG);
  assert.deepEqual(reopened.endOffsetForEpoch(0), { epoch: 0, endOffset: 2 });
  assert.deepEqual(reopened.endOffsetForEpoch(3), { epoch: 3, endOffset: 4 }, 'epoch 3 is the latest left');
  assert.deepEqual(reopened.endOffsetForEpoch(7), { epoch: -1, endOffset: -1 });
});

test('a log written before the leader-epoch checkpoint existed finds its epochs in its batch headers at open, and writes them down', async (t) => {
  const dir = tempDir(t);
  const log = await openFileLog(t, dir, CONFIG);
  for (const epoch of [0, 0, 3, 3, 7]) log.append(makeBatch(1), epoch);
  await log.close();
  const checkpoint = path.join(dir, 'leader-epoch-checkpoint');
  fs.rmSync(checkpoint);
  const reopened = await openFileLog(t, dir, CONFIG);
  assert.deepEqual(reopened.endOffsetForEpoch(0), { epoch: 0, endOffset: 2 }, 'not UNDEFINED');
  assert.deepEqual(reopened.endOffsetForEpoch(5), { epoch: 3, endOffset: 4 });
  assert.deepEqual(reopened.endOffsetForEpoch(7), { epoch: 7, endOffset: 5 });
  assert.equal(fs.readFileSync(checkpoint, 'utf8'), '0\n3\n0 0\n3 2\n7 4\n');
});

// A new log's first epoch is checkpointed without fsync (leader-epoch-cache.ts): what a crash can
// leave of that write (no file, or an empty one renamed in place) must come back from the batches.
for (const lost of ['missing', 'empty'] as const) {
  test(`a first epoch checkpoint lost to a crash (file ${lost}) is found again in the batch headers`, async (t) => {
    const dir = tempDir(t);
    const log = await openFileLog(t, dir, CONFIG);
    log.startLeaderEpoch(4);
    log.append(makeBatch(2), 4);
    await log.awaitDurable(1);
    const checkpoint = path.join(dir, 'leader-epoch-checkpoint');
    assert.equal(fs.readFileSync(checkpoint, 'utf8'), '0\n1\n4 0\n', 'written, though not fsynced');
    await log.close();
    fs.rmSync(path.join(dir, '.clean-shutdown'));
    if (lost === 'missing') fs.rmSync(checkpoint);
    else fs.writeFileSync(checkpoint, '');
    const reopened = await openFileLog(t, dir, CONFIG);
    assert.deepEqual(reopened.endOffsetForEpoch(4), { epoch: 4, endOffset: 2 });
    assert.deepEqual(reopened.endOffsetForEpoch(3), { epoch: 3, endOffset: 0 }, 'an older epoch ends where epoch 4 starts');
    assert.equal(fs.readFileSync(checkpoint, 'utf8'), '0\n1\n4 0\n');
  });
}
