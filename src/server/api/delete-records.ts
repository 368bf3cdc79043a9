// DeleteRecords v0-2 (v2 flexible): moves the log start offset forward.
// Offset -1 means "up to the high watermark", as in Kafka; the broker decides
// (broker/delete-records.ts), after acks=1 writes up to the log end are committed.

import { deleteRecordsBefore } from '../../broker/delete-records.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/delete-records.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DELETE, mayOnTopic } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const deleteRecords: ApiHandler = {
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  async handle(req, ctx) {
    const topics = await Promise.all(
      req.topics.map(async (t: Message) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p: Message) =>
            mayOnTopic(ctx, DELETE, t.name)
              ? { partitionIndex: p.partitionIndex, ...(await deleteRecordsBefore(ctx.broker, t.name, p.partitionIndex, p.offset)) }
              : { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
          ),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
};
