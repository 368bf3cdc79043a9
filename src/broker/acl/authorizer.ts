// Whether a principal may perform an operation on a resource: what every
// request handler asks before it acts (Kafka's Authorizer). Two kinds:
//
//   none  everyone may do everything, as Kafka without authorizer.class.name;
//   acl   Kafka's AclAuthorizer: super users may do everything; otherwise the
//         bindings that apply to the resource (literal name, literal `*`,
//         prefixes of the name) decide, a matching DENY beats any ALLOW, and a
//         resource no ALLOW covers is refused (allow.everyone.if.no.acl.found=false).
//
// Implied operations, as Kafka: READ, WRITE, DELETE or ALTER allow DESCRIBE;
// ALTER_CONFIGS allows DESCRIBE_CONFIGS; ALL allows every operation. A DENY
// refuses only its own operation (or all of them with ALL).

import type { Logger } from '../../logger.js';
import { type AclBinding, type AclResource, AclOperation, AclPermissionType, AclResourceType, WILDCARD_HOST, WILDCARD_PRINCIPAL, aclCodeName } from './acl-binding.js';

const { ALL, READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE } = AclOperation;

/** Who asks: a request's principal and the address it came from. */
export interface Requester {
  principal: string;
  clientHost: string;
}

/** Where the ACL authorizer finds the bindings that apply to a resource (AclStore). */
export interface AclSource {
  matching(resource: AclResource): readonly AclBinding[];
  /** Every binding on resources of one type. */
  ofType(resourceType: number): Iterable<AclBinding>;
}

export interface Authorizer {
  /** Whether an authorizer is on: without one, Kafka answers the ACL admin APIs SECURITY_DISABLED. */
  readonly enabled: boolean;
  allows(who: Requester, operation: number, resourceType: number, name: string): boolean;
  /** Whether `operation` is allowed on some resource of the type (Kafka's authorizeByResourceType). */
  allowsSome(who: Requester, operation: number, resourceType: number): boolean;
  /** Notes a request refused for want of `operation` (counted, logged at debug); not for what a listing leaves out. */
  refused(who: Requester, operation: number, resourceType: number, name: string): void;
  /** Requests refused so far, by resource type and operation (Kafka's names). */
  readonly denials: ReadonlyMap<string, Denials>;
}

export interface Denials {
  resourceType: string;
  operation: string;
  count: number;
}

/** The operations an ACL can grant on each resource type (Kafka's AclEntry.supportedOperations, ALL aside). */
export const VALID_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  [AclResourceType.TOPIC]: [READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS],
  // DESCRIBE_CONFIGS and ALTER_CONFIGS on groups came with group configs (KIP-848).
  [AclResourceType.GROUP]: [READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS],
  [AclResourceType.CLUSTER]: [CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE],
  [AclResourceType.TRANSACTIONAL_ID]: [WRITE, DESCRIBE],
};

/** The operations whose ALLOW also allows `operation`. */
const ALLOWED_BY: Readonly<Record<number, readonly number[]>> = {
  [DESCRIBE]: [DESCRIBE, READ, WRITE, DELETE, ALTER, ALL],
  [DESCRIBE_CONFIGS]: [DESCRIBE_CONFIGS, ALTER_CONFIGS, ALL],
};

export const allowEverything: Authorizer = { enabled: false, allows: () => true, allowsSome: () => true, refused: () => {}, denials: new Map() };

export class AclAuthorizer implements Authorizer {
  readonly enabled = true;
  readonly denials = new Map<string, Denials>();
  private readonly superUsers: ReadonlySet<string>;

  constructor(
    private readonly acls: AclSource,
    superUsers: readonly string[],
    private readonly log: Logger | null = null,
  ) {
    this.superUsers = new Set(superUsers);
  }

  refused(who: Requester, operation: number, resourceType: number, name: string): void {
    const key = `${resourceType}:${operation}`;
    let denials = this.denials.get(key);
    if (!denials) {
      denials = { resourceType: aclCodeName(AclResourceType, resourceType) ?? String(resourceType), operation: aclCodeName(AclOperation, operation) ?? String(operation), count: 0 };
      this.denials.set(key, denials);
    }
    denials.count++;
    this.log?.debug({ principal: who.principal, host: who.clientHost, operation: denials.operation, resourceType: denials.resourceType, resource: name }, 'authorization denied');
  }

  allows(who: Requester, operation: number, resourceType: number, name: string): boolean {
    if (this.superUsers.has(who.principal)) return true;
    const bindings = this.acls.matching({ resourceType, name });
    const host = plainAddress(who.clientHost);
    const allowing = ALLOWED_BY[operation] ?? [operation, ALL];
    let allowed = false;
    for (const b of bindings) {
      if ((b.principal !== who.principal && b.principal !== WILDCARD_PRINCIPAL) || (b.host !== host && b.host !== WILDCARD_HOST)) continue;
      if (b.permissionType === AclPermissionType.DENY) {
        if (b.operation === operation || b.operation === ALL) return false;
      } else if (allowing.includes(b.operation)) {
        allowed = true;
      }
    }
    return allowed;
  }

  /** Some ALLOW names a resource (a literal name, or a prefix as the name) on which the operation is allowed, DENYs considered. */
  allowsSome(who: Requester, operation: number, resourceType: number): boolean {
    if (this.superUsers.has(who.principal)) return true;
    for (const b of this.acls.ofType(resourceType)) {
      if (b.permissionType === AclPermissionType.ALLOW && this.allows(who, operation, resourceType, b.resourceName)) return true;
    }
    return false;
  }
}

/** A client's address as ACL hosts name it: an IPv4 client on a dual-stack socket without its `::ffff:` prefix. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** What a response carries when the client did not ask: Kafka's schema default, Int32.MIN_VALUE. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * The authorized-operations bit field of Metadata v8+ (KIP-430), DescribeGroups
 * v3+, DescribeCluster and the group describes (bit `code` set: operation
 * `code` allowed), when the client asked for it (`requested`); else Kafka's schema default, AUTHORIZED_OPERATIONS_OMITTED.
 */
export function authorizedOperations(authorizer: Authorizer, who: Requester, requested: boolean, resourceType: number, name: string): number {
  if (!requested) return AUTHORIZED_OPERATIONS_OMITTED;
  let bits = 0;
  for (const op of VALID_OPERATIONS[resourceType] ?? []) {
    if (authorizer.allows(who, op, resourceType, name)) bits |= 1 << op;
  }
  return bits;
}
