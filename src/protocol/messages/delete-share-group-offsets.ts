// DeleteShareGroupOffsets v0 (KIP-932). Flexible. Removes an empty share
// group's state for whole topics.

import { a, f, message } from '../schema.js';

export const DeleteShareGroupOffsetsRequest = message(92, 'DeleteShareGroupOffsetsRequest', '0', '0+', [
  f('groupId', 'string'),
  a('topics', '0+', [
    f('topicName', 'string'),
  ]),
]);

export const DeleteShareGroupOffsetsResponse = message(92, 'DeleteShareGroupOffsetsResponse', '0', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('errorMessage', 'string', '0+', { nullable: '0+' }),
  a('responses', '0+', [
    f('topicName', 'string'),
    f('topicId', 'uuid'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullable: '0+' }),
  ]),
]);
