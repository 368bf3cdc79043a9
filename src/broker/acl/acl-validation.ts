// What CreateAcls accepts and what Describe/DeleteAcls filters may say. Each
// check returns the message Kafka's INVALID_REQUEST carries, or null when the
// binding (filter) is good; the store answers per binding (per filter).

import {
  type AclBinding,
  type AclBindingFilter,
  type AclCodeTable,
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  CLUSTER_RESOURCE,
  aclCodeName,
} from '../../protocol/acl-codes.js';
import { VALID_OPERATIONS } from './authorizer.js';

/**
 * Kafka's AclEntry.supportedOperations: the operations a binding of each resource type may
 * name (ALL aside, always valid); the authorizer's types, and those of delegation tokens.
 */
const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  ...VALID_OPERATIONS,
  [AclResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [AclResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

/** `User:<name>`: the only principal type Sluice's listeners authenticate. */
const PRINCIPAL = /^User:.+$/s;

const nameOf = (table: AclCodeTable, code: number) => aclCodeName(table, code) ?? `UNKNOWN (${code})`;

/** Why `binding` cannot be created, or null when it can. */
export function bindingProblem(b: AclBinding): string | null {
  const supported = SUPPORTED_OPERATIONS[b.resourceType];
  if (!supported) return `invalid resource type ${nameOf(AclResourceType, b.resourceType)}: a binding names one resource type`;
  if (b.patternType !== AclPatternType.LITERAL && b.patternType !== AclPatternType.PREFIXED) {
    return `invalid pattern type ${nameOf(AclPatternType, b.patternType)}: a binding is LITERAL or PREFIXED`;
  }
  if (b.permissionType !== AclPermissionType.ALLOW && b.permissionType !== AclPermissionType.DENY) {
    return `invalid permission type ${nameOf(AclPermissionType, b.permissionType)}: a binding is ALLOW or DENY`;
  }
  if (b.operation !== AclOperation.ALL && !supported.includes(b.operation)) {
    return `operation ${nameOf(AclOperation, b.operation)} is not one of the resource type ${nameOf(AclResourceType, b.resourceType)}'s: ${[...supported, AclOperation.ALL].map((o) => nameOf(AclOperation, o)).join(', ')}`;
  }
  if (b.resourceName === '') return 'the resource name is empty';
  if (b.resourceType === AclResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE) return `the CLUSTER resource is named ${CLUSTER_RESOURCE}, not '${b.resourceName}'`;
  if (!PRINCIPAL.test(b.principal)) return `invalid principal '${b.principal}': expected User:<name>, or User:* for every user`;
  return null;
}

/** Why `filter` cannot be used, or null when it can. */
export function filterProblem(f: AclBindingFilter): string | null {
  const unknown =
    (aclCodeName(AclResourceType, f.resourceType) === undefined && 'resource type') ||
    (aclCodeName(AclPatternType, f.patternType) === undefined && 'pattern type') ||
    (aclCodeName(AclOperation, f.operation) === undefined && 'operation') ||
    (aclCodeName(AclPermissionType, f.permissionType) === undefined && 'permission type');
  if (unknown) return `the filter's ${unknown} is unknown`;
  if (f.patternType === AclPatternType.MATCH && f.resourceName === null) return 'a MATCH filter needs a resource name: it finds the bindings that apply to that resource';
  return null;
}
