// DeleteRecords v0-2 (v2 flexible): moves the log start offset forward.
// Offset -1 means "up to the high watermark", as in Kafka.

import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/delete-records.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';

export const deleteRecords: ApiHandler = {
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  handle(req, ctx) {
    const topics = req.topics.map((t: Message) => ({
      name: t.name,
      partitions: t.partitions.map((p: Message) => {
        const partition = ctx.broker.partition(t.name, p.partitionIndex);
        if (!partition) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const offset = p.offset === -1 ? partition.highWatermark : p.offset;
        if (offset < 0 || offset > partition.highWatermark) {
          return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        }
        if (offset > partition.logStartOffset) partition.log.advanceLogStart(offset);
        return { partitionIndex: p.partitionIndex, lowWatermark: partition.logStartOffset, errorCode: ErrorCode.NONE };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
};
