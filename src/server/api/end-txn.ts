// EndTxn v0-3 (v3 flexible). Answers once the COMMIT/ABORT markers are
// committed in every partition of the transaction (Kafka answers after
// PrepareCommit; waiting longer lets a client read its commit at once).
// PRODUCER_FENCED from v2. v4+ (KIP-890 epoch bump per transaction) is not served.

import { EndTxnRequest, EndTxnResponse } from '../../protocol/messages/end-txn.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { WRITE, mayOnTransactionalId } from './authorize.js';
import type { ApiHandler } from './handler.js';
import { fencedForVersion } from './txn-errors.js';

export const endTxn: ApiHandler = {
  apiKey: 26,
  minVersion: 0,
  maxVersion: 3,
  request: EndTxnRequest,
  response: EndTxnResponse,
  async handle(req, ctx) {
    const errorCode = mayOnTransactionalId(ctx, WRITE, req.transactionalId)
      ? await ctx.txns.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed)
      : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, 2) };
  },
};
