// The SCRAM credentials of users, by name and mechanism: what SASL logins are
// checked against (SCRAM directly, PLAIN by deriving StoredKey from the
// password given). Changed only by AlterUserScramCredentials. Kept through a
// RecordBacking (record-backing.ts): a broker alone keeps them in
//
//   <dataDir>/scram-credentials   JSON: { user: { mechanism: { salt, iterations, storedKey, serverKey } } }, base64 bytes
//
// rewritten atomically on each change (checkpoint-file.ts), readable by the
// broker's user alone; in a cluster the control plane keeps one record per
// user and mechanism (id: JSON [user, mechanism], value: the stored form
// above), so a user created through any broker logs in on every broker.

import fs from 'node:fs';
import path from 'node:path';
import type { SharedRecords } from '../cluster/control-plane.js';
import { SluiceError } from '../errors.js';
import { writeFileAtomically } from '../storage/checkpoint-file.js';
import { type ScramCredential, type ScramMechanism, isScramMechanism } from '../protocol/scram.js';
import { type OnBadRecord, type RecordBacking, type RecordChange, fileBacking, sharedBacking } from './record-backing.js';

export const SCRAM_CREDENTIALS_FILE = 'scram-credentials';

type StoredCredential = { salt: string; iterations: number; storedKey: string; serverKey: string };

const storedForm = (c: ScramCredential): StoredCredential => ({
  salt: c.salt.toString('base64'),
  iterations: c.iterations,
  storedKey: c.storedKey.toString('base64'),
  serverKey: c.serverKey.toString('base64'),
});

/** The credential `c` stores; throws an Error when it is not one. */
function fromStored(user: string, c: StoredCredential): ScramCredential {
  if (typeof c !== 'object' || c === null || !Number.isInteger(c.iterations) || [c.salt, c.storedKey, c.serverKey].some((v) => typeof v !== 'string')) throw new Error(`bad credential of ${user}`);
  return { salt: Buffer.from(c.salt, 'base64'), iterations: c.iterations, storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64') };
}

const recordId = (user: string, mechanism: ScramMechanism): string => JSON.stringify([user, mechanism]);

function parseRecordId(id: string): { user: string; mechanism: ScramMechanism } {
  const parts: unknown = JSON.parse(id);
  if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string' || !isScramMechanism(parts[1])) throw new Error(`bad credential id ${id}`);
  return { user: parts[0], mechanism: parts[1] };
}

export class UserCredentials {
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>();
  private backing!: RecordBacking;

  private constructor() {}

  /** Reads `<dataDir>/scram-credentials`; throws SLUICE_ERR_CREDENTIALS when it exists but cannot be read. */
  static open(dataDir: string): UserCredentials {
    const file = path.join(dataDir, SCRAM_CREDENTIALS_FILE);
    const credentials = new UserCredentials();
    credentials.backing = fileBacking((change) => credentials.applyRecord(change), () => credentials.save(file));
    if (!fs.existsSync(file)) return credentials;
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, StoredCredential>>;
      for (const [user, byMechanism] of Object.entries(stored)) {
        for (const [mechanism, c] of Object.entries(byMechanism)) {
          if (!isScramMechanism(mechanism)) throw new Error(`bad credential of ${user}`);
          credentials.set(user, mechanism, fromStored(user, c));
        }
      }
      return credentials;
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_CREDENTIALS', `cannot read the user credentials in ${file}: ${(err as Error).message}`, {
        cause: err,
        hint: 'restore the file from a backup, or remove it and create the users again',
      });
    }
  }

  /** The cluster's credentials, kept in the control plane and followed from its watch. */
  static shared(records: SharedRecords, onBadRecord: OnBadRecord): UserCredentials {
    const credentials = new UserCredentials();
    credentials.backing = sharedBacking(records, 'scram-credentials', (change) => credentials.applyRecord(change), onBadRecord);
    return credentials;
  }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /** Mechanism and iterations of each credential of `user`; empty when there is none. */
  describe(user: string): { mechanism: ScramMechanism; iterations: number }[] {
    return [...(this.users.get(user) ?? new Map<ScramMechanism, ScramCredential>())].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  userNames(): string[] {
    return [...this.users.keys()].sort();
  }

  /** Applies deletions, then upsertions; resolves once they are kept. */
  alter(deletions: { user: string; mechanism: ScramMechanism }[], upsertions: { user: string; mechanism: ScramMechanism; credential: ScramCredential }[]): Promise<void> {
    return this.backing.write([
      ...deletions.map((d) => ({ id: recordId(d.user, d.mechanism), value: null })),
      ...upsertions.map((u) => ({ id: recordId(u.user, u.mechanism), value: JSON.stringify(storedForm(u.credential)) })),
    ]);
  }

  private applyRecord({ id, value }: RecordChange): void {
    const { user, mechanism } = parseRecordId(id);
    if (value !== null) {
      this.set(user, mechanism, fromStored(user, JSON.parse(value) as StoredCredential));
      return;
    }
    const credentials = this.users.get(user);
    credentials?.delete(mechanism);
    if (credentials?.size === 0) this.users.delete(user);
  }

  private set(user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    const credentials = this.users.get(user) ?? new Map<ScramMechanism, ScramCredential>();
    credentials.set(mechanism, credential);
    this.users.set(user, credentials);
  }

  private save(file: string): void {
    const stored: Record<string, Record<string, StoredCredential>> = {};
    for (const [user, credentials] of this.users) {
      stored[user] = {};
      for (const [mechanism, c] of credentials) stored[user][mechanism] = storedForm(c);
    }
    // Only keys derived from the passwords, yet readable by the broker's user alone.
    writeFileAtomically(file, JSON.stringify(stored), { mode: 0o600 });
  }
}
