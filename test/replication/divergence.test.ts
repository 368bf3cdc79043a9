// Where a returning follower's log diverges from its new leader's (KIP-279),
// on two real logs: the leader answers from its own log as OffsetForLeaderEpoch
// does; the follower narrows to older epochs until both know the epoch.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryLog } from '../../src/storage/memory-log.js';
import { type EpochEnd, divergencePoint } from '../../src/replication/divergence.js';
import { makeBatch, testConfig } from '../storage/log-test-helpers.js';

/** A log holding `counts[i]` records under `epochs[i]`, then starting `nextEpoch` if given. */
function logOf(epochs: number[], counts: number[], nextEpoch?: number): MemoryLog {
  const log = new MemoryLog(testConfig());
  epochs.forEach((epoch, i) => log.append(makeBatch(counts[i]), epoch));
  if (nextEpoch !== undefined) log.startLeaderEpoch(nextEpoch);
  return log;
}

function askOf(leader: MemoryLog, asked: number[]): (epoch: number) => Promise<EpochEnd> {
  return async (epoch) => {
    asked.push(epoch);
    return leader.endOffsetForEpoch(epoch);
  };
}

test('a tail written under an epoch the leader never had is cut where the leader\'s older epoch ends', async () => {
  const leader = logOf([0, 2], [5, 4]);
  const follower = logOf([0, 1], [3, 3]);
  const asked: number[] = [];
  assert.equal(await divergencePoint(follower, 0, askOf(leader, asked)), 3, "the follower's epoch 0 ends at 3, before the leader's");
  assert.deepEqual(asked, [1]);
});

test('when the follower lacks the epoch the leader answers with, it asks again with its own older one', async () => {
  const leader = logOf([0, 1, 3], [2, 2, 2]);
  const follower = logOf([0, 2], [3, 2]);
  const asked: number[] = [];
  // Asked 2, the leader answers epoch 1 (ends at 4), which the follower never had: it asks with its epoch 0.
  assert.equal(await divergencePoint(follower, 0, askOf(leader, asked)), 2);
  assert.deepEqual(asked, [2, 0]);
});

test('a follower whose log is a prefix of the leader\'s keeps all of it; one without epochs falls back to its high watermark', async () => {
  const leader = logOf([0, 1], [3, 3], 2);
  assert.equal(await divergencePoint(logOf([0, 1], [3, 1]), 0, askOf(leader, [])), 4);
  const noEpochs = new MemoryLog(testConfig());
  assert.equal(await divergencePoint(noEpochs, 0, askOf(leader, [])), 0);
});
