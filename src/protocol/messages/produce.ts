// Produce v0-9, flexible from v9.

import { a, f, message } from '../schema.js';

export const ProduceRequest = message(0, 'ProduceRequest', '0-9', '9+', [
  f('transactionalId', 'string', '3+', { nullable: '3+' }),
  f('acks', 'int16'),
  f('timeoutMs', 'int32'),
  a('topicData', '0+', [
    f('name', 'string'),
    a('partitionData', '0+', [
      f('index', 'int32'),
      f('records', 'records', '0+', { nullable: '0+' }),
    ]),
  ]),
]);

export const ProduceResponse = message(0, 'ProduceResponse', '0-9', '9+', [
  a('responses', '0+', [
    f('name', 'string'),
    a('partitionResponses', '0+', [
      f('index', 'int32'),
      f('errorCode', 'int16'),
      f('baseOffset', 'int64'),
      f('logAppendTimeMs', 'int64', '2+', { default: -1 }),
      f('logStartOffset', 'int64', '5+', { default: -1 }),
      a('recordErrors', '8+', [
        f('batchIndex', 'int32', '8+'),
        f('batchIndexErrorMessage', 'string', '8+', { nullable: '8+' }),
      ]),
      f('errorMessage', 'string', '8+', { nullable: '8+' }),
    ]),
  ]),
  f('throttleTimeMs', 'int32', '1+'),
]);
