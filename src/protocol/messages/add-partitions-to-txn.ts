// AddPartitionsToTxn v0-3, flexible from v3.

import { a, f, message } from '../schema.js';

export const AddPartitionsToTxnRequest = message(24, 'AddPartitionsToTxnRequest', '0-3', '3+', [
  f('v3AndBelowTransactionalId', 'string', '0-3'),
  f('v3AndBelowProducerId', 'int64', '0-3'),
  f('v3AndBelowProducerEpoch', 'int16', '0-3'),
  a('v3AndBelowTopics', '0-3', [
    f('name', 'string'),
    f('partitions', '[]int32'),
  ]),
]);

export const AddPartitionsToTxnResponse = message(24, 'AddPartitionsToTxnResponse', '0-3', '3+', [
  f('throttleTimeMs', 'int32'),
  a('resultsByTopicV3AndBelow', '0-3', [
    f('name', 'string'),
    a('resultsByPartition', '0+', [
      f('partitionIndex', 'int32'),
      f('partitionErrorCode', 'int16'),
    ]),
  ]),
]);
