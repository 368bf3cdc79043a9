// GET /cluster: the brokers this broker sees, the controller, and the
// partitions short of replicas anywhere in the cluster (under-replicated,
// offline: cluster/partition-health.ts), as this broker's control-plane image
// has them. The console's overview shows it; a single broker is a cluster of
// one with nothing short.

import type { FastifyInstance } from 'fastify';
import { type PartitionHealth, partitionHealth } from '../cluster/partition-health.js';
import type { HttpApiContext } from './api-context.js';
import { ERROR_RESPONSES, listOf } from './schemas.js';

/** The cluster's partitions short of replicas, as this broker's image has them now. */
export function clusterHealth(ctx: HttpApiContext): PartitionHealth {
  const cluster = ctx.broker.cluster;
  return partitionHealth(cluster.topics(), new Set(cluster.brokers().map((b) => b.nodeId)));
}

const brokerIds = { type: 'array', items: { type: 'integer' } } as const;
const partitionReplicas = listOf({ topic: { type: 'string' }, partition: { type: 'integer' }, leader: { type: 'integer', description: '-1: none' }, replicas: brokerIds, isr: brokerIds });

export function registerClusterRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  app.get(
    '/cluster',
    {
      schema: {
        summary: 'The brokers, the controller, and the partitions that are under-replicated or offline',
        tags: ['meta'],
        response: {
          200: {
            type: 'object',
            properties: {
              nodeId: { type: 'integer', description: 'this broker' },
              controllerId: { type: 'integer', description: '-1 while there is none' },
              brokers: listOf({ nodeId: { type: 'integer' }, host: { type: 'string' }, port: { type: 'integer' }, rack: { type: ['string', 'null'] } }),
              underReplicatedPartitions: { ...partitionReplicas, description: 'ISR smaller than the replicas (not counting replicas a reassignment is adding)' },
              offlinePartitions: { ...partitionReplicas, description: 'no leader, or a leader that is not a live broker' },
            },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => {
      const cluster = ctx.broker.cluster;
      const health = clusterHealth(ctx);
      return {
        nodeId: cluster.nodeId,
        controllerId: cluster.controllerId,
        brokers: cluster.brokers().map(({ nodeId, host, port, rack }) => ({ nodeId, host, port, rack })),
        underReplicatedPartitions: health.underReplicated,
        offlinePartitions: health.offline,
      };
    },
  );
}
