// HTTP Basic authentication of the HTTP API (--http-auth basic, RFC 7617):
// `Authorization: Basic base64(user ":" password)`, the password checked
// against the user's SCRAM credential as SASL PLAIN checks it
// (broker/password-check.ts). A login that fails is published on
// `sluice:server:authentication` (listener HTTP, mechanism BASIC), so that
// sluice_authentication_failures_total counts it with the Kafka listeners'
// failures, and logged at most once per 10 s. A request without credentials is
// no failure: it is how a browser learns that it must ask for them.
//
// Checking costs a PBKDF2 of the credential's iterations (milliseconds), and
// the console asks several times a second: a login that held is remembered as
// an HMAC of the password under a key of this process, trusted while the user's
// credential is still the object it was checked against (a new password or a
// deleted user replaces or drops it).

import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { checkPassword, passwordCredential } from '../broker/password-check.js';
import type { UserCredentials } from '../broker/user-credentials.js';
import type { Logger } from '../logger.js';
import type { ScramCredential } from '../protocol/scram.js';
import { publishAuthentication } from '../server/authentication-channel.js';
import { type Principal, userPrincipal } from '../server/principal.js';
import { RateLimitedWarning } from '../server/rate-limited-warning.js';
import { HttpApiError } from './errors.js';

/** Logins remembered at most; the oldest is forgotten first. */
const REMEMBERED_LOGINS = 1024;
const FAILURE_WARNING_INTERVAL_MS = 10_000;

export const BASIC_CHALLENGE = 'Basic realm="sluice", charset="UTF-8"';

/** The name and password of a request's `Authorization: Basic` header; null without one. */
export function basicCredentialsOf(request: FastifyRequest): { user: string; password: string } | null | 'malformed' {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!match) return 'malformed';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function unauthorized(message: string): HttpApiError {
  return new HttpApiError(401, 'SLUICE_HTTP_UNAUTHORIZED', message, "send Authorization: Basic with a user's name and password (sluice user create)");
}

export class BasicAuthenticator {
  private readonly remembered = new Map<string, { passwordMac: Buffer; credential: ScramCredential }>();
  private readonly macKey = crypto.randomBytes(32);
  private readonly failures: RateLimitedWarning;

  constructor(
    private readonly credentials: UserCredentials,
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.failures = new RateLimitedWarning(FAILURE_WARNING_INTERVAL_MS, now);
  }

  /** The principal the request's credentials log in as; throws HttpApiError 401 without them or when they do not hold. */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const given = basicCredentialsOf(request);
    if (given === null) throw unauthorized('this broker asks HTTP API requests for a user name and password (HTTP Basic)');
    if (given === 'malformed') return this.refuse(request, '', 'malformed Basic credentials');
    const { user, password } = given;
    const passwordMac = crypto.createHmac('sha256', this.macKey).update(password).digest();
    const current = passwordCredential(this.credentials, user)?.stored;
    const known = this.remembered.get(user);
    if (current !== undefined && known?.credential === current && crypto.timingSafeEqual(known.passwordMac, passwordMac)) return userPrincipal(user);
    const refused = await checkPassword(this.credentials, user, password);
    if (refused !== null) return this.refuse(request, user, refused);
    this.remember(user, { passwordMac, credential: passwordCredential(this.credentials, user)!.stored });
    return userPrincipal(user);
  }

  private remember(user: string, login: { passwordMac: Buffer; credential: ScramCredential }): void {
    this.remembered.delete(user);
    if (this.remembered.size >= REMEMBERED_LOGINS) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(user, login);
  }

  private refuse(request: FastifyRequest, user: string, reason: string): never {
    const principal = user === '' ? '' : userPrincipal(user);
    this.failures.warn(this.log, { client: request.ip, principal, reason }, 'HTTP API authentication failed');
    publishAuthentication({ listener: 'HTTP', listenerPort: request.socket.localPort ?? 0, clientHost: request.ip, principal, mechanism: 'BASIC', succeeded: false });
    // As on the Kafka listeners, the client is not told whether the user or the password was wrong.
    throw unauthorized('the user name or password is not right');
  }
}
