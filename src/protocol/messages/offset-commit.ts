// OffsetCommit v0-9, flexible from v8. v9 is v8 for consumer-protocol groups
// (KIP-848): generationIdOrMemberEpoch carries the member epoch.

import { a, f, message } from '../schema.js';

export const OffsetCommitRequest = message(8, 'OffsetCommitRequest', '0-9', '8+', [
  f('groupId', 'string'),
  f('generationIdOrMemberEpoch', 'int32', '1+', { default: -1 }),
  f('memberId', 'string', '1+'),
  f('groupInstanceId', 'string', '7+', { nullable: '7+' }),
  f('retentionTimeMs', 'int64', '2-4', { default: -1 }),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('committedOffset', 'int64'),
      f('committedLeaderEpoch', 'int32', '6+', { default: -1 }),
      f('commitTimestamp', 'int64', '1', { default: -1 }),
      f('committedMetadata', 'string', '0+', { nullable: '0+' }),
    ]),
  ]),
]);

export const OffsetCommitResponse = message(8, 'OffsetCommitResponse', '0-9', '8+', [
  f('throttleTimeMs', 'int32', '3+'),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
    ]),
  ]),
]);
