// GET /metrics: the broker's figures and the Node process's in Prometheus text
// format (prom-client), every name starting with `sluice_`, in base units
// (seconds, bytes). docs/metrics.md lists them all.

import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpApiContext } from './api-context.js';
import { registerBrokerMetrics } from './broker-metrics.js';
import { registerGroupMetrics } from './group-metrics.js';
import { registerQueueMetrics } from './queue-metrics.js';
import { registerRequestMetrics } from './request-metrics.js';

export function registerMetricsRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  const registry = new Registry();
  // Process CPU, memory, file descriptors, garbage collection, and event-loop
  // delay from perf_hooks.monitorEventLoopDelay (p50, p90, p99, min, max, mean).
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
  registerBrokerMetrics(registry, ctx);
  registerGroupMetrics(registry, ctx);
  registerQueueMetrics(registry, ctx);
  const unsubscribe = registerRequestMetrics(registry, ctx, () => (app.server.address() as AddressInfo | null)?.port);
  app.addHook('onClose', async () => unsubscribe());
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format)', tags: ['meta'] } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
