// The server side of SASL PLAIN (RFC 4616): one message
// `[authzid] NUL authcid NUL password`, checked against the user's SCRAM
// credential by deriving StoredKey from the password with its salt and
// iterations, compared in constant time. Only offered where the listener
// encrypts, unless saslPlainAllowPlaintext (sasl-session.ts).

import crypto from 'node:crypto';
import { type ScramMechanism, credentialFromSaltedPassword, saltPassword } from '../../protocol/scram.js';
import type { UserCredentials } from '../../broker/user-credentials.js';
import type { SaslStep } from './scram-exchange.js';

/** The credential a PLAIN password is checked against when a user has several: the stronger first. */
const PREFERRED: ScramMechanism[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];

export async function plainStep(token: Buffer, credentials: UserCredentials): Promise<SaslStep> {
  const parts = token.toString('utf8').split('\0');
  if (parts.length !== 3) return { kind: 'failed', reason: 'malformed PLAIN message', user: '' };
  const [authzid, user, password] = parts;
  if (user === '' || (authzid !== '' && authzid !== user)) return { kind: 'failed', reason: 'authorization id differs from the user', user };
  const mechanism = PREFERRED.find((m) => credentials.get(user, m));
  if (!mechanism) return { kind: 'failed', reason: 'unknown user', user };
  const stored = credentials.get(user, mechanism)!;
  const salted = await saltPassword(mechanism, password, stored.salt, stored.iterations);
  const given = credentialFromSaltedPassword(mechanism, salted, stored.salt, stored.iterations);
  if (!crypto.timingSafeEqual(given.storedKey, stored.storedKey)) return { kind: 'failed', reason: 'invalid credentials', user };
  return { kind: 'done', bytes: Buffer.alloc(0), user };
}
