// LeaderEpochCache: where each leader epoch starts, answers as Kafka's
// OffsetForLeaderEpoch does, follows cuts at either end of the log, and
// survives a reopen through its checkpoint file (a damaged file gives an empty
// cache, never a wrong answer).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_OFFSET } from '../../src/storage/leader-epoch-cache.js';
import { tempDir } from './log-test-helpers.js';

const UNDEFINED = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET };

/** Epoch 1 from offset 0, 3 from 10, 4 from 25. */
function sample(file: string | null = null): LeaderEpochCache {
  const cache = new LeaderEpochCache(file);
  cache.assign(1, 0);
  cache.assign(1, 5); // the same epoch appending again: no new entry
  cache.assign(3, 10);
  cache.assign(2, 12); // an older epoch (a fenced leader): ignored
  cache.assign(4, 25);
  return cache;
}

test('an epoch ends where the next newer one starts; the latest at the log end; unknown ones are undefined', () => {
  const cache = sample();
  assert.deepEqual(cache.all, [
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
    { epoch: 4, startOffset: 25 },
  ]);
  assert.equal(cache.latestEpoch, 4);
  assert.deepEqual(cache.endOffsetFor(1, 40), { epoch: 1, endOffset: 10 });
  assert.deepEqual(cache.endOffsetFor(2, 40), { epoch: 1, endOffset: 10 }, 'an epoch this log never saw: the largest below it, ending where the next starts');
  assert.deepEqual(cache.endOffsetFor(0, 40), { epoch: 0, endOffset: 0 }, 'older than every known epoch: it ends where the first known starts');
  assert.deepEqual(cache.endOffsetFor(3, 40), { epoch: 3, endOffset: 25 });
  assert.deepEqual(cache.endOffsetFor(4, 40), { epoch: 4, endOffset: 40 });
  assert.deepEqual(cache.endOffsetFor(5, 40), UNDEFINED);
  assert.deepEqual(cache.endOffsetFor(UNDEFINED_EPOCH, 40), UNDEFINED);
  assert.deepEqual(new LeaderEpochCache(null).endOffsetFor(0, 0), UNDEFINED);
});

test('cutting the log at its end drops the epochs starting at or past the cut; at its start, moves the first epoch up', () => {
  const fromEnd = sample();
  fromEnd.truncateFromEnd(25);
  assert.equal(fromEnd.latestEpoch, 3);
  assert.deepEqual(fromEnd.endOffsetFor(3, 25), { epoch: 3, endOffset: 25 });
  const fromStart = sample();
  fromStart.truncateFromStart(12);
  assert.deepEqual(fromStart.all, [
    { epoch: 3, startOffset: 12 },
    { epoch: 4, startOffset: 25 },
  ]);
  fromStart.truncateFromStart(5);
  assert.equal(fromStart.all[0].startOffset, 12, 'a start below the first epoch changes nothing');
});

test('the checkpoint file keeps the entries across a reopen; a damaged one leaves the cache empty', (t) => {
  const file = path.join(tempDir(t), LEADER_EPOCH_CHECKPOINT_FILE);
  const cache = sample(file);
  cache.truncateFromEnd(30);
  cache.truncateFromStart(2);
  assert.deepEqual(new LeaderEpochCache(file).all, cache.all);
  for (const damaged of ['0\n3\n1 2\n3 10\n', '0\n2\n3 10\n1 20\n', '1\n0\n', '0\n1\n1 x\n']) {
    fs.writeFileSync(file, damaged);
    assert.deepEqual(new LeaderEpochCache(file).all, [], JSON.stringify(damaged));
  }
});
