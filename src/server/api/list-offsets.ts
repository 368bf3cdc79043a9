// ListOffsets v0-7 (v6+ flexible): earliest, latest, max timestamp (v7,
// KIP-734) and by time; v0 answers its array of offsets (max_num_offsets).
// Latest with isolation_level 1 (v2+) answers the last stable offset. The
// broker decides (broker/list-offsets.ts), waiting for acks=1 writes to be
// committed first, so the answer may come after an fsync. Only the leader
// answers, checked against the client's leader epoch (v4+, KIP-320). Needs
// DESCRIBE on the topic.

import { leaderError } from '../../broker/leader-check.js';
import { listOffset, listOffsetsV0 } from '../../broker/list-offsets.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/list-offsets.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';
import { DESCRIBE, mayOnTopic } from './authorize.js';

const READ_COMMITTED = 1;

export const listOffsets: ApiHandler = {
  apiKey: 2,
  minVersion: 0,
  maxVersion: 7,
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  async handle(req, ctx) {
    const answerPartition = async (topic: string, p: Message): Promise<Message> => {
      const partition = ctx.broker.partition(topic, p.partitionIndex);
      const errorCode = !mayOnTopic(ctx, DESCRIBE, topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : partition ? leaderError(partition, p.currentLeaderEpoch) : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (!partition || errorCode !== ErrorCode.NONE) return { partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
      if (ctx.apiVersion === 0) {
        const { errorCode, offsets } = await listOffsetsV0(partition, p.timestamp, p.maxNumOffsets);
        return { partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: offsets };
      }
      const found = await listOffset(partition, p.timestamp, req.isolationLevel === READ_COMMITTED);
      return { partitionIndex: p.partitionIndex, ...found, leaderEpoch: found.offset === -1 ? -1 : partition.leaderEpoch };
    };
    const topics = await Promise.all(
      req.topics.map(async (t: Message) => ({ name: t.name, partitions: await Promise.all(t.partitions.map((p: Message) => answerPartition(t.name, p))) })),
    );
    return { throttleTimeMs: 0, topics };
  },
};
