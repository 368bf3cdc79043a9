// The broker's figures on GET /metrics: its event counters (BrokerCounters),
// records and bytes in and out per topic (per partition with
// metricsPartitions: a series per partition, so opt-in), partitions led,
// under-replicated and offline partitions and ISR changes, Kafka connections
// open and refused, ACL bindings held, and client quota throttles. All read
// when scraped.

import type { Registry } from 'prom-client';
import type { BrokerCounters } from '../broker/counters.js';
import type { Broker } from '../broker/broker.js';
import { type PartitionTraffic, sumTraffic } from '../broker/partition-traffic.js';
import type { HttpApiContext } from './api-context.js';
import { MAX_SERIES, OTHER, type ThrottleSeries } from '../broker/quota/throttle-stats.js';
import { clusterHealth } from './cluster-routes.js';
import { type Labels, scrapedCounter, scrapedGauge } from './scraped-metrics.js';

const BROKER_COUNTERS: [name: string, help: string, field: keyof BrokerCounters][] = [
  ['sluice_corrupt_batches_total', 'Record batches found failing their CRC32C check on disk (kept, never served).', 'corruptBatches'],
  ['sluice_duplicate_batches_total', 'Produce batches recognised as retries of idempotent batches already written.', 'duplicateBatches'],
  ['sluice_dedup_dropped_records_total', 'Records dropped by dedup.header as repeats within dedup.window.ms.', 'dedupDroppedRecords'],
  ['sluice_isr_shrinks_total', 'ISR changes of partitions this broker leads that dropped followers not caught up within replica.lag.time.max.ms.', 'isrShrinks'],
  ['sluice_isr_expands_total', 'ISR changes of partitions this broker leads that added a follower that caught up.', 'isrExpands'],
];

const TRAFFIC_COUNTERS: [name: string, help: string, field: keyof PartitionTraffic][] = [
  ['sluice_records_in_total', 'Records appended by Produce (Kafka clients and the HTTP API).', 'recordsIn'],
  ['sluice_bytes_in_total', 'Record batch bytes appended by Produce, as on the wire (after recompression and dedup.header).', 'bytesIn'],
  ['sluice_records_out_total', 'Records in the whole batches Fetch returned to consumers.', 'recordsOut'],
  ['sluice_bytes_out_total', 'Record batch bytes Fetch returned to consumers.', 'bytesOut'],
];

/** Each topic's traffic, or each partition's when `perPartition`. */
function* trafficSeries(broker: Broker, perPartition: boolean): Iterable<[Labels, PartitionTraffic]> {
  for (const topic of broker.cluster.topics()) {
    const partitions = broker.partitionsOf(topic.name).filter((p) => p !== undefined);
    if (!perPartition) yield [{ topic: topic.name }, sumTraffic(partitions.map((p) => p.traffic))];
    else for (const p of partitions) yield [{ topic: topic.name, partition: p.index }, p.traffic];
  }
}

export function registerBrokerMetrics(registry: Registry, ctx: HttpApiContext): void {
  const { broker } = ctx;
  for (const [name, help, field] of BROKER_COUNTERS) scrapedCounter(registry, { name, help, read: () => [[{}, broker.counters[field]]] });
  const perPartition = ctx.config.metricsPartitions;
  for (const [name, help, field] of TRAFFIC_COUNTERS) {
    scrapedCounter(registry, {
      name,
      help,
      labelNames: perPartition ? ['topic', 'partition'] : ['topic'],
      read: () => Array.from(trafficSeries(broker, perPartition), ([labels, traffic]): [Labels, number] => [labels, traffic[field]]),
    });
  }
  scrapedGauge(registry, {
    name: 'sluice_partitions',
    help: 'Partitions this broker holds, internal topics included.',
    read: () => [[{}, broker.allPartitions().length]],
  });
  // Kafka's split: each leader counts its under-replicated partitions, the controller alone the offline ones,
  // so that a sum over the brokers is the cluster's figure for both.
  scrapedGauge(registry, {
    name: 'sluice_under_replicated_partitions',
    help: 'Partitions this broker leads whose ISR is smaller than their replicas.',
    read: () => [[{}, clusterHealth(ctx).underReplicated.filter((p) => p.leader === broker.cluster.nodeId).length]],
  });
  scrapedGauge(registry, {
    name: 'sluice_offline_partitions',
    help: 'Partitions with no live leader, counted by the controller (0 on the other brokers).',
    read: () => [[{}, broker.cluster.controllerId === broker.cluster.nodeId ? clusterHealth(ctx).offline.length : 0]],
  });
  scrapedGauge(registry, { name: 'sluice_connections', help: 'Kafka client connections open now.', read: () => [[{}, ctx.openConnections()]] });
  scrapedCounter(registry, {
    name: 'sluice_authorization_denials_total',
    help: 'Requests (Kafka and HTTP) refused by the ACL authorizer, per resource type and operation; the broker logs each at debug level with its principal and resource.',
    labelNames: ['resource_type', 'operation'],
    read: () => Array.from(ctx.authorizer.denials.values(), (d): [Labels, number] => [{ resource_type: d.resourceType, operation: d.operation }, d.count]),
  });
  scrapedGauge(registry, { name: 'sluice_acls', help: 'ACL bindings held (CreateAcls, sluice acl add).', read: () => [[{}, ctx.acls.size]] });
  scrapedCounter(registry, {
    name: 'sluice_connections_refused_total',
    help: 'Kafka client connections closed at once, by the limit they passed (max.connections, max.connections.per.ip, max.connection.creation.rate, connection_creation_rate).',
    labelNames: ['limit'],
    read: () => Array.from(ctx.refusedConnections, ([limit, n]): [Labels, number] => [{ limit }, n]),
  });
  const throttleLabels = ['quota', 'user', 'client_id'];
  const throttleSeries = (value: (s: ThrottleSeries) => number) => () =>
    Array.from(ctx.quotas.stats.all(), (s): [Labels, number] => [{ quota: s.quota, user: s.user, client_id: s.clientId }, value(s)]);
  scrapedCounter(registry, {
    name: 'sluice_quota_throttles_total',
    help: `Answers throttled by a client quota (produce, fetch, request), by the user and client id the quota is shared by ('' where the quota has no such part; ${MAX_SERIES} series at most, the rest under ${OTHER}).`,
    labelNames: throttleLabels,
    read: throttleSeries((s) => s.throttles),
  });
  scrapedCounter(registry, {
    name: 'sluice_quota_throttle_seconds_total',
    help: 'Throttle time client quotas put clients under, with the same labels as sluice_quota_throttles_total.',
    labelNames: throttleLabels,
    read: throttleSeries((s) => s.throttleMs / 1000),
  });
}
