// EndTxn v0-3, flexible from v3.

import { f, message } from '../schema.js';

export const EndTxnRequest = message(26, 'EndTxnRequest', '0-3', '3+', [
  f('transactionalId', 'string'),
  f('producerId', 'int64'),
  f('producerEpoch', 'int16'),
  f('committed', 'bool'),
]);

export const EndTxnResponse = message(26, 'EndTxnResponse', '0-3', '3+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
]);
