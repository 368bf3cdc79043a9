// Where a key's coordinator runs: on the broker leading the key's partition of
// its internal topic (abs(hashCode(key)) mod N, Kafka's rule), as the control
// plane last told this broker. FindCoordinator answers with it; a leader of
// -1 (offline) or a leader not among the live brokers has no coordinator now.

import type { BrokerInfo, ControlPlane } from '../cluster/control-plane.js';
import { offsetsPartitionFor } from './group/offsets-log.js';

/** The broker coordinating `key` through `internalTopic`, or null when there is none now (no topic, leader offline or unknown). */
export function coordinatorBroker(cluster: Pick<ControlPlane, 'topic' | 'brokers'>, internalTopic: string, key: string): BrokerInfo | null {
  const topic = cluster.topic(internalTopic);
  if (!topic || topic.partitions.length === 0) return null;
  const leader = topic.partitions[offsetsPartitionFor(key, topic.partitions.length)].leader;
  if (leader < 0) return null;
  return cluster.brokers().find((b) => b.nodeId === leader) ?? null;
}
