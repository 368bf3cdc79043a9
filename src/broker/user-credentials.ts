// The SCRAM credentials of users, by name and mechanism: what SASL logins are
// checked against (SCRAM directly, PLAIN by deriving StoredKey from the
// password given). Changed only by AlterUserScramCredentials. A broker with a
// data directory keeps them in
//
//   <dataDir>/scram-credentials   JSON: { user: { mechanism: { salt, iterations, storedKey, serverKey } } }, base64 bytes
//
// rewritten atomically on each change (checkpoint-file.ts), readable by the
// broker's user alone. In a cluster each broker keeps its own file: the control
// plane does not carry them yet.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors.js';
import { writeFileAtomically } from '../storage/checkpoint-file.js';
import { type ScramCredential, type ScramMechanism, isScramMechanism } from '../protocol/scram.js';

export const SCRAM_CREDENTIALS_FILE = 'scram-credentials';

type StoredCredential = { salt: string; iterations: number; storedKey: string; serverKey: string };

export class UserCredentials {
  private constructor(
    private readonly file: string,
    private readonly users: Map<string, Map<ScramMechanism, ScramCredential>>,
  ) {}

  /** Reads `<dataDir>/scram-credentials`; throws SLUICE_ERR_CREDENTIALS when it exists but cannot be read. */
  static open(dataDir: string): UserCredentials {
    const file = path.join(dataDir, SCRAM_CREDENTIALS_FILE);
    if (!fs.existsSync(file)) return new UserCredentials(file, new Map());
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, StoredCredential>>;
      const users = new Map<string, Map<ScramMechanism, ScramCredential>>();
      for (const [user, byMechanism] of Object.entries(stored)) {
        const credentials = new Map<ScramMechanism, ScramCredential>();
        for (const [mechanism, c] of Object.entries(byMechanism)) {
          if (!isScramMechanism(mechanism) || !Number.isInteger(c.iterations)) throw new Error(`bad credential of ${user}`);
          credentials.set(mechanism, { salt: Buffer.from(c.salt, 'base64'), iterations: c.iterations, storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64') });
        }
        users.set(user, credentials);
      }
      return new UserCredentials(file, users);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_CREDENTIALS', `cannot read the user credentials in ${file}: ${(err as Error).message}`, {
        cause: err,
        hint: 'restore the file from a backup, or remove it and create the users again',
      });
    }
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

  /** Applies deletions, then upsertions, and saves once. */
  alter(deletions: { user: string; mechanism: ScramMechanism }[], upsertions: { user: string; mechanism: ScramMechanism; credential: ScramCredential }[]): void {
    for (const d of deletions) {
      const credentials = this.users.get(d.user);
      credentials?.delete(d.mechanism);
      if (credentials?.size === 0) this.users.delete(d.user);
    }
    for (const u of upsertions) {
      const credentials = this.users.get(u.user) ?? new Map<ScramMechanism, ScramCredential>();
      credentials.set(u.mechanism, u.credential);
      this.users.set(u.user, credentials);
    }
    this.save();
  }

  private save(): void {
    const stored: Record<string, Record<string, StoredCredential>> = {};
    for (const [user, credentials] of this.users) {
      stored[user] = {};
      for (const [mechanism, c] of credentials) {
        stored[user][mechanism] = { salt: c.salt.toString('base64'), iterations: c.iterations, storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') };
      }
    }
    // Only keys derived from the passwords, yet readable by the broker's user alone.
    writeFileAtomically(this.file, JSON.stringify(stored), { mode: 0o600 });
  }
}
