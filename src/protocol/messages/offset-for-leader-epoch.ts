// OffsetForLeaderEpoch v0-4 (KIP-101, KIP-279), flexible from v4: where a
// leader epoch ends in the leader's log. v1+ answers with the epoch found,
// v2+ carries the requester's current leader epoch (KIP-320), v3+ its
// replica id (-1 a consumer, -2 unset).

import { a, f, message } from '../schema.js';

export const OffsetForLeaderEpochRequest = message(23, 'OffsetForLeaderEpochRequest', '0-4', '4+', [
  f('replicaId', 'int32', '3+', { default: -2 }),
  a('topics', '0+', [
    f('topic', 'string'),
    a('partitions', '0+', [
      f('partition', 'int32'),
      f('currentLeaderEpoch', 'int32', '2+', { default: -1 }),
      f('leaderEpoch', 'int32'),
    ]),
  ]),
]);

export const OffsetForLeaderEpochResponse = message(23, 'OffsetForLeaderEpochResponse', '0-4', '4+', [
  f('throttleTimeMs', 'int32', '2+'),
  a('topics', '0+', [
    f('topic', 'string'),
    a('partitions', '0+', [
      f('errorCode', 'int16'),
      f('partition', 'int32'),
      f('leaderEpoch', 'int32', '1+', { default: -1 }),
      f('endOffset', 'int64', '0+', { default: -1 }),
    ]),
  ]),
]);
