// A user's password checked against their SCRAM credential, as Kafka's PLAIN
// mechanism does with SCRAM-only users: StoredKey is derived from the password
// with the credential's salt and iterations and compared in constant time.
// SASL PLAIN (server/sasl/plain-exchange.ts) and the HTTP API's Basic
// authentication (http/basic-auth.ts) both log users in this way.

import crypto from 'node:crypto';
import { type ScramCredential, type ScramMechanism, credentialFromSaltedPassword, saltPassword } from '../protocol/scram.js';
import type { UserCredentials } from './user-credentials.js';

/** The credential a password is checked against when a user has several: the stronger first. */
const PREFERRED: ScramMechanism[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];

/** The credential `user`'s password is checked against; undefined for an unknown user. */
export function passwordCredential(credentials: UserCredentials, user: string): { mechanism: ScramMechanism; stored: ScramCredential } | undefined {
  const mechanism = PREFERRED.find((m) => credentials.get(user, m));
  return mechanism ? { mechanism, stored: credentials.get(user, mechanism)! } : undefined;
}

/** null when `password` is `user`'s, else why not (for the broker's log, never for the client). */
export async function checkPassword(credentials: UserCredentials, user: string, password: string): Promise<'unknown user' | 'invalid credentials' | null> {
  const credential = passwordCredential(credentials, user);
  if (!credential) return 'unknown user';
  const { mechanism, stored } = credential;
  const salted = await saltPassword(mechanism, password, stored.salt, stored.iterations);
  const given = credentialFromSaltedPassword(mechanism, salted, stored.salt, stored.iterations);
  return crypto.timingSafeEqual(given.storedKey, stored.storedKey) ? null : 'invalid credentials';
}
