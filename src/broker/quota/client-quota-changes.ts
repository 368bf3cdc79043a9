// AlterClientQuotas and DescribeClientQuotas as Kafka decides them (KIP-546).
//
// Alter: each entry (one entity, its operations) is checked on its own and
// applied only if every operation in it is acceptable; all accepted entries are
// saved together, and nothing is with validate_only. INVALID_REQUEST for an
// empty entity, an entity type other than user, client-id and ip, a type given
// twice, ip combined with another type, an ip name that is not an address, a
// quota key the entity cannot have, and a value that is not a positive number
// (byte rates and connection_creation_rate whole numbers, as Kafka types them
// long and int). Removing a key that is not set is not an error.
//
// Describe: a filter is a list of components (entity type, match: exact name,
// the default, or any name, the default included); an entity matches when it
// has every component's type with a matching name and, if strict, no other
// type. INVALID_REQUEST for a type given twice, an unknown type, an exact match
// without a name, ip combined with user or client-id.

import net from 'node:net';
import { ErrorCode } from '../../protocol/error-codes.js';
import { type ClientQuotas, ENTITY_TYPES, type EntityType, QUOTA_KEYS, type QuotaEntity, type QuotaKey, isQuotaKey } from './client-quotas.js';

export interface EntityPart {
  entityType: string;
  /** null: the default. */
  entityName: string | null;
}

export interface QuotaOp {
  key: string;
  value: number;
  remove: boolean;
}

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  entity: EntityPart[];
}

export const MATCH_EXACT = 0;
export const MATCH_DEFAULT = 1;
export const MATCH_ANY = 2;

export interface FilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export type DescribeResult =
  | { errorCode: typeof ErrorCode.NONE; errorMessage: null; entries: { entity: EntityPart[]; values: { key: string; value: number }[] }[] }
  | { errorCode: number; errorMessage: string; entries: null };

/** Keys typed as whole numbers by Kafka (long, int). */
const WHOLE_KEYS = new Set<QuotaKey>(['producer_byte_rate', 'consumer_byte_rate', 'connection_creation_rate']);

const isEntityType = (t: string): t is EntityType => (ENTITY_TYPES as readonly string[]).includes(t);

class InvalidRequest extends Error {}

/** The entity named by `parts`; throws InvalidRequest when it is not one. */
function entityOf(parts: EntityPart[]): QuotaEntity {
  if (parts.length === 0) throw new InvalidRequest('Invalid empty client quota entity');
  const entity: QuotaEntity = {};
  for (const { entityType, entityName } of parts) {
    if (!isEntityType(entityType)) throw new InvalidRequest(`Unhandled client quota entity type: ${entityType}`);
    if (entityType in entity) throw new InvalidRequest(`Duplicate ${entityType} entity type in the client quota entity`);
    entity[entityType] = entityName;
  }
  if ('ip' in entity) {
    if (parts.length > 1) throw new InvalidRequest('Invalid quota entity combination, IP entity should not be combined with User or ClientId');
    if (entity.ip !== null && net.isIP(entity.ip ?? '') === 0) throw new InvalidRequest(`Unable to resolve IP address ${entity.ip}`);
  }
  return entity;
}

/** The change an operation makes on `entity`; throws InvalidRequest when it is not acceptable. */
function changeOf(entity: QuotaEntity, op: QuotaOp): { key: QuotaKey; value: number | null } {
  const applies = 'ip' in entity ? 'ip' : 'client';
  if (!isQuotaKey(op.key) || QUOTA_KEYS[op.key] !== applies) throw new InvalidRequest(`Invalid configuration key ${op.key}`);
  if (op.remove) return { key: op.key, value: null };
  if (!Number.isFinite(op.value) || op.value <= 0) throw new InvalidRequest(`Configuration ${op.key} must be a positive number, got ${op.value}`);
  if (WHOLE_KEYS.has(op.key) && !Number.isInteger(op.value)) throw new InvalidRequest(`Configuration ${op.key} must be a whole number, got ${op.value}`);
  return { key: op.key, value: op.value };
}

export async function alterQuotaEntities(quotas: ClientQuotas, entries: { entity: EntityPart[]; ops: QuotaOp[] }[], validateOnly: boolean): Promise<AlterResult[]> {
  const accepted: { entity: QuotaEntity; key: QuotaKey; value: number | null }[] = [];
  const results = entries.map(({ entity: parts, ops }): AlterResult => {
    const entity = parts.map((p) => ({ entityType: p.entityType, entityName: p.entityName }));
    try {
      const target = entityOf(parts);
      const changes = ops.map((op) => ({ entity: target, ...changeOf(target, op) }));
      accepted.push(...changes);
      return { errorCode: ErrorCode.NONE, errorMessage: null, entity };
    } catch (err) {
      if (!(err instanceof InvalidRequest)) throw err;
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: err.message, entity };
    }
  });
  if (!validateOnly && accepted.length > 0) await quotas.alter(accepted);
  return results;
}

export function describeQuotaEntities(quotas: ClientQuotas, components: FilterComponent[], strict: boolean): DescribeResult {
  const seen = new Set<string>();
  for (const c of components) {
    let problem: string | null = null;
    if (!isEntityType(c.entityType)) problem = `Custom entity type ${c.entityType} is not supported`;
    else if (seen.has(c.entityType)) problem = `Duplicate ${c.entityType} filter component entity type`;
    else if (c.matchType === MATCH_EXACT && c.match === null) problem = `Exact ${c.entityType} filter component must have a name to match`;
    else if (c.matchType < MATCH_EXACT || c.matchType > MATCH_ANY) problem = `Unknown match type ${c.matchType}`;
    if (problem !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, entries: null };
    seen.add(c.entityType);
  }
  if (seen.has('ip') && seen.size > 1) {
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component', entries: null };
  }
  const matches = (entity: QuotaEntity) =>
    components.every((c) => {
      const name = entity[c.entityType as EntityType];
      if (name === undefined) return false;
      if (c.matchType === MATCH_EXACT) return name === c.match;
      if (c.matchType === MATCH_DEFAULT) return name === null;
      return true;
    }) && (!strict || ENTITY_TYPES.every((t) => !(t in entity) || seen.has(t)));
  const entries = quotas
    .all()
    .filter(({ entity }) => matches(entity))
    .map(({ entity, quotas: values }) => ({
      entity: ENTITY_TYPES.filter((t) => t in entity).map((t) => ({ entityType: t, entityName: entity[t] ?? null })),
      values: Object.entries(values).map(([key, value]) => ({ key, value: value as number })),
    }));
  return { errorCode: ErrorCode.NONE, errorMessage: null, entries };
}
