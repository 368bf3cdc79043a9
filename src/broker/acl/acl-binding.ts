// An ACL binding as Kafka writes it: who (principal, host) may or may not
// (permission) do what (operation) to which resources (type, name, pattern).
// The numeric codes are Kafka's on the wire (ResourceType, PatternType,
// AclOperation, AclPermissionType), so bindings travel through Create/
// Describe/DeleteAcls and sit in `<dataDir>/acls` unchanged.

export const AclResourceType = {
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

export const AclPatternType = {
  ANY: 1,
  /** Filters only: every binding that would apply to the named resource (literal, wildcard or prefix). */
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;

export const AclOperation = {
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

export const AclPermissionType = {
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const;

/** The resource name of a literal binding that applies to every resource of its type. */
export const WILDCARD_RESOURCE = '*';
/** The principal and host of a binding that applies to every principal or host. */
export const WILDCARD_PRINCIPAL = 'User:*';
export const WILDCARD_HOST = '*';
/** The one resource of type CLUSTER. */
export const CLUSTER_RESOURCE = 'kafka-cluster';

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  /** `User:<name>`, or `User:*` for every principal. */
  principal: string;
  /** The client's address, or `*` for any. */
  host: string;
  operation: number;
  permissionType: number;
}

/** A resource an authorizer is asked about: a type (not ANY) and its exact name. */
export interface AclResource {
  resourceType: number;
  name: string;
}
