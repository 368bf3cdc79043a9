// Which ACL operations the client may perform on a resource: the
// authorized-operations bit fields of Metadata v8+ (KIP-430), DescribeGroups
// v3+ and DescribeCluster. Sluice has no authorizer yet, so, like Kafka
// without one, every operation valid for the resource type is allowed. An
// ACL authorizer takes this module's place; handlers only ask it.

/** Kafka's AclOperation codes; bit `code` of a bit field means "allowed". */
export const AclOperation = {
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
} as const;

export type ResourceType = 'topic' | 'group' | 'cluster';

const { READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE } = AclOperation;

/** The operations an ACL can grant on each resource type (Kafka's AclEntry.supportedOperations). */
const VALID_OPERATIONS: Record<ResourceType, number[]> = {
  topic: [READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS],
  // DESCRIBE_CONFIGS and ALTER_CONFIGS on groups came with group configs (KIP-848).
  group: [READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS],
  cluster: [CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE],
};

/** What a response carries when the client did not ask: Kafka's schema default, Int32.MIN_VALUE. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

function bitField(operations: number[]): number {
  let bits = 0;
  for (const op of operations) bits |= 1 << op;
  return bits;
}

const ALLOWED_BITS: Record<ResourceType, number> = {
  topic: bitField(VALID_OPERATIONS.topic),
  group: bitField(VALID_OPERATIONS.group),
  cluster: bitField(VALID_OPERATIONS.cluster),
};

/**
 * The bit field of operations allowed on a resource of `type` when the client
 * asked for it (`requested`), else AUTHORIZED_OPERATIONS_OMITTED. Without ACLs
 * every resource of a type is alike; an authorizer adds the principal and the
 * resource name.
 */
export function authorizedOperations(requested: boolean, type: ResourceType): number {
  return requested ? ALLOWED_BITS[type] : AUTHORIZED_OPERATIONS_OMITTED;
}
