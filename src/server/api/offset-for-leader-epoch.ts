// OffsetForLeaderEpoch v0-4 (v4 flexible): per partition, where the asked
// leader epoch ends in this leader's log (broker/offset-for-leader-epoch.ts).
// Followers ask it before fetching from a new leader (KIP-279); librdkafka
// asks it to validate a consumer's position after a leader change.

import { epochEndOffset } from '../../broker/offset-for-leader-epoch.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../protocol/messages/offset-for-leader-epoch.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';

export const offsetForLeaderEpoch: ApiHandler = {
  apiKey: 23,
  minVersion: 0,
  maxVersion: 4,
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
  async handle(req, ctx) {
    const topics = req.topics.map((t: Message) => ({
      topic: t.topic,
      partitions: t.partitions.map((p: Message) => ({ partition: p.partition, ...epochEndOffset(ctx.broker, t.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch) })),
    }));
    return { throttleTimeMs: 0, topics };
  },
};
