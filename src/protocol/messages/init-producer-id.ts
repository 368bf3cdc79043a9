// InitProducerId v0-4, flexible from v2.

import { f, message } from '../schema.js';

export const InitProducerIdRequest = message(22, 'InitProducerIdRequest', '0-4', '2+', [
  f('transactionalId', 'string', '0+', { nullable: '0+' }),
  f('transactionTimeoutMs', 'int32'),
  f('producerId', 'int64', '3+', { default: -1 }),
  f('producerEpoch', 'int16', '3+', { default: -1 }),
]);

export const InitProducerIdResponse = message(22, 'InitProducerIdResponse', '0-4', '2+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('producerId', 'int64', '0+', { default: -1 }),
  f('producerEpoch', 'int16'),
]);
