// AddPartitionsToTxn v0-3 (v3 flexible). v4+ (broker-to-broker batches,
// KIP-890) is not served. PRODUCER_FENCED from v2.

import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../protocol/messages/add-partitions-to-txn.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { WRITE, mayOnTopic, mayOnTransactionalId } from './authorize.js';
import type { ApiHandler, RequestContext } from './handler.js';
import { fencedForVersion } from './txn-errors.js';

/**
 * Kafka's checks: WRITE on the transactional id, else every partition is
 * refused; WRITE on each topic, else the refused topics' partitions answer
 * TOPIC_AUTHORIZATION_FAILED and the others OPERATION_NOT_ATTEMPTED. Null when all may be added.
 */
function refusedPartitions(ctx: RequestContext, transactionalId: string, topics: { topic: string; partitions: number[] }[]) {
  const answer = (code: (topic: string) => number) => topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition, errorCode: code(t.topic) })) }));
  if (!mayOnTransactionalId(ctx, WRITE, transactionalId)) return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const refused = new Set(topics.map((t) => t.topic).filter((topic) => !mayOnTopic(ctx, WRITE, topic)));
  if (refused.size === 0) return null;
  return answer((topic) => (refused.has(topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED));
}

export const addPartitionsToTxn: ApiHandler = {
  apiKey: 24,
  minVersion: 0,
  maxVersion: 3,
  request: AddPartitionsToTxnRequest,
  response: AddPartitionsToTxnResponse,
  async handle(req, ctx) {
    const topics = req.v3AndBelowTopics.map((t: Message) => ({ topic: t.name, partitions: t.partitions }));
    const results = refusedPartitions(ctx, req.v3AndBelowTransactionalId, topics) ?? (await ctx.txns.addPartitions(req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, topics));
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: results.map((t) => ({
        name: t.topic,
        resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p.partition, partitionErrorCode: fencedForVersion(p.errorCode, ctx.apiVersion, 2) })),
      })),
    };
  },
};
