// DescribeTransactions v0 (flexible, KIP-664): state, producer id and epoch,
// timeout, start time and partitions of each transactional id.

import { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../../protocol/messages/describe-transactions.js';
import type { ApiHandler } from './handler.js';

export const describeTransactions: ApiHandler = {
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  request: DescribeTransactionsRequest,
  response: DescribeTransactionsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id: string) => {
        const d = ctx.txns.describe(id);
        return {
          errorCode: d.errorCode,
          transactionalId: id,
          transactionState: d.state,
          transactionTimeoutMs: d.timeoutMs,
          transactionStartTimeMs: d.startMs,
          producerId: d.producerId,
          producerEpoch: d.producerEpoch,
          topics: d.topics,
        };
      }),
    };
  },
};
