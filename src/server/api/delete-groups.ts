// DeleteGroups v0-2 (v2+ flexible). Only an empty group is deleted
// (NON_EMPTY_GROUP otherwise), with all its committed offsets, or for a share
// group its partitions' delivery state.

import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/messages/delete-groups.js';
import { DELETE, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const deleteGroups: ApiHandler = {
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  async handle(req, ctx) {
    const deleteOne = (groupId: string): Promise<number> | number =>
      !mayOnGroup(ctx, DELETE, groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED : ctx.shares.has(groupId) ? ctx.shares.deleteGroup(groupId) : ctx.groups.deleteGroup(groupId);
    const results = await Promise.all(req.groupsNames.map(async (groupId: string) => ({ groupId, errorCode: await deleteOne(groupId) })));
    return { throttleTimeMs: 0, results };
  },
};
