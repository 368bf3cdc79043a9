// AddOffsetsToTxn v0-3, flexible from v3.

import { f, message } from '../schema.js';

export const AddOffsetsToTxnRequest = message(25, 'AddOffsetsToTxnRequest', '0-3', '3+', [
  f('transactionalId', 'string'),
  f('producerId', 'int64'),
  f('producerEpoch', 'int16'),
  f('groupId', 'string'),
]);

export const AddOffsetsToTxnResponse = message(25, 'AddOffsetsToTxnResponse', '0-3', '3+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
]);
