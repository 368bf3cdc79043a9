// DescribeShareGroupOffsets v0-1 (KIP-932; v1 adds each partition's Lag,
// KIP-1226). Flexible. A group's Topics null asks for every partition the
// group has state for (Kafka 4.1 made it nullable in v0).

import { a, f, message } from '../schema.js';

export const DescribeShareGroupOffsetsRequest = message(90, 'DescribeShareGroupOffsetsRequest', '0-1', '0+', [
  a('groups', '0+', [
    f('groupId', 'string'),
    a('topics', '0+', [
      f('topicName', 'string'),
      f('partitions', '[]int32'),
    ], { nullable: '0+' }),
  ]),
]);

export const DescribeShareGroupOffsetsResponse = message(90, 'DescribeShareGroupOffsetsResponse', '0-1', '0+', [
  f('throttleTimeMs', 'int32'),
  a('groups', '0+', [
    f('groupId', 'string'),
    a('topics', '0+', [
      f('topicName', 'string'),
      f('topicId', 'uuid'),
      a('partitions', '0+', [
        f('partitionIndex', 'int32'),
        f('startOffset', 'int64'),
        f('leaderEpoch', 'int32'),
        f('lag', 'int64', '1+', { default: -1 }),
        f('errorCode', 'int16'),
        f('errorMessage', 'string', '0+', { nullable: '0+' }),
      ]),
    ]),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullable: '0+' }),
  ]),
]);
