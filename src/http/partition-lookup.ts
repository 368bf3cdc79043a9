// The partition a route names, or the API's 404 for it.

import type { Partition } from '../broker/partition.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';

export function unknownPartition(topic: string, index: number, count: number): HttpApiError {
  return new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_PARTITION', `topic '${topic}' has no partition ${index} on this broker`, `partitions are numbered 0 to ${count - 1}`);
}

export function partitionOf(ctx: HttpApiContext, topic: string, index: number): Partition {
  const p = ctx.broker.partition(topic, index);
  if (!p) throw unknownPartition(topic, index, ctx.broker.cluster.topic(topic)?.partitions.length ?? 0);
  return p;
}
