// ListGroups v0-5 (v3+ flexible); v4 filters by state name (KIP-518), v5 by
// group type and names each group's type (KIP-848).

import { ErrorCode } from '../../protocol/error-codes.js';
import { ListGroupsRequest, ListGroupsResponse } from '../../protocol/messages/list-groups.js';
import { AclResourceType, CLUSTER_RESOURCE } from '../../broker/acl/acl-binding.js';
import { DESCRIBE, sees } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const listGroups: ApiHandler = {
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  request: ListGroupsRequest,
  response: ListGroupsResponse,
  handle(req, ctx) {
    // Every group with DESCRIBE on the cluster, else those the principal may describe, as Kafka.
    const all = sees(ctx, DESCRIBE, AclResourceType.CLUSTER, CLUSTER_RESOURCE);
    const groups = ctx.groups.listGroups(req.statesFilter, req.typesFilter).filter((g) => all || sees(ctx, DESCRIBE, AclResourceType.GROUP, g.groupId));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: g.type })),
    };
  },
};
