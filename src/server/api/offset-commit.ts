// OffsetCommit v0-9 (v8+ flexible). v0 has no generation: a "simple" commit
// outside group management. v1's per-partition commit timestamp is kept;
// v2-4's retention time is ignored (offsets expire per offsetsRetentionMinutes,
// as in Kafka 2.1+ for the v3 records we write); v6+ carries the leader epoch,
// v7+ the group instance id. v9 is v8 whose generation is a member epoch in
// consumer-protocol groups (KIP-848: STALE_MEMBER_EPOCH, FENCED_MEMBER_EPOCH).
// The response waits until the offsets are durable in __consumer_offsets.

import { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/messages/offset-commit.js';
import type { ApiHandler } from './handler.js';
import { commitAuthorized, offsetCommitEntries, perPartitionErrors } from './offset-commit-entries.js';

export const offsetCommit: ApiHandler = {
  apiKey: 8,
  minVersion: 0,
  maxVersion: 9,
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
  async handle(req, ctx) {
    const entries = offsetCommitEntries(req.topics, (p) => (ctx.apiVersion === 1 ? p.commitTimestamp : -1));
    const member = { memberId: req.memberId, groupInstanceId: req.groupInstanceId ?? null, generationId: req.generationIdOrMemberEpoch };
    const errors = await commitAuthorized(ctx, req.groupId, entries, (allowed) => ctx.groups.commitOffsets(req.groupId, member, allowed));
    return { throttleTimeMs: 0, topics: perPartitionErrors(req.topics, errors) };
  },
};
