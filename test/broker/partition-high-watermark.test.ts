// Where a reopened replica's high watermark starts: at the checkpointed one,
// bounded by its log (logStartOffset <= highWatermark <= logEndOffset), and at
// its log start without a checkpoint. A replica opened as a follower that then
// leads, its ISR followers not heard from yet, keeps it: its consumers see
// every record committed before the restart without waiting for a fetch.

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Partition } from '../../src/broker/partition.js';
import { PartitionTxns } from '../../src/broker/partition-txns.js';
import { makeBatch, openFileLog, tempDir, testConfig } from '../storage/log-test-helpers.js';

/** A partition of broker 1 over a file log holding `records` records (all durable), opened with `checkpointed`. */
async function reopened(t: TestContext, records: number, checkpointed: number | null): Promise<Partition> {
  const log = await openFileLog(t, tempDir(t), testConfig());
  if (records > 0) await log.awaitDurable(log.append(makeBatch(records), 0).lastOffset);
  return new Partition(1, 'orders', 0, log, PartitionTxns.load(null, log), checkpointed);
}

test('a replica opened as a follower starts its high watermark at the checkpointed one', async (t) => {
  const p = await reopened(t, 10, 7);
  p.makeFollower(3, 2);
  assert.equal(p.highWatermark, 7);
  p.followLeaderHighWatermark(9);
  assert.equal(p.highWatermark, 9, 'and learns its leader’s from there');
});

test('a checkpointed high watermark past the log end is cut to the log end, one below the log start raised to it', async (t) => {
  const shorter = await reopened(t, 4, 7);
  shorter.makeFollower(3, 2);
  assert.equal(shorter.highWatermark, 4);

  const emptied = await reopened(t, 0, 2);
  emptied.log.startAt(5);
  emptied.makeFollower(3, 2);
  assert.deepEqual([emptied.logStartOffset, emptied.highWatermark, emptied.logEndOffset], [5, 5, 5]);
});

test('without a checkpoint a follower starts at its log start, as before', async (t) => {
  const p = await reopened(t, 10, null);
  p.makeFollower(3, 2);
  assert.equal(p.highWatermark, 0);
});

test('a reopened replica that leads before its ISR followers fetched starts no lower than the checkpoint, and moves on with their fetches', async (t) => {
  const p = await reopened(t, 10, 7);
  p.makeFollower(3, -1);
  p.makeLeader(4, 5, [1, 2, 3], [1, 2, 3], 0);
  assert.equal(p.highWatermark, 7, 'followers 2 and 3 have not fetched: the checkpoint holds');
  p.followerFetched(2, 10, 1);
  assert.equal(p.highWatermark, 7, 'follower 3 still holds it');
  p.followerFetched(3, 9, 1);
  assert.equal(p.highWatermark, 9);

  // Opened straight as leader it starts at its log end, as it always did: within the log, not below the checkpoint.
  const leader = await reopened(t, 10, 7);
  leader.makeLeader(4, 5, [1, 2], [1, 2], 0);
  assert.ok(leader.highWatermark >= 7 && leader.highWatermark <= leader.logEndOffset, `high watermark ${leader.highWatermark}`);
});
