// CreatePartitions v0-3 (v2+ flexible): grows a topic; never shrinks it.
// Manual assignments are checked as Kafka checks them (INVALID_REPLICA_ASSIGNMENT).

import { TopicError } from '../../broker/broker.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from '../../protocol/messages/create-partitions.js';
import type { Message } from '../../protocol/codec.js';
import { ALTER, mayOnTopic } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const createPartitions: ApiHandler = {
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
  async handle(req, ctx) {
    const results = [];
    for (const t of req.topics) {
      if (!mayOnTopic(ctx, ALTER, t.name)) {
        results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `not allowed to alter topic '${t.name}'` });
        continue;
      }
      try {
        const assignments = t.assignments === null ? null : t.assignments.map((a: Message) => a.brokerIds as number[]);
        await ctx.broker.createPartitions(t.name, t.count, req.validateOnly, assignments);
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        if (!(err instanceof TopicError)) throw err;
        results.push({ name: t.name, errorCode: err.errorCode, errorMessage: err.message });
      }
    }
    return { throttleTimeMs: 0, results };
  },
};
