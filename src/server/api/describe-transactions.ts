// DescribeTransactions v0 (flexible, KIP-664): state, producer id and epoch,
// timeout, start time and partitions of each transactional id.

import { DescribeTransactionsRequest, DescribeTransactionsResponse } from '../../protocol/messages/describe-transactions.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AclResourceType } from '../../broker/acl/acl-binding.js';
import { DESCRIBE, mayOnTransactionalId, sees } from './authorize.js';
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
        if (!mayOnTransactionalId(ctx, DESCRIBE, id)) {
          return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId: id, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
        }
        return {
          errorCode: d.errorCode,
          transactionalId: id,
          transactionState: d.state,
          transactionTimeoutMs: d.timeoutMs,
          transactionStartTimeMs: d.startMs,
          producerId: d.producerId,
          producerEpoch: d.producerEpoch,
          // Kafka leaves out the topics the principal may not describe.
          topics: d.topics.filter((t) => sees(ctx, DESCRIBE, AclResourceType.TOPIC, t.topic)),
        };
      }),
    };
  },
};
