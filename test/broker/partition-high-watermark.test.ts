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
});

test('a replica opened straight as leader starts at the checkpoint too: records past it wait for its ISR followers', async (t) => {
  const leader = await reopened(t, 10, 7);
  leader.makeLeader(4, 5, [1, 2], [1, 2], 0);
  assert.equal(leader.highWatermark, 7, 'offsets 7-9 may be on this log alone');
  leader.followerFetched(2, 10, 1);
  assert.equal(leader.highWatermark, 10);

  const alone = await reopened(t, 10, 7);
  alone.makeLeader(4, 5, [1], [1], 0);
  assert.equal(alone.highWatermark, 10, 'a sole replica moves at once to what it holds durably');

  const unrecorded = await reopened(t, 10, null);
  unrecorded.makeLeader(4, 5, [1, 2], [1, 2], 0);
  assert.equal(unrecorded.highWatermark, 10, 'without a checkpoint (a first start) it starts at its log end, as before');
});
