// TxnOffsetCommit v0-3, flexible from v3.

import { a, f, message } from '../schema.js';

export const TxnOffsetCommitRequest = message(28, 'TxnOffsetCommitRequest', '0-3', '3+', [
  f('transactionalId', 'string'),
  f('groupId', 'string'),
  f('producerId', 'int64'),
  f('producerEpoch', 'int16'),
  f('generationId', 'int32', '3+', { default: -1 }),
  f('memberId', 'string', '3+'),
  f('groupInstanceId', 'string', '3+', { nullable: '3+' }),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('committedOffset', 'int64'),
      f('committedLeaderEpoch', 'int32', '2+', { default: -1 }),
      f('committedMetadata', 'string', '0+', { nullable: '0+' }),
    ]),
  ]),
]);

export const TxnOffsetCommitResponse = message(28, 'TxnOffsetCommitResponse', '0-3', '3+', [
  f('throttleTimeMs', 'int32'),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
    ]),
  ]),
]);
