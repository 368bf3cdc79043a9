// ListTransactions v0 (flexible, KIP-664): every transactional id this
// coordinator knows, filtered by state names and producer ids when given.

import { ErrorCode } from '../../protocol/error-codes.js';
import { ListTransactionsRequest, ListTransactionsResponse } from '../../protocol/messages/list-transactions.js';
import { AclResourceType } from '../../broker/acl/acl-binding.js';
import { DESCRIBE, sees } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const listTransactions: ApiHandler = {
  apiKey: 66,
  minVersion: 0,
  maxVersion: 0,
  request: ListTransactionsRequest,
  response: ListTransactionsResponse,
  handle(req, ctx) {
    const { unknownStates, transactions } = ctx.txns.list(req.stateFilters, req.producerIdFilters);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters: unknownStates,
      // Kafka lists only the transactional ids the principal may describe.
      transactionStates: transactions.filter((t) => sees(ctx, DESCRIBE, AclResourceType.TRANSACTIONAL_ID, t.transactionalId)).map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    };
  },
};
