// CreateTopics v0-7 (v5+ flexible: the response echoes configs, v7 topic ids).
// Replication factor and manual replica assignments are checked as Kafka's
// controller checks them; on one broker that leaves factor -1 or 1 and
// assignments naming this broker. Creating needs CREATE on the cluster or the
// topic; the configs are echoed only with DESCRIBE_CONFIGS on the topic (else
// topic_config_error_code says why), as Kafka.

import { TopicError } from '../../broker/broker.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/messages/create-topics.js';
import type { Message } from '../../protocol/codec.js';
import { DESCRIBE_CONFIGS, mayCreateTopic, mayOnTopic } from './authorize.js';
import type { ApiHandler, RequestContext } from './handler.js';

async function createOne(t: Message, req: Message, ctx: RequestContext): Promise<Message> {
  const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null });
  const configs: Record<string, string> = {};
  for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
  const replication = { replicationFactor: t.replicationFactor, assignments: t.assignments };
  if (!mayCreateTopic(ctx, t.name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not allowed to create topic '${t.name}'`);
  try {
    const topic = await ctx.broker.createTopic(t.name, t.numPartitions, configs, req.validateOnly, replication);
    // Not topic.partitions.length: a validate-only creation has no partitions.
    const numPartitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? ctx.config.numPartitions : t.numPartitions;
    const base = { name: t.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions, replicationFactor: 1 };
    if (!mayOnTopic(ctx, DESCRIBE_CONFIGS, t.name)) return { ...base, topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, configs: null };
    return {
      ...base,
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
