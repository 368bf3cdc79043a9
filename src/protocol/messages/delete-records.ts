// DeleteRecords v0-2, flexible from v2.

import { a, f, message } from '../schema.js';

export const DeleteRecordsRequest = message(21, 'DeleteRecordsRequest', '0-2', '2+', [
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('offset', 'int64'),
    ]),
  ]),
  f('timeoutMs', 'int32'),
]);

export const DeleteRecordsResponse = message(21, 'DeleteRecordsResponse', '0-2', '2+', [
  f('throttleTimeMs', 'int32'),
  a('topics', '0+', [
    f('name', 'string'),
    a('partitions', '0+', [
      f('partitionIndex', 'int32'),
      f('lowWatermark', 'int64'),
      f('errorCode', 'int16'),
    ]),
  ]),
]);
