// DescribeClientQuotas v0-1 and AlterClientQuotas v0-1 (KIP-546);
// broker/quota/client-quota-changes.ts decides. Kafka asks the authorizer for
// DESCRIBE_CONFIGS (describe) and ALTER_CONFIGS (alter) on the cluster and
// answers CLUSTER_AUTHORIZATION_FAILED (describe: top-level; alter: on every
// entry) when refused: that check goes at the start of each handle() below,
// marked. Until an authorizer exists every client may call them, as any
// other admin API.

import { alterQuotaEntities, describeQuotaEntities } from '../../broker/quota/client-quota-changes.js';
import { AlterClientQuotasRequest, AlterClientQuotasResponse, DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../../protocol/messages/client-quotas.js';
import type { ApiHandler } from './handler.js';

export const describeClientQuotas: ApiHandler = {
  apiKey: 48,
  minVersion: 0,
  maxVersion: 1,
  request: DescribeClientQuotasRequest,
  response: DescribeClientQuotasResponse,
  handle(req, ctx) {
    // Authorization: DESCRIBE_CONFIGS on the cluster.
    return { throttleTimeMs: 0, ...describeQuotaEntities(ctx.quotas.quotas, req.components, req.strict) };
  },
};

export const alterClientQuotas: ApiHandler = {
  apiKey: 49,
  minVersion: 0,
  maxVersion: 1,
  request: AlterClientQuotasRequest,
  response: AlterClientQuotasResponse,
  handle(req, ctx) {
    // Authorization: ALTER_CONFIGS on the cluster.
    return { throttleTimeMs: 0, entries: alterQuotaEntities(ctx.quotas.quotas, req.entries, req.validateOnly) };
  },
};
