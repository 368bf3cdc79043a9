// OffsetFetch v0-9, flexible from v6. v9 adds the member id and epoch of
// consumer-protocol members (KIP-848).

import { a, f, message } from '../schema.js';

export const OffsetFetchRequest = message(9, 'OffsetFetchRequest', '0-9', '6+', [
  f('groupId', 'string', '0-7'),
  a('topics', '0-7', [
    f('name', 'string', '0-7'),
    f('partitionIndexes', '[]int32', '0-7'),
  ], { nullable: '2-7' }),
  a('groups', '8+', [
    f('groupId', 'string', '8+'),
    f('memberId', 'string', '9+', { nullable: '9+' }),
    f('memberEpoch', 'int32', '9+', { default: -1 }),
    a('topics', '8+', [
      f('name', 'string', '8+'),
      f('partitionIndexes', '[]int32', '8+'),
    ], { nullable: '8+' }),
  ]),
  f('requireStable', 'bool', '7+'),
]);

export const OffsetFetchResponse = message(9, 'OffsetFetchResponse', '0-9', '6+', [
  f('throttleTimeMs', 'int32', '3+'),
  a('topics', '0-7', [
    f('name', 'string', '0-7'),
    a('partitions', '0-7', [
      f('partitionIndex', 'int32', '0-7'),
      f('committedOffset', 'int64', '0-7'),
      f('committedLeaderEpoch', 'int32', '5-7', { default: -1 }),
      f('metadata', 'string', '0-7', { nullable: '0-7' }),
      f('errorCode', 'int16', '0-7'),
    ]),
  ]),
  f('errorCode', 'int16', '2-7'),
  a('groups', '8+', [
    f('groupId', 'string', '8+'),
    a('topics', '8+', [
      f('name', 'string', '8+'),
      a('partitions', '8+', [
        f('partitionIndex', 'int32', '8+'),
        f('committedOffset', 'int64', '8+'),
        f('committedLeaderEpoch', 'int32', '8+', { default: -1 }),
        f('metadata', 'string', '8+', { nullable: '8+' }),
        f('errorCode', 'int16', '8+'),
      ]),
    ]),
    f('errorCode', 'int16', '8+'),
  ]),
]);
