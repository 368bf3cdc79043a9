// WriteTxnMarkers v1 (flexible; v0 is gone from Kafka 4.0, KIP-896): a
// transaction coordinator asks partition leaders to append COMMIT or ABORT
// markers. Errors are per partition.

import { a, f, message } from '../schema.js';

export const WriteTxnMarkersRequest = message(27, 'WriteTxnMarkersRequest', '1', '1+', [
  a('markers', '0+', [
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('transactionResult', 'bool'),
    a('topics', '0+', [f('name', 'string'), f('partitionIndexes', '[]int32')]),
    f('coordinatorEpoch', 'int32'),
  ]),
]);

export const WriteTxnMarkersResponse = message(27, 'WriteTxnMarkersResponse', '1', '1+', [
  a('markers', '0+', [
    f('producerId', 'int64'),
    a('topics', '0+', [f('name', 'string'), a('partitions', '0+', [f('partitionIndex', 'int32'), f('errorCode', 'int16')])]),
  ]),
]);
