// OffsetDelete v0 (KIP-496): deletes a group's committed offsets for topics
// it does not subscribe to (any topic once the group is empty);
// GROUP_SUBSCRIBED_TO_TOPIC for the others.

import { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/offset-delete.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';

export const offsetDelete: ApiHandler = {
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
  async handle(req, ctx) {
    const wanted = req.topics.map((t: Message) => ({ topic: t.name, partitions: t.partitions.map((p: Message) => p.partitionIndex) }));
    const { errorCode, results } = await ctx.groups.deleteOffsets(req.groupId, wanted);
    const byTopic = new Map<string, Message[]>();
    for (const r of results) {
      let partitions = byTopic.get(r.topic);
      if (!partitions) byTopic.set(r.topic, (partitions = []));
      partitions.push({ partitionIndex: r.partition, errorCode: r.errorCode });
    }
    return { errorCode, throttleTimeMs: 0, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
  },
};
