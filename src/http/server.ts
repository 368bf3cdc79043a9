// The HTTP API's server: a Fastify instance on the broker's host, with the
// access policy (auth.ts), JSON errors (errors.ts), the OpenAPI document and
// the route groups. Bodies are validated against the routes' JSON schemas
// (unknown fields refused, not dropped) and bounded in size before they are
// parsed into anything.

import fs from 'node:fs';
import { Ajv } from 'ajv';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { SluiceError } from '../errors.js';
import { usesSasl } from '../listener-config.js';
import type { Logger } from '../logger.js';
import type { HttpApiContext } from './api-context.js';
import { installAccessPolicy } from './auth.js';
import { installRouteAcls } from './route-acls.js';
import { BasicAuthenticator } from './basic-auth.js';
import { registerClusterRoutes } from './cluster-routes.js';
import { isConsoleRoute, registerConsoleRoutes } from './console-routes.js';
import { installErrorHandlers } from './errors.js';
import { registerGroupRoutes } from './group-routes.js';
import { registerMetricsRoutes } from './metrics-routes.js';
import { registerQueueDeliveryRoutes } from './queue-delivery-routes.js';
import { registerQueueRoutes } from './queue-routes.js';
import { registerOpenApi } from './openapi.js';
import { RecordAppender } from './record-append.js';
import { registerRecordRoutes } from './record-routes.js';
import { registerRequestRoutes } from './request-routes.js';
import { registerStatsRoutes } from './stats-routes.js';
import { registerTopicRoutes } from './topic-routes.js';
import { registerTopicSocketRoutes } from './topic-socket-routes.js';
import { registerTopicStreamRoutes } from './topic-stream-routes.js';

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || host.startsWith('127.');

export interface RunningHttpApi {
  port: number;
  close(): Promise<void>;
}

/**
 * Largest request body (bytes): a produce body holds records that must fit one
 * batch per partition under max.message.bytes anyway, and JSON at most doubles
 * their size (escapes); so twice message.max.bytes, at least 1 MiB.
 */
function bodyLimitOf(ctx: HttpApiContext): number {
  return Math.max(1024 * 1024, 2 * ctx.config.messageMaxBytes);
}

/** Longest a request may take to arrive whole (ms). */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Query strings and path parameters arrive as text, so their numbers and
 * booleans are converted; a JSON body is taken as sent: a number where a string
 * belongs is refused, not turned into one. Unknown fields are refused too.
 */
const validators = {
  text: new Ajv({ coerceTypes: true, useDefaults: true, removeAdditional: false }),
  json: new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false }),
};

async function buildHttpApi(ctx: HttpApiContext): Promise<FastifyInstance> {
  const app = Fastify({
    // With httpTls, HTTPS with the TLS listeners' certificate (read once, at start).
    https: ctx.config.httpTls ? { cert: fs.readFileSync(ctx.config.tlsCert), key: fs.readFileSync(ctx.config.tlsKey), minVersion: 'TLSv1.2' } : null,
    // pino's Logger is Fastify's logger; only the declared types differ.
    loggerInstance: ctx.log as FastifyBaseLogger,
    // A line per request would flood the broker's log; failures are logged by errors.ts.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyLimitOf(ctx),
    // Topic names run to 249 characters and group ids further; Fastify's default of 100 would answer 404 for them.
    routerOptions: { maxParamLength: 1024 },
    // A client that trickles its request (slowloris) is cut off rather than holding a socket for good.
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? validators.json : validators.text).compile(schema));
  // A produce body is JSON or raw bytes; plain text would reach the routes as a string neither expects.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  installErrorHandlers(app);
  const basic = ctx.config.httpAuth === 'basic' ? new BasicAuthenticator(ctx.credentials, ctx.log) : null;
  installAccessPolicy(app, { token: ctx.config.httpToken, writes: ctx.config.httpWrites, isPublic: isConsoleRoute, basic });
  installRouteAcls(app, ctx.authorizer);
  await registerOpenApi(app, ctx.config.httpToken !== '' ? 'bearer' : ctx.config.httpAuth === 'basic' ? 'basic' : null);
  registerTopicRoutes(app, ctx);
  const appender = new RecordAppender(ctx);
  registerRecordRoutes(app, ctx, appender);
  registerRequestRoutes(app, ctx, appender);
  registerTopicStreamRoutes(app, ctx);
  await registerTopicSocketRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerQueueRoutes(app, ctx, appender);
  registerQueueDeliveryRoutes(app, ctx);
  registerMetricsRoutes(app, ctx);
  await registerConsoleRoutes(app, ctx);
  registerStatsRoutes(app, ctx);
  registerClusterRoutes(app, ctx);
  return app;
}

export async function startHttpApi(broker: Omit<HttpApiContext, 'log'>, log: Logger): Promise<RunningHttpApi> {
  const ctx = { ...broker, log: log.child({ module: 'http' }) };
  const { host, httpPort } = ctx.config;
  const app = await buildHttpApi(ctx);
  try {
    await app.listen({ host, port: httpPort });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new SluiceError(
      'SLUICE_ERR_LISTEN',
      code === 'EADDRINUSE' ? `${host}:${httpPort} is already in use; stop the other process or pick another --http-port (0 turns the HTTP API off)` : `cannot listen on ${host}:${httpPort}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (ctx.config.listeners.some((l) => usesSasl(l.name)) && ctx.config.httpAuth === 'none' && ctx.config.httpToken === '') {
    ctx.log.warn({ httpPort }, 'the HTTP API lets anyone in while Kafka listeners ask for SASL logins; start the broker with --http-auth basic (or --http-token)');
  }
  if (ctx.config.httpAuth === 'basic' && !ctx.config.httpTls && !isLoopback(host)) {
    ctx.log.warn({ httpPort }, 'HTTP Basic logins cross the network in clear; serve the HTTP API with --http-tls true (or behind a TLS proxy)');
  }
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : httpPort,
    close: () => app.close(),
  };
}
