// CreatePartitions v0-3, flexible from v2.

import { a, f, message } from '../schema.js';

export const CreatePartitionsRequest = message(37, 'CreatePartitionsRequest', '0-3', '2+', [
  a('topics', '0+', [
    f('name', 'string'),
    f('count', 'int32'),
    a('assignments', '0+', [
      f('brokerIds', '[]int32'),
    ], { nullable: '0+' }),
  ]),
  f('timeoutMs', 'int32'),
  f('validateOnly', 'bool'),
]);

export const CreatePartitionsResponse = message(37, 'CreatePartitionsResponse', '0-3', '2+', [
  f('throttleTimeMs', 'int32'),
  a('results', '0+', [
    f('name', 'string'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '0+', { nullable: '0+' }),
  ]),
]);
