// ListTransactions v0-0, flexible from v0.

import { a, f, message } from '../schema.js';

export const ListTransactionsRequest = message(66, 'ListTransactionsRequest', '0-0', '0+', [
  f('stateFilters', '[]string'),
  f('producerIdFilters', '[]int64'),
]);

export const ListTransactionsResponse = message(66, 'ListTransactionsResponse', '0-0', '0+', [
  f('throttleTimeMs', 'int32'),
  f('errorCode', 'int16'),
  f('unknownStateFilters', '[]string'),
  a('transactionStates', '0+', [
    f('transactionalId', 'string'),
    f('producerId', 'int64'),
    f('transactionState', 'string'),
  ]),
]);
