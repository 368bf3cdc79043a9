// AddOffsetsToTxn v0-3 (v3 flexible): puts the group's __consumer_offsets
// partition into the transaction. PRODUCER_FENCED from v2.

import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../protocol/messages/add-offsets-to-txn.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { READ, WRITE, mayOnGroup, mayOnTransactionalId } from './authorize.js';
import type { ApiHandler } from './handler.js';
import { fencedForVersion } from './txn-errors.js';

export const addOffsetsToTxn: ApiHandler = {
  apiKey: 25,
  minVersion: 0,
  maxVersion: 3,
  request: AddOffsetsToTxnRequest,
  response: AddOffsetsToTxnResponse,
  async handle(req, ctx) {
    const errorCode = !mayOnTransactionalId(ctx, WRITE, req.transactionalId)
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : !mayOnGroup(ctx, READ, req.groupId)
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : await ctx.txns.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, 2) };
  },
};
