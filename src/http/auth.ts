// Who may do what over HTTP. With a token (--http-token), every request must
// carry `Authorization: Bearer <token>`, reads included: a broker reachable by
// others shows its records to no one without it. With --http-auth basic every
// request, the console's page included, logs in as a SASL user (basic-auth.ts):
// the browser asks for the name and password once and sends them with every
// request of the console, its event streams too. Without --http-writes the API
// is read-only: only GET and HEAD pass, whatever the credentials. With a token,
// the web console's page and assets (console-routes.ts) pass without it, so
// that the page can load and ask for it; they hold no data of the broker's.
//
// Each request carries its principal (`request.principal`): `User:<name>` after
// a Basic login, else `User:ANONYMOUS` (a token names no user), as on the Kafka
// listeners; route-acls.ts asks the authorizer about it once the request is parsed.
//
// The token is compared in constant time: both sides are hashed to SHA-256
// first, so timingSafeEqual sees equal lengths and the comparison's time says
// nothing about the token's length or its first differing byte.

import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from '../server/principal.js';
import { BASIC_CHALLENGE, type BasicAuthenticator } from './basic-auth.js';
import { HttpApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sends the request, in Kafka's form (see the top of auth.ts). */
    principal: Principal;
  }
}

export interface AccessPolicy {
  /** '' for none. */
  token: string;
  writes: boolean;
  /** Routes (by their pattern, as registered) readable without the token. */
  isPublic(route: string): boolean;
  /** With --http-auth basic: logs each request in (no route is public then). */
  basic: BasicAuthenticator | null;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

function digest(value: string): Buffer {
  return crypto.createHash('sha256').update(value).digest();
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Refuses requests without valid credentials (401) and writes when the API is read-only (403), before any body is read. */
export function installAccessPolicy(app: FastifyInstance, policy: AccessPolicy): void {
  const expected = policy.token === '' ? null : digest(policy.token);
  app.decorateRequest('principal', ANONYMOUS);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (policy.basic) {
      void reply.header('www-authenticate', BASIC_CHALLENGE);
      request.principal = await policy.basic.authenticate(request);
      reply.removeHeader('www-authenticate');
    }
    // By the route matched, not the URL's text, so no spelling of a path reaches another route untokened.
    const route = request.routeOptions.url;
    if (expected && !(READ_METHODS.has(request.method) && route !== undefined && policy.isPublic(route))) {
      const given = bearerOf(request);
      if (given === null || !crypto.timingSafeEqual(digest(given), expected)) {
        void reply.header('www-authenticate', 'Bearer');
        throw new HttpApiError(401, 'SLUICE_HTTP_UNAUTHORIZED', given === null ? 'this broker asks for a bearer token' : 'the bearer token is not the one this broker was given', 'send Authorization: Bearer <the broker\'s --http-token>');
      }
    }
    if (!policy.writes && !READ_METHODS.has(request.method)) {
      throw new HttpApiError(403, 'SLUICE_HTTP_READ_ONLY', `${request.method} ${path} changes the broker, and its HTTP API is read-only`, 'start the broker with --http-writes true to allow it');
    }
  });
}
