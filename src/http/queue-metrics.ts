// Queue figures on GET /metrics, per share group (ShareCoordinator.figures(),
// read when scraped): records ready, delayed and in flight now, the oldest
// ready record's age, and what the group's partitions counted since the broker
// started.

import type { Registry } from 'prom-client';
import type { ShareFigures } from '../coordinator/share/share-figures.js';
import type { HttpApiContext } from './api-context.js';
import { type Labels, scrapedCounter, scrapedGauge } from './scraped-metrics.js';

const GAUGES: [name: string, help: string, read: (f: ShareFigures) => number][] = [
  ['sluice_queue_ready_records', 'Records a consumer of the share group could be given now.', (f) => f.ready],
  ['sluice_queue_delayed_records', 'Records available only from a later time (a delivery time, a release delay).', (f) => f.delayed],
  ['sluice_queue_in_flight_records', 'Records acquired by consumers and not yet acknowledged.', (f) => f.inFlight],
  ['sluice_queue_oldest_ready_age_seconds', 'Age of the oldest ready record (0 when none is ready).', (f) => (f.oldestReadyAgeMs ?? 0) / 1000],
];

const COUNTERS: [name: string, help: string, read: (f: ShareFigures) => number][] = [
  ['sluice_queue_dead_lettered_records_total', "Records copied to the share group's dead-letter topic.", (f) => f.deadLettered],
  ['sluice_queue_acknowledged_records_total', 'Records accepted by consumers.', (f) => f.acknowledged],
  ['sluice_queue_archived_records_total', 'Records rejected, or released at the delivery-count limit.', (f) => f.archived],
  ['sluice_queue_redelivered_records_total', 'Deliveries of records that had been delivered before.', (f) => f.redeliveries],
];

export function registerQueueMetrics(registry: Registry, ctx: HttpApiContext): void {
  const series = (read: (f: ShareFigures) => number) => ctx.shares.figures().map((g): [Labels, number] => [{ group: g.groupId }, read(g.totals)]);
  for (const [name, help, read] of GAUGES) scrapedGauge(registry, { name, help, labelNames: ['group'], read: () => series(read) });
  for (const [name, help, read] of COUNTERS) scrapedCounter(registry, { name, help, labelNames: ['group'], read: () => series(read) });
}
