// AlterUserScramCredentials and DescribeUserScramCredentials as Kafka decides
// them (KIP-554): each user's alterations are checked together and applied
// only if all of them are acceptable; a user named twice for one mechanism is
// a DUPLICATE_RESOURCE; deleting a credential that does not exist is
// RESOURCE_NOT_FOUND; iterations outside 4096..16384, an empty user name, an
// empty salt or one longer than MAX_SALT_BYTES are UNACCEPTABLE_CREDENTIAL.
// What is kept is copied out of the request, which is not held on to.

import { ErrorCode } from '../protocol/error-codes.js';
import { MAX_ITERATIONS, MIN_ITERATIONS, SCRAM_MECHANISMS, type ScramMechanism, credentialFromSaltedPassword, mechanismByCode } from '../protocol/scram.js';
import type { UserCredentials } from './user-credentials.js';

export interface CredentialDeletion {
  user: string;
  mechanismCode: number;
}

export interface CredentialUpsertion extends CredentialDeletion {
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

export interface UserResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

/** Longest salt kept (bytes): Kafka's admin sends 32; a bound keeps one request from storing megabytes. */
export const MAX_SALT_BYTES = 1024;

const ok = (user: string): UserResult => ({ user, errorCode: ErrorCode.NONE, errorMessage: null });

/** The first problem with one alteration, or null. */
function problemOf(change: CredentialDeletion | CredentialUpsertion, credentials: UserCredentials): UserResult | null {
  const { user } = change;
  if (user === '') return { user, errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' };
  const mechanism = mechanismByCode(change.mechanismCode);
  if (mechanism === null) return { user, errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: `Unknown SCRAM mechanism ${change.mechanismCode}` };
  if (!('salt' in change)) {
    return credentials.get(user, mechanism) ? null : { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to delete a user credential that does not exist: ${user} ${mechanism}` };
  }
  if (change.iterations < MIN_ITERATIONS) return { user, errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: `Too few iterations (at least ${MIN_ITERATIONS})` };
  if (change.iterations > MAX_ITERATIONS) return { user, errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: `Too many iterations (at most ${MAX_ITERATIONS})` };
  if (change.salt.length === 0 || change.saltedPassword.length === 0) return { user, errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Salt and salted password must not be empty' };
  if (change.salt.length > MAX_SALT_BYTES) return { user, errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: `Salt longer than ${MAX_SALT_BYTES} bytes` };
  return null;
}

export async function alterUserCredentials(credentials: UserCredentials, deletions: CredentialDeletion[], upsertions: CredentialUpsertion[]): Promise<UserResult[]> {
  const results = new Map<string, UserResult>();
  const seen = new Set<string>();
  for (const change of [...deletions, ...upsertions]) {
    const key = `${change.user}\0${change.mechanismCode}`;
    const problem = seen.has(key) ? { user: change.user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' } : problemOf(change, credentials);
    seen.add(key);
    // A user's first problem is its answer.
    const before = results.get(change.user);
    if (before === undefined || (before.errorCode === ErrorCode.NONE && problem !== null)) results.set(change.user, problem ?? ok(change.user));
  }
  const accepted = (c: CredentialDeletion) => results.get(c.user)?.errorCode === ErrorCode.NONE;
  await credentials.alter(
    deletions.filter(accepted).map((d) => ({ user: d.user, mechanism: mechanismByCode(d.mechanismCode) as ScramMechanism })),
    upsertions.filter(accepted).map((u) => {
      const mechanism = mechanismByCode(u.mechanismCode) as ScramMechanism;
      return { user: u.user, mechanism, credential: credentialFromSaltedPassword(mechanism, u.saltedPassword, Buffer.from(u.salt), u.iterations) };
    }),
  );
  return [...results.values()];
}

export interface UserDescription extends UserResult {
  credentials: { mechanismCode: number; iterations: number }[];
}

/** `users` null or empty: every user that has a credential. */
export function describeUserCredentials(credentials: UserCredentials, users: string[] | null): UserDescription[] {
  const all = users === null || users.length === 0;
  const names = all ? credentials.userNames() : users;
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...new Set(names)].map((user) => {
    if ((counts.get(user) ?? 0) > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentials: [] };
    const found = credentials.describe(user).map((c) => ({ mechanismCode: SCRAM_MECHANISMS[c.mechanism].code, iterations: c.iterations }));
    if (found.length === 0) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentials: [] };
    return { ...ok(user), credentials: found };
  });
}
