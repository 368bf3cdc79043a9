// The client quotas configured, by entity (KIP-55 / KIP-546): an entity is a
// user, a client id, a (user, client id) pair, or an ip; each part either a
// name or the default (<default>, null here). Changed only by
// AlterClientQuotas. Kept through a RecordBacking (record-backing.ts): a
// broker alone keeps them in
//
//   <dataDir>/client-quotas   JSON: [{ entity: { user?: name|null, "client-id"?: name|null, ip?: name|null }, quotas: { key: value } }]
//
// rewritten atomically on each change (checkpoint-file.ts), or in memory only;
// in a cluster the control plane keeps one record per quota of an entity
// (id: "<key> <entityKey>", value: the number), so a quota set through any
// broker is in force on every broker, and two brokers setting different keys
// of one entity keep both.

import fs from 'node:fs';
import path from 'node:path';
import type { SharedRecords } from '../../cluster/control-plane.js';
import { SluiceError } from '../../errors.js';
import { writeFileAtomically } from '../../storage/checkpoint-file.js';
import { type OnBadRecord, type RecordBacking, type RecordChange, fileBacking, sharedBacking } from '../record-backing.js';

export const CLIENT_QUOTAS_FILE = 'client-quotas';

export const ENTITY_TYPES = ['user', 'client-id', 'ip'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** The parts of an entity: a type absent is not part of it; null names the default. */
export type QuotaEntity = Partial<Record<EntityType, string | null>>;

/** Kafka's quota keys and the entities each applies to. */
export const QUOTA_KEYS = {
  producer_byte_rate: 'client',
  consumer_byte_rate: 'client',
  request_percentage: 'client',
  connection_creation_rate: 'ip',
} as const;
export type QuotaKey = keyof typeof QUOTA_KEYS;

export const isQuotaKey = (key: string): key is QuotaKey => Object.hasOwn(QUOTA_KEYS, key);

export type QuotaValues = Partial<Record<QuotaKey, number>>;

/** A quota found for a client, and the parts of it the sampled rate is shared by (Kafka's metric tags). */
export interface ResolvedQuota {
  value: number;
  /** The user's name when the entity has a user part (named or default), else ''. */
  user: string;
  /** The client id when the entity has a client-id part, else ''. */
  clientId: string;
}

/** A stable map key of an entity: its parts in ENTITY_TYPES order. */
export function entityKey(entity: QuotaEntity): string {
  return JSON.stringify(ENTITY_TYPES.filter((t) => t in entity).map((t) => [t, entity[t]]));
}

/** A record's id in the control plane: the key, then the entity's key (no quota key has a space). */
const recordId = (entity: QuotaEntity, key: QuotaKey): string => `${key} ${entityKey(entity)}`;

function parseRecordId(id: string): { entity: QuotaEntity; key: QuotaKey } {
  const space = id.indexOf(' ');
  const key = id.slice(0, space);
  const parts: unknown = space > 0 ? JSON.parse(id.slice(space + 1)) : null;
  const isPart = (p: unknown) => Array.isArray(p) && p.length === 2 && (ENTITY_TYPES as readonly unknown[]).includes(p[0]) && (p[1] === null || typeof p[1] === 'string');
  if (!isQuotaKey(key) || !Array.isArray(parts) || parts.length === 0 || !parts.every(isPart)) throw new Error(`bad client quota id ${id}`);
  return { key, entity: Object.fromEntries(parts) as QuotaEntity };
}

export class ClientQuotas {
  private readonly entries = new Map<string, { entity: QuotaEntity; quotas: QuotaValues }>();
  /** Quota values set on clients (not ip): while 0, requests pay nothing for quotas. */
  private clientValues = 0;
  /** Quota values set on ip entities. */
  private ipValues = 0;
  /**
   * Resolutions already made, by key, user and client id: a request resolves its
   * quotas without building entity keys. Emptied on every change, and when it
   * holds RESOLVED_MAX (clients inventing client ids cannot grow it).
   */
  private readonly resolved = new Map<string, ResolvedQuota | null>();

  private backing!: RecordBacking;

  private constructor() {}

  /** In memory only. */
  static inMemory(): ClientQuotas {
    return ClientQuotas.withFile(null);
  }

  /** The cluster's quotas, kept in the control plane and followed from its watch. */
  static shared(records: SharedRecords, onBadRecord: OnBadRecord): ClientQuotas {
    const quotas = new ClientQuotas();
    quotas.backing = sharedBacking(records, 'client-quotas', (change) => quotas.applyRecord(change), onBadRecord);
    return quotas;
  }

  private static withFile(file: string | null): ClientQuotas {
    const quotas = new ClientQuotas();
    quotas.backing = fileBacking(
      (change) => quotas.applyRecord(change),
      () => {
        if (file !== null) writeFileAtomically(file, JSON.stringify(quotas.all()));
      },
    );
    return quotas;
  }

  /** Reads `<dataDir>/client-quotas`; throws SLUICE_ERR_CLIENT_QUOTAS when it exists but cannot be read. */
  static open(dataDir: string): ClientQuotas {
    const file = path.join(dataDir, CLIENT_QUOTAS_FILE);
    const quotas = ClientQuotas.withFile(file);
    if (!fs.existsSync(file)) return quotas;
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { entity: QuotaEntity; quotas: QuotaValues }[];
      for (const { entity, quotas: values } of stored) {
        if (Object.keys(entity).some((t) => !(ENTITY_TYPES as readonly string[]).includes(t))) throw new Error(`bad entity ${JSON.stringify(entity)}`);
        for (const [key, value] of Object.entries(values)) {
          if (!isQuotaKey(key) || typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`bad quota ${key} of ${entityKey(entity)}`);
          quotas.put(entity, key, value);
        }
      }
      return quotas;
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_CLIENT_QUOTAS', `cannot read the client quotas in ${file}: ${(err as Error).message}`, {
        cause: err,
        hint: 'restore the file from a backup, or remove it and set the quotas again',
      });
    }
  }

  /** Whether no user or client-id quota is set (ip quotas aside). */
  get hasNoClientQuotas(): boolean {
    return this.clientValues === 0;
  }

  /** Whether no quota at all is set. */
  get isEmpty(): boolean {
    return this.clientValues + this.ipValues === 0;
  }

  /** The quotas set on exactly `entity`. */
  get(entity: QuotaEntity): QuotaValues | undefined {
    return this.entries.get(entityKey(entity))?.quotas;
  }

  /** Every entity with a quota, and its quotas. */
  all(): { entity: QuotaEntity; quotas: QuotaValues }[] {
    return [...this.entries.values()];
  }

  /** Sets (a number) or removes (null) quotas of entities; resolves once they are kept. */
  alter(changes: { entity: QuotaEntity; key: QuotaKey; value: number | null }[]): Promise<void> {
    return this.backing.write(changes.map(({ entity, key, value }) => ({ id: recordId(entity, key), value: value === null ? null : String(value) })));
  }

  /**
   * The `key` quota of a client, in Kafka's order of precedence (most specific first):
   * user + client id, user + default client id, user, default user + client id,
   * default user + default client id, default user, client id, default client id.
   */
  resolve(key: QuotaKey, user: string, clientId: string): ResolvedQuota | null {
    if (this.clientValues === 0) return null;
    const memo = `${key}\u0000${user}\u0000${clientId}`;
    let found = this.resolved.get(memo);
    if (found === undefined) {
      if (this.resolved.size >= RESOLVED_MAX) this.resolved.clear();
      this.resolved.set(memo, (found = this.lookUp(key, user, clientId)));
    }
    return found;
  }

  private lookUp(key: QuotaKey, user: string, clientId: string): ResolvedQuota | null {
    for (const [u, c] of PRECEDENCE) {
      const entity: QuotaEntity = {};
      if (u !== undefined) entity.user = u === 'named' ? user : null;
      if (c !== undefined) entity['client-id'] = c === 'named' ? clientId : null;
      const value = this.entries.get(entityKey(entity))?.quotas[key];
      if (value !== undefined) return { value, user: u === undefined ? '' : user, clientId: c === undefined ? '' : clientId };
    }
    return null;
  }

  /** The connection_creation_rate of an ip: its own, else the default ip's. */
  resolveIp(ip: string): number | null {
    if (this.ipValues === 0) return null;
    return this.get({ ip })?.connection_creation_rate ?? this.get({ ip: null })?.connection_creation_rate ?? null;
  }

  private applyRecord({ id, value }: RecordChange): void {
    const { entity, key } = parseRecordId(id);
    if (value === null) {
      this.remove(entity, key);
      return;
    }
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) throw new Error(`bad value ${JSON.stringify(value)} of client quota ${id}`);
    this.put(entity, key, number);
  }

  private put(entity: QuotaEntity, key: QuotaKey, value: number): void {
    const k = entityKey(entity);
    const entry = this.entries.get(k) ?? { entity, quotas: {} };
    if (entry.quotas[key] === undefined) this.count(key, 1);
    // A new value of a key already set is a change the resolutions must not outlive.
    else this.resolved.clear();
    entry.quotas[key] = value;
    this.entries.set(k, entry);
  }

  private remove(entity: QuotaEntity, key: QuotaKey): void {
    const k = entityKey(entity);
    const entry = this.entries.get(k);
    if (entry?.quotas[key] === undefined) return;
    delete entry.quotas[key];
    this.count(key, -1);
    if (Object.keys(entry.quotas).length === 0) this.entries.delete(k);
  }

  private count(key: QuotaKey, by: 1 | -1): void {
    if (QUOTA_KEYS[key] === 'ip') this.ipValues += by;
    else this.clientValues += by;
    this.resolved.clear();
  }
}

/** Resolutions remembered before they are all forgotten. */
const RESOLVED_MAX = 10_000;

type Part = 'named' | 'default' | undefined;
const PRECEDENCE: [Part, Part][] = [
  ['named', 'named'],
  ['named', 'default'],
  ['named', undefined],
  ['default', 'named'],
  ['default', 'default'],
  ['default', undefined],
  [undefined, 'named'],
  [undefined, 'default'],
];
