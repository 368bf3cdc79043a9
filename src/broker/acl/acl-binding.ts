// The broker's side of ACL bindings. Bindings, filters and Kafka's codes are
// protocol data the client shares (src/protocol/acl-codes.ts); re-exported
// here so broker code has one place to import them from.

export {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  ALL_BINDINGS,
  aclCodeName,
  CLUSTER_RESOURCE,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  type AclBinding,
  type AclBindingFilter,
} from '../../protocol/acl-codes.js';

/** A resource an authorizer is asked about: a type (not ANY) and its exact name. */
export interface AclResource {
  resourceType: number;
  name: string;
}
