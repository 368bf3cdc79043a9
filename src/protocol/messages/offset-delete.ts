// OffsetDelete v0-0, never flexible.

import { a, f, message } from '../schema.js';

export const OffsetDeleteRequest = message(47, 'OffsetDeleteRequest', '0-0', 'none', [
  f('groupId', 'string'),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
    ]),
  ]),
]);

export const OffsetDeleteResponse = message(47, 'OffsetDeleteResponse', '0-0', 'none', [
  f('errorCode', 'int16'),
  f('throttleTimeMs', 'int32'),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('errorCode', 'int16'),
    ]),
  ]),
]);
