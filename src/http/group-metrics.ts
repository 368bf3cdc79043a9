// Consumer group lag on GET /metrics, computed when scraped
// (coordinator/group/group-lag.ts: from the commit, or the log start if later,
// to the high watermark): per group and topic, or per partition with
// metricsPartitions. In offsets, summed; in seconds, the oldest unconsumed
// record's age, the largest over the partitions.

import type { Registry } from 'prom-client';
import { type PartitionLag, allGroupsLag } from '../coordinator/group/group-lag.js';
import type { HttpApiContext } from './api-context.js';
import { type Labels, scrapedGauge } from './scraped-metrics.js';

interface LagSeries {
  labels: Labels;
  offsets: number;
  seconds: number;
}

/** Lag per group and topic (or partition); partitions whose topic is gone, or whose age cannot be read, add nothing there. */
function lagSeries(ctx: HttpApiContext, perPartition: boolean): LagSeries[] {
  const series = new Map<string, LagSeries>();
  for (const { groupId, partitions } of allGroupsLag(ctx.broker, ctx.groups, Date.now())) {
    for (const p of partitions) {
      if (p.lag === null) continue;
      const labels: Labels = perPartition ? { group: groupId, topic: p.topic, partition: p.partition } : { group: groupId, topic: p.topic };
      const key = JSON.stringify(labels);
      let s = series.get(key);
      if (!s) series.set(key, (s = { labels, offsets: 0, seconds: 0 }));
      add(s, p);
    }
  }
  return [...series.values()];
}

function add(s: LagSeries, p: PartitionLag): void {
  s.offsets += p.lag ?? 0;
  if (p.lagMs !== null) s.seconds = Math.max(s.seconds, p.lagMs / 1000);
}

export function registerGroupMetrics(registry: Registry, ctx: HttpApiContext): void {
  const perPartition = ctx.config.metricsPartitions;
  const labelNames = perPartition ? ['group', 'topic', 'partition'] : ['group', 'topic'];
  // Both gauges read one computation per scrape: the offsets gauge computes, the seconds gauge (collected next) reuses it.
  let last: LagSeries[] = [];
  scrapedGauge(registry, {
    name: 'sluice_consumer_group_lag',
    help: "Offsets from a consumer group's commit (or the log start, if later) to the high watermark, summed per group and topic.",
    labelNames,
    read: () => (last = lagSeries(ctx, perPartition)).map((s): [Labels, number] => [s.labels, s.offsets]),
  });
  scrapedGauge(registry, {
    name: 'sluice_consumer_group_lag_seconds',
    help: "Age of the oldest record a consumer group has not consumed (0 when caught up), the largest per group and topic.",
    labelNames,
    read: () => last.map((s): [Labels, number] => [s.labels, s.seconds]),
  });
}
