// OffsetDelete v0 (KIP-496): deletes a group's committed offsets for topics
// it does not subscribe to (any topic once the group is empty);
// GROUP_SUBSCRIBED_TO_TOPIC for the others.

import { ErrorCode } from '../../protocol/error-codes.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/offset-delete.js';
import type { Message } from '../../protocol/codec.js';
import { DELETE, READ, mayOnGroup, mayOnTopic } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const offsetDelete: ApiHandler = {
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
  async handle(req, ctx) {
    if (!mayOnGroup(ctx, DELETE, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const refused = req.topics.filter((t: Message) => !mayOnTopic(ctx, READ, t.name));
    const wanted = req.topics.filter((t: Message) => !refused.includes(t)).map((t: Message) => ({ topic: t.name, partitions: t.partitions.map((p: Message) => p.partitionIndex) }));
    const { errorCode, results } = await ctx.groups.deleteOffsets(req.groupId, wanted);
    const byTopic = new Map<string, Message[]>();
    const denied = refused.flatMap((t: Message) => t.partitions.map((p: Message) => ({ topic: t.name, partition: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })));
    for (const r of [...results, ...denied]) {
      let partitions = byTopic.get(r.topic);
      if (!partitions) byTopic.set(r.topic, (partitions = []));
      partitions.push({ partitionIndex: r.partition, errorCode: r.errorCode });
    }
    return { errorCode, throttleTimeMs: 0, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
  },
};
