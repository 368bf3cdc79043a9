// ShareAcknowledge v1-2 (KIP-932; flexible): acknowledgements outside a fetch,
// within the member's share session (epoch -1 closes it). v2 carries renewals
// (AcknowledgeType 4, KIP-1222) and answers the lock duration. READ on the
// group and on each topic, as ShareFetch; a partition this broker does not
// lead answers NOT_LEADER_OR_FOLLOWER with the leader's hint.

import { ErrorCode } from '../../protocol/error-codes.js';
import { ShareAcknowledgeRequest, ShareAcknowledgeResponse } from '../../protocol/messages/share-acknowledge.js';
import { READ, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';
import { byTopic, readablePartitions } from './share-fetch.js';
import { ShareLeaderHints } from './share-leader-hints.js';

export const shareAcknowledge: ApiHandler = {
  apiKey: 79,
  minVersion: 1,
  maxVersion: 2,
  request: ShareAcknowledgeRequest,
  response: ShareAcknowledgeResponse,
  async handle(req, ctx) {
    const lockMs = ctx.shares.lockDurationMsOf(req.groupId ?? '');
    if (req.groupId === null || req.memberId === null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'ShareAcknowledge needs a group id and a member id', acquisitionLockTimeoutMs: lockMs, responses: [], nodeEndpoints: [] };
    }
    if (!mayOnGroup(ctx, READ, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'not allowed to acknowledge as this share group', acquisitionLockTimeoutMs: lockMs, responses: [], nodeEndpoints: [] };
    }
    const { allowed, refused } = readablePartitions(ctx, req.topics);
    const out = await ctx.shares.acknowledge(req.groupId, req.memberId, req.shareSessionEpoch, allowed);
    const hints = new ShareLeaderHints(ctx);
    const responses = byTopic([...out.partitions, ...refused.map((p) => ({ ...p, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }))], (p) => ({
      partitionIndex: p.partition,
      errorCode: p.errorCode,
      errorMessage: null,
      currentLeader: hints.currentLeader(p, -1),
    }));
    return {
      throttleTimeMs: 0,
      errorCode: out.errorCode,
      errorMessage: out.errorMessage,
      acquisitionLockTimeoutMs: lockMs,
      responses,
      nodeEndpoints: hints.nodeEndpoints(),
    };
  },
};
