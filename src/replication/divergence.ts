// Where a follower's log diverged from its new leader's (KIP-101, KIP-279):
// the follower asks the leader where its own latest epoch ends; when the
// leader answers with an older epoch (it never had the one asked), the
// follower takes its own end of that epoch, and when it lacks that epoch too,
// asks again with its largest epoch below it. Everything at and past the
// offset found is the follower's alone and must go.
//
//   leader   epochs {0: 0, 2: 5}, log end 9
//   follower epochs {0: 0, 1: 3}, log end 6   (it led epoch 1 alone: 3..5)
//   ask(1) -> (0, 5)   the leader has no epoch 1; its epoch 0 ends at 5
//   follower's epoch 0 ends at 3 -> truncate to min(5, 3) = 3

import type { PartitionLog } from '../storage/partition-log.js';

/** The leader's answer to OffsetForLeaderEpoch for one epoch: the epoch found (-1: UNDEFINED) and where it ends. */
export interface EpochEnd {
  epoch: number;
  endOffset: number;
}

/** How many times the question narrows to an older epoch before the follower falls back. */
const MAX_ROUNDS = 64;

/**
 * The offset the follower's `log` must be cut at, asking `leaderEnd` as
 * needed; `fallback` (its high watermark) when the leader cannot say. A log
 * end means no cut.
 */
export async function divergencePoint(log: PartitionLog, fallback: number, leaderEnd: (epoch: number) => Promise<EpochEnd>): Promise<number> {
  let epoch = log.latestEpoch;
  if (epoch < 0) return Math.min(fallback, log.logEndOffset);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const leader = await leaderEnd(epoch);
    if (leader.epoch < 0) break;
    const own = log.endOffsetForEpoch(leader.epoch);
    if (own.epoch === leader.epoch || own.epoch < 0) return Math.min(leader.endOffset, own.epoch < 0 ? log.logEndOffset : own.endOffset);
    if (own.epoch >= epoch) break;
    epoch = own.epoch;
  }
  return Math.min(fallback, log.logEndOffset);
}
