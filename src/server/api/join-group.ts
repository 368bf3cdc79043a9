// JoinGroup v0-7 (v6+ flexible). v0 has no rebalance timeout: the session
// timeout stands in. v4+: a new dynamic member first gets MEMBER_ID_REQUIRED
// with its id and joins again with it (KIP-394). v5+: static members
// (group.instance.id, KIP-345). v7 echoes the protocol type. The response
// waits until the rebalance completes (or the rebalance timeout passes).

import { ErrorCode } from '../../protocol/error-codes.js';
import { JoinGroupRequest, JoinGroupResponse } from '../../protocol/messages/join-group.js';
import type { Message } from '../../protocol/codec.js';
import { READ, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';

const EMPTY = Buffer.alloc(0);

export const joinGroup: ApiHandler = {
  apiKey: 11,
  minVersion: 0,
  maxVersion: 7,
  request: JoinGroupRequest,
  response: JoinGroupResponse,
  async handle(req, ctx) {
    if (!mayOnGroup(ctx, READ, req.groupId)) {
      const errorCode = ErrorCode.GROUP_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: ctx.apiVersion >= 7 ? null : '', leader: '', memberId: req.memberId, members: [] };
    }
    const result = await ctx.groups.join(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId ?? null,
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.apiVersion === 0 || req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p: Message) => ({ name: p.name, metadata: p.metadata ?? EMPTY })),
      requireKnownMemberId: ctx.apiVersion >= 4,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // Nullable only from v7.
      protocolName: result.protocolName ?? (ctx.apiVersion >= 7 ? null : ''),
      leader: result.leaderId,
      memberId: result.memberId,
      members: result.members,
    };
  },
};
