// TxnOffsetCommit v0-3 (v3 flexible; v3 carries the member and generation,
// KIP-447, checked against the group when given). The offsets are written to
// __consumer_offsets as a transactional batch (answered once committed) and
// reach the group's committed offsets only if the transaction commits.
// PRODUCER_FENCED from v3.

import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/messages/txn-offset-commit.js';
import type { ApiHandler } from './handler.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { WRITE, mayOnTransactionalId } from './authorize.js';
import { commitAuthorized, offsetCommitEntries, perPartitionErrors } from './offset-commit-entries.js';
import { fencedForVersion } from './txn-errors.js';

export const txnOffsetCommit: ApiHandler = {
  apiKey: 28,
  minVersion: 0,
  maxVersion: 3,
  request: TxnOffsetCommitRequest,
  response: TxnOffsetCommitResponse,
  async handle(req, ctx) {
    const entries = offsetCommitEntries(req.topics, () => -1);
    const member = { memberId: req.memberId ?? '', groupInstanceId: req.groupInstanceId ?? null, generationId: req.generationId ?? -1 };
    if (!mayOnTransactionalId(ctx, WRITE, req.transactionalId)) {
      return { throttleTimeMs: 0, topics: perPartitionErrors(req.topics, entries.map(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)) };
    }
    const errors = await commitAuthorized(ctx, req.groupId, entries, (allowed) =>
      ctx.txns.commitOffsets(req.transactionalId, req.groupId, req.producerId, req.producerEpoch, member, allowed),
    );
    const codes = errors.map((code: number) => fencedForVersion(code, ctx.apiVersion, 3));
    return { throttleTimeMs: 0, topics: perPartitionErrors(req.topics, codes) };
  },
};
