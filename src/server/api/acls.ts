// DescribeAcls, CreateAcls and DeleteAcls v1-3; broker/acl/acl-store.ts
// decides (validation, filter semantics, the file). Kafka answers
// SECURITY_DISABLED when no authorizer is configured; here the bindings
// always have a store, so they can be managed before an authorizer is on.
// Kafka asks the authorizer for DESCRIBE (describe) and ALTER (create,
// delete) on the cluster and answers CLUSTER_AUTHORIZATION_FAILED (describe:
// top-level; create and delete: on every binding and filter) when refused;
// so does Sluice.

import type { AclBinding, AclBindingFilter } from '../../broker/acl/acl-binding.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse, DescribeAclsRequest, DescribeAclsResponse } from '../../protocol/messages/acls.js';
import type { ApiHandler } from './handler.js';
import { ALTER, DESCRIBE, mayOnCluster } from './authorize.js';

const REFUSED = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'not allowed to see or change ACL bindings' };

/** A DescribeAcls request or a DeleteAcls filter as the store takes it. */
const filterOf = (m: Message): AclBindingFilter => ({
  resourceType: m.resourceTypeFilter,
  resourceName: m.resourceNameFilter,
  patternType: m.patternTypeFilter,
  principal: m.principalFilter,
  host: m.hostFilter,
  operation: m.operation,
  permissionType: m.permissionType,
});

/** DescribeAcls groups the bindings by resource pattern, each with its entries. */
function byResource(bindings: AclBinding[]): Message[] {
  const resources = new Map<string, Message>();
  for (const b of bindings) {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
    let resource = resources.get(key);
    if (!resource) resources.set(key, (resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    resource.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...resources.values()];
}

export const describeAcls: ApiHandler = {
  apiKey: 29,
  minVersion: 1,
  maxVersion: 3,
  request: DescribeAclsRequest,
  response: DescribeAclsResponse,
  handle(req, ctx) {
    if (!mayOnCluster(ctx, DESCRIBE)) return { throttleTimeMs: 0, ...REFUSED, resources: [] };
    const { errorCode, errorMessage, bindings } = ctx.acls.describe(filterOf(req));
    return { throttleTimeMs: 0, errorCode, errorMessage, resources: byResource(bindings) };
  },
};

export const createAcls: ApiHandler = {
  apiKey: 30,
  minVersion: 1,
  maxVersion: 3,
  request: CreateAclsRequest,
  response: CreateAclsResponse,
  async handle(req, ctx) {
    if (!mayOnCluster(ctx, ALTER)) return { throttleTimeMs: 0, results: req.creations.map(() => REFUSED) };
    const bindings = req.creations.map((c: Message) => ({
      resourceType: c.resourceType,
      resourceName: c.resourceName,
      patternType: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operation: c.operation,
      permissionType: c.permissionType,
    }));
    return { throttleTimeMs: 0, results: await ctx.acls.create(bindings) };
  },
};

export const deleteAcls: ApiHandler = {
  apiKey: 31,
  minVersion: 1,
  maxVersion: 3,
  request: DeleteAclsRequest,
  response: DeleteAclsResponse,
  async handle(req, ctx) {
    if (!mayOnCluster(ctx, ALTER)) return { throttleTimeMs: 0, filterResults: req.filters.map(() => ({ ...REFUSED, matchingAcls: [] })) };
    const results = await ctx.acls.delete(req.filters.map(filterOf));
    return {
      throttleTimeMs: 0,
      filterResults: results.map(({ errorCode, errorMessage, bindings }) => ({
        errorCode,
        errorMessage,
        matchingAcls: bindings.map((b) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...b })),
      })),
    };
  },
};
