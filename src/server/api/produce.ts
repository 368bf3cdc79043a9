// Produce v0-9 (v9+ flexible). v0-2 are advertised only so that librdkafka
// keeps compressing (it gates codecs on a range that includes 0); their
// message sets (magic 0/1) are refused per partition. Records stay raw bytes
// from the frame to the log. acks=0 gets no response at all.

import { produceToPartition } from '../../broker/produce.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';

export const produce: ApiHandler = {
  apiKey: 0,
  minVersion: 0,
  maxVersion: 9,
  request: ProduceRequest,
  response: ProduceResponse,
  async handle(req, ctx) {
    const acks: number = req.acks;
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    // Every partition's append starts here, synchronously and in request order.
    const responses = req.topicData.map((topic: Message) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p: Message) =>
        validAcks
          ? produceToPartition(ctx.broker, topic.name, p.index, p.records, acks, ctx.log, req.timeoutMs).then((r) => ({ index: p.index, ...r }))
          : { index: p.index, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null },
      ),
    }));
    for (const topic of responses) topic.partitionResponses = await Promise.all(topic.partitionResponses);
    if (acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
};
