// Produce v0-9 (v9+ flexible). v0-2 are advertised only so that librdkafka
// keeps compressing (it gates codecs on a range that includes 0); their
// message sets (magic 0/1) are refused per partition. Records stay raw bytes
// from the frame to the log. acks=0 gets no response at all. Writing needs
// WRITE on the topic (and on the transactional id of a transactional batch);
// a topic that does not exist is created only for a principal that may create it.

import { produceToPartition } from '../../broker/produce.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler, RequestContext } from './handler.js';
import { WRITE, mayCreateTopic, mayOnTopic, mayOnTransactionalId } from './authorize.js';

const refused = (index: number, errorCode: number) => ({ index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null });

/** The error every partition of `topic` gets before any is written, or NONE. */
function topicError(req: Message, topic: string, ctx: RequestContext): number {
  const acks: number = req.acks;
  if (acks !== 0 && acks !== 1 && acks !== -1) return ErrorCode.INVALID_REQUIRED_ACKS;
  if (req.transactionalId !== null && !mayOnTransactionalId(ctx, WRITE, req.transactionalId)) return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  if (!mayOnTopic(ctx, WRITE, topic)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  return ErrorCode.NONE;
}

export const produce: ApiHandler = {
  apiKey: 0,
  minVersion: 0,
  maxVersion: 9,
  request: ProduceRequest,
  response: ProduceResponse,
  async handle(req, ctx) {
    const acks: number = req.acks;
    // Every partition's append starts here, synchronously and in request order.
    const responses = req.topicData.map((topic: Message) => {
      const errorCode = topicError(req, topic.name, ctx);
      const mayCreate = errorCode === ErrorCode.NONE && ctx.broker.cluster.topic(topic.name) === undefined && mayCreateTopic(ctx, topic.name);
      return {
        name: topic.name,
        partitionResponses: topic.partitionData.map((p: Message) =>
          errorCode === ErrorCode.NONE
            ? produceToPartition(ctx.broker, topic.name, p.index, p.records, acks, ctx.log, { timeoutMs: req.timeoutMs, mayCreate }).then((r) => ({ index: p.index, ...r }))
            : refused(p.index, errorCode),
        ),
      };
    });
    for (const topic of responses) topic.partitionResponses = await Promise.all(topic.partitionResponses);
    if (acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
};
