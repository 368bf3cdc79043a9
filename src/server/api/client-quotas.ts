// DescribeClientQuotas v0-1 and AlterClientQuotas v0-1 (KIP-546);
// broker/quota/client-quota-changes.ts decides. Kafka asks the authorizer for
// DESCRIBE_CONFIGS (describe) and ALTER_CONFIGS (alter) on the cluster and
// answers CLUSTER_AUTHORIZATION_FAILED (describe: top-level; alter: on every
// entry) when refused; so does Sluice.

import { alterQuotaEntities, describeQuotaEntities } from '../../broker/quota/client-quota-changes.js';
import { AlterClientQuotasRequest, AlterClientQuotasResponse, DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../../protocol/messages/client-quotas.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';
import { ALTER_CONFIGS, DESCRIBE_CONFIGS, mayOnCluster } from './authorize.js';

const REFUSED = 'not allowed to see or change client quotas';

export const describeClientQuotas: ApiHandler = {
  apiKey: 48,
  minVersion: 0,
  maxVersion: 1,
  request: DescribeClientQuotasRequest,
  response: DescribeClientQuotasResponse,
  handle(req, ctx) {
    if (!mayOnCluster(ctx, DESCRIBE_CONFIGS)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: REFUSED, entries: null };
    return { throttleTimeMs: 0, ...describeQuotaEntities(ctx.quotas.quotas, req.components, req.strict) };
  },
};

export const alterClientQuotas: ApiHandler = {
  apiKey: 49,
  minVersion: 0,
  maxVersion: 1,
  request: AlterClientQuotasRequest,
  response: AlterClientQuotasResponse,
  async handle(req, ctx) {
    if (!mayOnCluster(ctx, ALTER_CONFIGS)) {
      return { throttleTimeMs: 0, entries: req.entries.map((e: Message) => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: REFUSED, entity: e.entity })) };
    }
    return { throttleTimeMs: 0, entries: await alterQuotaEntities(ctx.quotas.quotas, req.entries, req.validateOnly) };
  },
};
