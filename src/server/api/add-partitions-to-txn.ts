// AddPartitionsToTxn v0-3 (v3 flexible). v4+ (broker-to-broker batches,
// KIP-890) is not served. PRODUCER_FENCED from v2.

import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../protocol/messages/add-partitions-to-txn.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';
import { fencedForVersion } from './txn-errors.js';

export const addPartitionsToTxn: ApiHandler = {
  apiKey: 24,
  minVersion: 0,
  maxVersion: 3,
  request: AddPartitionsToTxnRequest,
  response: AddPartitionsToTxnResponse,
  async handle(req, ctx) {
    const topics = req.v3AndBelowTopics.map((t: Message) => ({ topic: t.name, partitions: t.partitions }));
    const results = await ctx.txns.addPartitions(req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, topics);
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: results.map((t) => ({
        name: t.topic,
        resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p.partition, partitionErrorCode: fencedForVersion(p.errorCode, ctx.apiVersion, 2) })),
      })),
    };
  },
};
