// AlterShareGroupOffsets v0 (KIP-932). Flexible. Sets the start offset of
// partitions of an empty share group.

import { a, f, message } from '../schema.js';

export const AlterShareGroupOffsetsRequest = message(91, 'AlterShareGroupOffsetsRequest', '0', '0+', [
  f('groupId', 'string'),
  a('topics', '0+', [
    f('topicName', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('startOffset', 'int64'),
    ]),
  ]),
]);

export const AlterShareGroupOffsetsResponse = message(91, 'AlterShareGroupOffsetsResponse', '0', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  a('responses', '0+', [
    f('topicName', 'string'),
    f('topicId', 'uuid'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '0+', { nullable: '0+' }),
    ]),
  ]),
]);
