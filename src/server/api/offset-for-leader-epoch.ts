// OffsetForLeaderEpoch v0-4 (v4 flexible): per partition, where the asked
// leader epoch ends in this leader's log (broker/offset-for-leader-epoch.ts).
// Followers ask it before fetching from a new leader (KIP-279); librdkafka
// asks it to validate a consumer's position after a leader change. Needs
// CLUSTER_ACTION on the cluster (brokers) or DESCRIBE on the topic, as Kafka.

import { epochEndOffset } from '../../broker/offset-for-leader-epoch.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../protocol/messages/offset-for-leader-epoch.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { ApiHandler } from './handler.js';
import { AclResourceType, CLUSTER_RESOURCE } from '../../broker/acl/acl-binding.js';
import { CLUSTER_ACTION, DESCRIBE, mayOnTopic, sees } from './authorize.js';

export const offsetForLeaderEpoch: ApiHandler = {
  apiKey: 23,
  minVersion: 0,
  maxVersion: 4,
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
  async handle(req, ctx) {
    const asBroker = sees(ctx, CLUSTER_ACTION, AclResourceType.CLUSTER, CLUSTER_RESOURCE);
    const topics = req.topics.map((t: Message) => {
      const allowed = asBroker || mayOnTopic(ctx, DESCRIBE, t.topic);
      return {
        topic: t.topic,
        partitions: t.partitions.map((p: Message) => ({
          partition: p.partition,
          ...(allowed ? epochEndOffset(ctx.broker, t.topic, p.partition, p.currentLeaderEpoch, p.leaderEpoch) : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, leaderEpoch: -1, endOffset: -1 }),
        })),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
};
