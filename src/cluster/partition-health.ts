// Which partitions of the cluster are short of replicas, from the control
// plane's image: under-replicated ones (an ISR smaller than the replica set;
// replicas a reassignment is still adding do not count, as in Kafka, since
// they are not expected in sync yet) and offline ones (no leader, or a leader
// that is not a live broker: nobody serves them).

import type { PartitionAssignment, TopicMetadata } from './control-plane.js';

/** A partition's replica set as the image has it, named by topic. */
export type PartitionReplicas = { topic: string } & Pick<PartitionAssignment, 'partition' | 'leader' | 'replicas' | 'isr'>;

export interface PartitionHealth {
  underReplicated: PartitionReplicas[];
  offline: PartitionReplicas[];
}

export function partitionHealth(topics: readonly TopicMetadata[], liveBrokers: ReadonlySet<number>): PartitionHealth {
  const health: PartitionHealth = { underReplicated: [], offline: [] };
  for (const topic of topics) {
    for (const a of topic.partitions) {
      const p: PartitionReplicas = { topic: topic.name, partition: a.partition, leader: a.leader, replicas: a.replicas, isr: a.isr };
      if (a.isr.length < a.replicas.length - (a.addingReplicas?.length ?? 0)) health.underReplicated.push(p);
      if (a.leader < 0 || !liveBrokers.has(a.leader)) health.offline.push(p);
    }
  }
  return health;
}
