// Fetch v0-13, flexible from v12.

import { a, f, message, s } from '../schema.js';

export const FetchRequest = message(1, 'FetchRequest', '0-13', '12+', [
  f('clusterId', 'string', '12+', { nullable: '12+', tag: 0 }),
  f('replicaId', 'int32', '0-14', { default: -1 }),
  f('maxWaitMs', 'int32'),
  f('minBytes', 'int32'),
  f('maxBytes', 'int32', '3+', { default: 2147483647 }),
  f('isolationLevel', 'int8', '4+'),
  f('sessionId', 'int32', '7+'),
  f('sessionEpoch', 'int32', '7+', { default: -1 }),
  a('topics', '0+', [
    f('topic', 'string', '0-12'),
    f('topicId', 'uuid', '13+'),
    a('partitions', '0+', [
      f('partition', 'int32'),
      f('currentLeaderEpoch', 'int32', '9+', { default: -1 }),
      f('fetchOffset', 'int64'),
      f('lastFetchedEpoch', 'int32', '12+', { default: -1 }),
      f('logStartOffset', 'int64', '5+', { default: -1 }),
      f('partitionMaxBytes', 'int32'),
    ]),
  ]),
  a('forgottenTopicsData', '7+', [
    f('topic', 'string', '7-12'),
    f('topicId', 'uuid', '13+'),
    f('partitions', '[]int32', '7+'),
  ]),
  f('rackId', 'string', '11+'),
]);

export const FetchResponse = message(1, 'FetchResponse', '0-13', '12+', [
  f('throttleTimeMs', 'int32', '1+'),
  f('errorCode', 'int16', '7+'),
  f('sessionId', 'int32', '7+'),
  a('responses', '0+', [
    f('topic', 'string', '0-12'),
    f('topicId', 'uuid', '13+'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
      f('highWatermark', 'int64'),
      f('lastStableOffset', 'int64', '4+', { default: -1 }),
      f('logStartOffset', 'int64', '5+', { default: -1 }),
      s('divergingEpoch', '12+', [
        f('epoch', 'int32', '12+', { default: -1 }),
        f('endOffset', 'int64', '12+', { default: -1 }),
      ], { tag: 0 }),
      s('currentLeader', '12+', [
        f('leaderId', 'int32', '12+', { default: -1 }),
        f('leaderEpoch', 'int32', '12+', { default: -1 }),
      ], { tag: 1 }),
      s('snapshotId', '12+', [
        f('endOffset', 'int64', '0+', { default: -1 }),
        f('epoch', 'int32', '0+', { default: -1 }),
      ], { tag: 2 }),
      a('abortedTransactions', '4+', [
        f('producerId', 'int64', '4+'),
        f('firstOffset', 'int64', '4+'),
      ], { nullable: '4+' }),
      f('preferredReadReplica', 'int32', '11+', { default: -1 }),
      f('records', 'records', '0+', { nullable: '0+' }),
    ]),
  ]),
]);
