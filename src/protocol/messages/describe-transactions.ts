// DescribeTransactions v0-0, flexible from v0.

import { a, f, message } from '../schema.js';

export const DescribeTransactionsRequest = message(65, 'DescribeTransactionsRequest', '0-0', '0+', [
  f('transactionalIds', '[]string'),
]);

export const DescribeTransactionsResponse = message(65, 'DescribeTransactionsResponse', '0-0', '0+', [
  f('throttleTimeMs', 'int32'),
  a('transactionStates', '0+', [
    f('errorCode', 'int16'),
    f('transactionalId', 'string'),
    f('transactionState', 'string'),
    f('transactionTimeoutMs', 'int32'),
    f('transactionStartTimeMs', 'int64'),
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    a('topics', '0+', [
      f('topic', 'string'),
      f('partitions', '[]int32'),
    ]),
  ]),
]);
