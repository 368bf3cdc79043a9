// GET /metrics: the broker's counters and the Node process's figures in
// Prometheus text format (prom-client), every name starting with `sluice_`, in
// base units. Counters are read from BrokerCounters when scraped, so the hot
// paths pay one increment of a plain field and nothing for being observed.

import type { FastifyInstance } from 'fastify';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerCounters } from '../broker/counters.js';
import type { HttpApiContext } from './api-context.js';

const BROKER_COUNTERS: [name: string, help: string, field: keyof BrokerCounters][] = [
  ['sluice_corrupt_batches_total', 'Record batches found failing their CRC32C check on disk (kept, never served).', 'corruptBatches'],
  ['sluice_duplicate_batches_total', 'Produce batches recognised as retries of idempotent batches already written.', 'duplicateBatches'],
  ['sluice_dedup_dropped_records_total', 'Records dropped by dedup.header as repeats within dedup.window.ms.', 'dedupDroppedRecords'],
];

function metricsRegistry(counters: BrokerCounters): Registry {
  const registry = new Registry();
  // Process CPU, memory, file descriptors, garbage collection and event-loop delay.
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
  for (const [name, help, field] of BROKER_COUNTERS) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(counters[field]);
      },
    });
  }
  return registry;
}

export function registerMetricsRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  const registry = metricsRegistry(ctx.broker.counters);
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format)', tags: ['meta'] } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
