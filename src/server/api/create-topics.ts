// CreateTopics v0-7 (v5+ flexible: the response echoes configs, v7 topic ids).
// Replica assignments must name this broker; replication factor -1 or 1.

import { TopicError } from '../../broker/broker.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/messages/create-topics.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler, RequestContext } from './handler.js';

async function createOne(t: Message, req: Message, ctx: RequestContext): Promise<Message> {
  const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null });
  const brokers = ctx.broker.cluster.brokers().length;
  if (t.replicationFactor !== -1 && (t.replicationFactor < 1 || t.replicationFactor > brokers)) {
    return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${t.replicationFactor} is larger than the ${brokers} available broker(s)`);
  }
  const configs: Record<string, string> = {};
  for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
  let numPartitions: number = t.numPartitions;
  if (t.assignments.length > 0) {
    if (numPartitions !== -1) return fail(ErrorCode.INVALID_REQUEST, 'give either numPartitions or replica assignments, not both');
    numPartitions = t.assignments.length;
  }
  try {
    const topic = await ctx.broker.createTopic(t.name, numPartitions, configs, req.validateOnly);
    return {
      name: t.name,
      topicId: topic.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: numPartitions === -1 ? ctx.config.numPartitions : numPartitions,
      replicationFactor: 1,
      configs: ctx.broker.dynamicConfig.describeTopic(configs).map((c) => ({
        name: c.def.name,
        value: c.value,
        readOnly: c.readOnly,
        configSource: c.source,
        isSensitive: false,
      })),
    };
  } catch (err) {
    if (err instanceof TopicError) return fail(err.errorCode, err.message);
    throw err;
  }
}

export const createTopics: ApiHandler = {
  apiKey: 19,
  minVersion: 0,
  maxVersion: 7,
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  async handle(req, ctx) {
    const topics = [];
    for (const t of req.topics) topics.push(await createOne(t, req, ctx));
    return { throttleTimeMs: 0, topics };
  },
};
