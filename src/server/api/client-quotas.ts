// DescribeClientQuotas v0-1 and AlterClientQuotas v0-1 (KIP-546);
// broker/quota/client-quota-changes.ts decides. Kafka asks the authorizer for
// DESCRIBE_CONFIGS (describe) and ALTER_CONFIGS (alter) on the cluster:
// `clusterAllows` is where that check goes; until an authorizer exists every
// client may call them, as any other admin API.

import { alterQuotaEntities, describeQuotaEntities } from '../../broker/quota/client-quota-changes.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { AlterClientQuotasRequest, AlterClientQuotasResponse, DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../../protocol/messages/client-quotas.js';
import type { ApiHandler, RequestContext } from './handler.js';

/** Whether the request's principal may do `operation` on the cluster resource. */
function clusterAllows(_ctx: RequestContext, _operation: 'DESCRIBE_CONFIGS' | 'ALTER_CONFIGS'): boolean {
  return true;
}

const denied = (operation: string) => `Cluster authorization failed: ${operation} on the cluster is not allowed`;

export const describeClientQuotas: ApiHandler = {
  apiKey: 48,
  minVersion: 0,
  maxVersion: 1,
  request: DescribeClientQuotasRequest,
  response: DescribeClientQuotasResponse,
  handle(req, ctx) {
    if (!clusterAllows(ctx, 'DESCRIBE_CONFIGS')) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: denied('DESCRIBE_CONFIGS'), entries: null };
    }
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
    if (!clusterAllows(ctx, 'ALTER_CONFIGS')) {
      const entries = req.entries.map((e: Message) => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: denied('ALTER_CONFIGS'), entity: e.entity }));
      return { throttleTimeMs: 0, entries };
    }
    return { throttleTimeMs: 0, entries: alterQuotaEntities(ctx.quotas.quotas, req.entries, req.validateOnly) };
  },
};
