// The server side of SASL PLAIN (RFC 4616): one message
// `[authzid] NUL authcid NUL password`, the password checked against the
// user's SCRAM credential (broker/password-check.ts). Only offered where the
// listener encrypts, unless saslPlainAllowPlaintext (sasl-session.ts).

import { checkPassword } from '../../broker/password-check.js';
import type { UserCredentials } from '../../broker/user-credentials.js';
import type { SaslStep } from './scram-exchange.js';

export async function plainStep(token: Buffer, credentials: UserCredentials): Promise<SaslStep> {
  const parts = token.toString('utf8').split('\0');
  if (parts.length !== 3) return { kind: 'failed', reason: 'malformed PLAIN message', user: '' };
  const [authzid, user, password] = parts;
  if (user === '' || (authzid !== '' && authzid !== user)) return { kind: 'failed', reason: 'authorization id differs from the user', user };
  const refused = await checkPassword(credentials, user, password);
  if (refused !== null) return { kind: 'failed', reason: refused, user };
  return { kind: 'done', bytes: Buffer.alloc(0), user };
}
