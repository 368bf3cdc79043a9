// Request and fsync timings and failed authentications on GET /metrics, fed by the diagnostics channels the
// broker publishes on (server/request-channel.ts, storage/flusher.ts,
// server/authentication-channel.ts): they are
// subscribed only while the HTTP API runs, and the broker's paths publish
// nothing while nobody subscribes. Channels are per process, so events from
// another broker in the same process (its own listener port, its own data
// directory) are left out.

import diagnostics_channel from 'node:diagnostics_channel';
import path from 'node:path';
import { Counter, Histogram, type Registry } from 'prom-client';
import { type AuthenticationEvent, authenticationChannel } from '../server/authentication-channel.js';
import { type RequestEvent, requestChannel } from '../server/request-channel.js';
import { flushChannel } from '../storage/flusher.js';
import type { HttpApiContext } from './api-context.js';

/** Seconds: from well under a millisecond (metadata) to a long-poll's wait. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: from a page-cache fdatasync to a struggling disk. */
const FSYNC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface FlushEvent {
  log: string;
  files: number;
  durationMs: number;
}

/** Subscribes the request and fsync metrics; the returned function unsubscribes them. `httpPort`: where this HTTP API listens (known once it does). */
export function registerRequestMetrics(registry: Registry, ctx: HttpApiContext, httpPort: () => number | undefined): () => void {
  const durations = new Histogram({
    name: 'sluice_request_duration_seconds',
    help: 'Kafka requests from dispatch to answer ready, per API (its _count is the number of requests); a long-polling Fetch includes its wait.',
    labelNames: ['api'],
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'sluice_request_errors_total',
    help: 'Kafka requests answered with a top-level error code, or whose handler failed, per API.',
    labelNames: ['api'],
    registers: [registry],
  });
  const fsyncs = new Histogram({
    name: 'sluice_log_flush_duration_seconds',
    help: 'fdatasync rounds of partition logs (one round covers every append since the previous).',
    buckets: FSYNC_BUCKETS,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'sluice_authentication_failures_total',
    help: 'Failed authentications on the Kafka listeners (SASL exchanges refused, client certificates missing or not verified) and the HTTP API (listener HTTP, mechanism BASIC: wrong user or password), per listener and mechanism.',
    labelNames: ['listener', 'mechanism'],
    registers: [registry],
  });
  // This broker's listeners (their bound ports), not those of another broker in the process.
  const listenerPorts = new Set(ctx.config.listeners.map((l) => l.port));
  // One child per API, so an observation does not rebuild its label key.
  const perApi = new Map<string, { duration: Histogram.Internal<'api'>; errors: Counter.Internal }>();
  const onRequest = (message: unknown) => {
    const event = message as RequestEvent;
    if (!listenerPorts.has(event.listenerPort)) return;
    let series = perApi.get(event.api);
    if (!series) perApi.set(event.api, (series = { duration: durations.labels(event.api), errors: errors.labels(event.api) }));
    series.duration.observe(event.durationMs / 1000);
    if (event.errorCode !== 0) series.errors.inc();
  };
  const dataDir = path.resolve(ctx.config.dataDir);
  const onFlush = (message: unknown) => {
    const event = message as FlushEvent;
    if (path.dirname(path.resolve(event.log)) === dataDir) fsyncs.observe(event.durationMs / 1000);
  };
  const onAuthentication = (message: unknown) => {
    const event = message as AuthenticationEvent;
    if (!event.succeeded && (listenerPorts.has(event.listenerPort) || event.listenerPort === httpPort())) authFailures.inc({ listener: event.listener, mechanism: event.mechanism });
  };
  diagnostics_channel.subscribe(requestChannel.name as string, onRequest);
  diagnostics_channel.subscribe(flushChannel.name as string, onFlush);
  diagnostics_channel.subscribe(authenticationChannel.name as string, onAuthentication);
  return () => {
    diagnostics_channel.unsubscribe(requestChannel.name as string, onRequest);
    diagnostics_channel.unsubscribe(flushChannel.name as string, onFlush);
    diagnostics_channel.unsubscribe(authenticationChannel.name as string, onAuthentication);
  };
}
