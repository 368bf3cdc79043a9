// ACL bindings and binding filters as the Kafka protocol carries them
// (Create/Describe/DeleteAcls): who (principal, host) may or may not
// (permission) do what (operation) to which resources (type, name, pattern).
// The numeric codes are Kafka's (ResourceType, PatternType, AclOperation,
// AclPermissionType); the broker keeps bindings in them and the client and
// the CLI send them, naming each code as Kafka does (TOPIC, PREFIXED, READ, ALLOW).

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

/**
 * Kafka's AclBindingFilter: which bindings a Describe or DeleteAcls is about.
 * A null name, principal or host and the ANY codes match anything; pattern
 * type MATCH takes every binding that applies to the named resource.
 */
export interface AclBindingFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** The filter every binding matches; spread it and set what narrows it: `{ ...ALL_BINDINGS, principal: 'User:alice' }`. */
export const ALL_BINDINGS: Readonly<AclBindingFilter> = {
  resourceType: AclResourceType.ANY,
  resourceName: null,
  patternType: AclPatternType.ANY,
  principal: null,
  host: null,
  operation: AclOperation.ANY,
  permissionType: AclPermissionType.ANY,
};

export type AclCodeTable = Readonly<Record<string, number>>;

/** Kafka's name of `code` in `table` (`TOPIC`, `CLUSTER_ACTION`), or undefined for a code it does not have. */
export function aclCodeName(table: AclCodeTable, code: number): string | undefined {
  for (const name in table) if (table[name] === code) return name;
  return undefined;
}

const squash = (name: string) => name.replace(/[_-]/g, '').toUpperCase();

/** The code named `name` in any case, with or without underscores (`read`, `ClusterAction`, `CLUSTER_ACTION`), or undefined. */
export function aclCodeOf(table: AclCodeTable, name: string): number | undefined {
  const wanted = squash(name);
  for (const known in table) if (squash(known) === wanted) return table[known];
  return undefined;
}

/** A binding with Kafka's names for its codes: how `<dataDir>/acls` and `sluice acl list --json` show it. */
export type NamedAclBinding = Record<keyof AclBinding, string>;

const CODED_FIELDS: [field: 'resourceType' | 'patternType' | 'operation' | 'permissionType', table: AclCodeTable][] = [
  ['resourceType', AclResourceType],
  ['patternType', AclPatternType],
  ['operation', AclOperation],
  ['permissionType', AclPermissionType],
];

export function namedBinding(b: AclBinding): NamedAclBinding {
  const named = { ...b } as Record<keyof AclBinding, string | number>;
  for (const [field, table] of CODED_FIELDS) named[field] = aclCodeName(table, b[field]) ?? String(b[field]);
  return named as NamedAclBinding;
}

/** The binding `named` names; throws an Error naming the first field that is not a string or not one of Kafka's names. */
export function bindingFromNames(named: NamedAclBinding): AclBinding {
  if (typeof named !== 'object' || named === null) throw new Error('a binding is not an object');
  const text = (field: keyof AclBinding): string => {
    if (typeof named[field] !== 'string') throw new Error(`${field} is not a string`);
    return named[field];
  };
  const code = (field: keyof AclBinding, table: AclCodeTable): number => {
    const value = aclCodeOf(table, text(field));
    if (value === undefined) throw new Error(`${field} ${JSON.stringify(named[field])} is none of ${Object.keys(table).join(', ')}`);
    return value;
  };
  return {
    resourceType: code('resourceType', AclResourceType),
    resourceName: text('resourceName'),
    patternType: code('patternType', AclPatternType),
    principal: text('principal'),
    host: text('host'),
    operation: code('operation', AclOperation),
    permissionType: code('permissionType', AclPermissionType),
  };
}
