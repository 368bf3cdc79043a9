// OffsetFetch v0-9 (v6+ flexible). v2+ may ask for every committed offset of
// the group (topics null) and carries a group-level error; v8 asks for several
// groups at once (KIP-709); v9 names the member and its epoch, checked in
// consumer-protocol groups (KIP-848: UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH as
// the group's error). With require_stable (v7+), a partition with
// transactional offsets awaiting their transaction's outcome gets
// UNSTABLE_OFFSET_COMMIT; without it the last committed offset. A partition without a committed offset
// gets offset -1 and no error, as Kafka. The answer waits for the group's
// offset writes in flight, so it sees a commit sent before it. A group this
// broker does not coordinate answers NOT_COORDINATOR (or
// COORDINATOR_LOAD_IN_PROGRESS), per group from v8, per partition in v0-1.

import { ErrorCode } from '../../protocol/error-codes.js';
import { OffsetFetchRequest, OffsetFetchResponse } from '../../protocol/messages/offset-fetch.js';
import type { Message } from '../../protocol/codec.js';
import { AclResourceType } from '../../broker/acl/acl-binding.js';
import { DESCRIBE, mayOnGroup, mayOnTopic, sees } from './authorize.js';
import type { ApiHandler, RequestContext } from './handler.js';

async function fetchGroup(groupId: string, topics: Message[] | null, requireStable: boolean, ctx: RequestContext): Promise<Message[]> {
  await ctx.groups.offsetWritesSettled(groupId);
  const wanted = topics === null ? null : topics.map((t) => ({ topic: t.name, partitions: t.partitionIndexes }));
  const byTopic = new Map<string, Message[]>();
  for (const o of ctx.groups.fetchOffsets(groupId, wanted, requireStable)) {
    // Asked for every topic, the answer holds only those the principal may describe; asked by name, the others are refused.
    const allowed = wanted === null ? sees(ctx, DESCRIBE, AclResourceType.TOPIC, o.topic) : mayOnTopic(ctx, DESCRIBE, o.topic);
    if (!allowed && wanted === null) continue;
    let partitions = byTopic.get(o.topic);
    if (!partitions) byTopic.set(o.topic, (partitions = []));
    partitions.push({
      partitionIndex: o.partition,
      ...(allowed
        ? { committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: o.errorCode }
        : { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }),
    });
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

export const offsetFetch: ApiHandler = {
  apiKey: 9,
  minVersion: 0,
  maxVersion: 9,
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  async handle(req, ctx) {
    if (ctx.apiVersion >= 8) {
      const groups = await Promise.all(
        req.groups.map(async (g: Message) => {
          const errorCode = mayOnGroup(ctx, DESCRIBE, g.groupId) ? ctx.groups.fetchOffsetsError(g.groupId, g.memberId ?? null, g.memberEpoch) : ErrorCode.GROUP_AUTHORIZATION_FAILED;
          const topics = errorCode === ErrorCode.NONE ? await fetchGroup(g.groupId, g.topics, req.requireStable === true, ctx) : [];
          return { groupId: g.groupId, topics, errorCode };
        }),
      );
      return { throttleTimeMs: 0, groups };
    }
    const errorCode = mayOnGroup(ctx, DESCRIBE, req.groupId) ? ctx.groups.coordinatorError(req.groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    if (errorCode === ErrorCode.NONE) return { throttleTimeMs: 0, topics: await fetchGroup(req.groupId, req.topics, req.requireStable === true, ctx), errorCode };
    // v0-1 have no group-level error: each partition asked for carries it.
    const topics = (req.topics ?? []).map((t: Message) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex: number) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
    }));
    return { throttleTimeMs: 0, topics: ctx.apiVersion < 2 ? topics : [], errorCode };
  },
};
