// The web console: a single page at `/` whose script and styles are served
// from `/console/` (built by `npm run build` from console/ into dist/console/),
// and `GET /console/config`, which tells the page what this broker allows
// (writes, whether a token is needed) and which optional routes it serves, so
// the page neither shows a control the broker would refuse nor calls a route
// that is not there. These are the only paths open without the token: they
// hold the page's code and these two facts, no data of the broker's.

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';

/** dist/console/, beside dist/src/http/ where this module runs from. */
const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url));

/**
 * The page runs its own script only and talks to this origin only, so a
 * record value that looks like markup can never run (the page also inserts
 * text, never HTML); styles may be inline because uPlot sizes its charts so.
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** Routes other parts of the API may or may not serve; the console uses each only when it is there. */
const OPTIONAL_ROUTES: Record<string, [HTTPMethods, string]> = {
  history: ['GET', '/stats/history'],
  offsetReset: ['POST', '/groups/:group/offsets/reset'],
  redrive: ['POST', '/queues/:group/redrive'],
};

const CONSOLE_ROUTES = new Set(['/', '/console/config', '/console/*']);

/** Routes served without the bearer token: the page, its assets and its config. */
export function isConsoleRoute(route: string): boolean {
  return CONSOLE_ROUTES.has(route);
}

export async function registerConsoleRoutes(app: FastifyInstance, ctx: HttpApiContext): Promise<void> {
  app.get(
    '/console/config',
    {
      schema: {
        summary: 'What the web console may show: writes allowed, token required, who is signed in, optional routes served',
        tags: ['meta'],
        response: {
          200: {
            type: 'object',
            properties: {
              writes: { type: 'boolean' },
              tokenRequired: { type: 'boolean' },
              principal: { type: 'string', description: 'who the request came from: User:<name> after an HTTP Basic login (--http-auth basic), else User:ANONYMOUS' },
              nodeId: { type: 'integer' },
              kafkaListener: { type: 'string', description: 'host:port of the Kafka protocol' },
              routes: { type: 'object', additionalProperties: { type: 'boolean' }, description: 'optional routes by name: served or not' },
            },
          },
        },
      },
    },
    async (request) => ({
      writes: ctx.config.httpWrites,
      tokenRequired: ctx.config.httpToken !== '',
      principal: request.principal,
      nodeId: ctx.config.nodeId,
      kafkaListener: `${ctx.config.advertisedHost}:${ctx.config.port}`,
      routes: Object.fromEntries(Object.entries(OPTIONAL_ROUTES).map(([name, [method, url]]) => [name, app.hasRoute({ method, url })])),
    }),
  );

  if (!fs.existsSync(CONSOLE_ROOT)) {
    app.get('/', { schema: { hide: true } }, async () => {
      throw new HttpApiError(404, 'SLUICE_HTTP_NO_CONSOLE', `the web console is not built (${CONSOLE_ROOT} is missing)`, 'run npm run build');
    });
    return;
  }
  await app.register(fastifyStatic, { root: CONSOLE_ROOT, prefix: '/console/', index: false });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.header('content-security-policy', CONTENT_SECURITY_POLICY).sendFile('index.html'));
}
