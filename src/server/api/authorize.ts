// What handlers ask the broker's authorizer (broker/acl/authorizer.ts): may
// this request's principal, from its address, perform an operation on a
// resource. Kafka's KafkaApis checks, resource by resource; a refused resource
// gets its *_AUTHORIZATION_FAILED code and the others are served.

import { AclOperation, AclResourceType, CLUSTER_RESOURCE } from '../../broker/acl/acl-binding.js';
import { authorizedOperations } from '../../broker/acl/authorizer.js';
import { ResourceType as ConfigResourceType } from '../../broker/config-changes.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { RequestContext } from './handler.js';

export const { READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE } = AclOperation;

/** Whether the request may perform `operation` on the resource; a refusal is noted (counted, logged at debug). */
function may(ctx: RequestContext, operation: number, resourceType: number, name: string): boolean {
  if (ctx.authorizer.allows(ctx, operation, resourceType, name)) return true;
  ctx.authorizer.refused(ctx, operation, resourceType, name);
  return false;
}

export const mayOnTopic = (ctx: RequestContext, operation: number, topic: string): boolean => may(ctx, operation, AclResourceType.TOPIC, topic);

export const mayOnGroup = (ctx: RequestContext, operation: number, group: string): boolean => may(ctx, operation, AclResourceType.GROUP, group);

export const mayOnCluster = (ctx: RequestContext, operation: number): boolean => may(ctx, operation, AclResourceType.CLUSTER, CLUSTER_RESOURCE);

export const mayOnTransactionalId = (ctx: RequestContext, operation: number, id: string): boolean => may(ctx, operation, AclResourceType.TRANSACTIONAL_ID, id);

/** What a listing shows, and the first of two ways to be allowed: asked without noting a refusal. */
export const sees = (ctx: RequestContext, operation: number, resourceType: number, name: string): boolean => ctx.authorizer.allows(ctx, operation, resourceType, name);

/** Whether a topic may be created: CREATE on the cluster, or on the topic (Kafka checks both). */
export const mayCreateTopic = (ctx: RequestContext, topic: string): boolean => sees(ctx, CREATE, AclResourceType.CLUSTER, CLUSTER_RESOURCE) || mayOnTopic(ctx, CREATE, topic);

/** The authorized-operations field of a resource (KIP-430), when the request asks for it. */
export const operationsField = (ctx: RequestContext, requested: boolean, resourceType: number, name: string): number =>
  authorizedOperations(ctx.authorizer, ctx, requested, resourceType, name);

/** Why a config resource (Describe/AlterConfigs' resource types) is refused `operation`, or NONE. */
export function configResourceError(ctx: RequestContext, operation: number, resourceType: number, name: string): number {
  switch (resourceType) {
    case ConfigResourceType.TOPIC:
      return mayOnTopic(ctx, operation, name) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    case ConfigResourceType.GROUP:
      return mayOnGroup(ctx, operation, name) ? ErrorCode.NONE : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    default:
      return mayOnCluster(ctx, operation) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  }
}

/** Why a member may not heartbeat into a group (consumer or share protocol), or NONE: READ on the group, DESCRIBE on each topic it subscribes to. */
export function heartbeatError(ctx: RequestContext, groupId: string, subscribedTopicNames: string[] | null): number {
  if (!mayOnGroup(ctx, READ, groupId)) return ErrorCode.GROUP_AUTHORIZATION_FAILED;
  if (subscribedTopicNames?.some((topic) => !mayOnTopic(ctx, DESCRIBE, topic))) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  return ErrorCode.NONE;
}

/** A consumer or share group description refused for want of DESCRIBE on the group. */
export const refusedGroup = (groupId: string) => ({
  errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  errorMessage: 'not allowed to describe this group',
  groupId,
  groupState: '',
  groupEpoch: -1,
  assignmentEpoch: -1,
  assignorName: '',
  members: [],
});
