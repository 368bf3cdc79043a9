// ListOffsets v0-7, flexible from v6.

import { a, f, message } from '../schema.js';

export const ListOffsetsRequest = message(2, 'ListOffsetsRequest', '0-7', '6+', [
  f('replicaId', 'int32'),
  f('isolationLevel', 'int8', '2+'),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('currentLeaderEpoch', 'int32', '4+', { default: -1 }),
      f('timestamp', 'int64'),
      f('maxNumOffsets', 'int32', '0', { default: 1 }),
    ]),
  ]),
]);

export const ListOffsetsResponse = message(2, 'ListOffsetsResponse', '0-7', '6+', [
  f('throttleTimeMs', 'int32', '2+'),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
      f('oldStyleOffsets', '[]int64', '0'),
      f('timestamp', 'int64', '1+', { default: -1 }),
      f('offset', 'int64', '1+', { default: -1 }),
      f('leaderEpoch', 'int32', '4+', { default: -1 }),
    ]),
  ]),
]);
