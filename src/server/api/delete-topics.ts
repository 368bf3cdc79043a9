// DeleteTopics v0-6 (v4+ flexible; v6 names topics by name or id).

import { TopicError } from '../../broker/broker.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from '../../protocol/messages/delete-topics.js';
import { DELETE, mayOnTopic } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const deleteTopics: ApiHandler = {
  apiKey: 20,
  minVersion: 0,
  maxVersion: 6,
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
  async handle(req, ctx) {
    const wanted: { name: string | null; topicId: Buffer | undefined }[] =
      ctx.apiVersion >= 6 ? req.topics : req.topicNames.map((name: string) => ({ name, topicId: undefined }));
    const responses = [];
    for (const w of wanted) {
      const topic = w.name !== null ? ctx.broker.cluster.topic(w.name) : ctx.broker.cluster.topicById(w.topicId as Buffer);
      // Whether a topic exists is told only to those who may delete it, as Kafka does.
      if (w.name !== null ? !mayOnTopic(ctx, DELETE, w.name) : topic && !mayOnTopic(ctx, DELETE, topic.name)) {
        responses.push({ name: w.name, topicId: w.topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'not allowed to delete this topic' });
        continue;
      }
      if (!topic) {
        const errorCode = w.name === null ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        responses.push({ name: w.name, topicId: w.topicId, errorCode, errorMessage: 'no such topic' });
        continue;
      }
      try {
        await ctx.broker.deleteTopic(topic.name);
        responses.push({ name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        if (!(err instanceof TopicError)) throw err;
        responses.push({ name: topic.name, topicId: topic.topicId, errorCode: err.errorCode, errorMessage: err.message });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
};
