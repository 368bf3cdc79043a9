// InitProducerId v0-4 (v2+ flexible). With a transactional id the transaction
// coordinator answers (a new producer id, or the current one with its epoch
// bumped, fencing the previous producer; v3+ may name the current id and
// epoch, KIP-360). PRODUCER_FENCED from v4 (KIP-588).
//
// Without a transactional id the ProducerIdManager answers (a fresh id, or a
// KIP-360 epoch bump).

import { ErrorCode } from '../../protocol/error-codes.js';
import { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import { AclResourceType } from '../../broker/acl/acl-binding.js';
import { IDEMPOTENT_WRITE, WRITE, mayOnCluster, mayOnTransactionalId } from './authorize.js';
import type { ApiHandler } from './handler.js';
import { fencedForVersion } from './txn-errors.js';

export const initProducerId: ApiHandler = {
  apiKey: 22,
  minVersion: 0,
  maxVersion: 4,
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  async handle(req, ctx) {
    const current = { producerId: req.producerId ?? -1, producerEpoch: req.producerEpoch ?? -1 };
    if (req.transactionalId === null) {
      // Kafka's check: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic.
      if (!ctx.authorizer.allowsSome(ctx, WRITE, AclResourceType.TOPIC) && !mayOnCluster(ctx, IDEMPOTENT_WRITE)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
      }
      try {
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...(await ctx.producerIds.initIdempotent(current)) };
      } catch (err) {
        ctx.log.error({ err }, 'no producer id could be reserved');
        return { throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, producerId: -1, producerEpoch: -1 };
      }
    }
    if (!mayOnTransactionalId(ctx, WRITE, req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    const r = await ctx.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs, current);
    return { throttleTimeMs: 0, errorCode: fencedForVersion(r.errorCode, ctx.apiVersion, 4), producerId: r.producerId, producerEpoch: r.producerEpoch };
  },
};
