// The control plane: which brokers exist, which topics and partitions exist,
// who leads each partition and with which leader epoch. `local` keeps it in the
// data directory of a single node; a replicated implementation can take its
// place without changing the broker.

import type { ConfigMap } from '../metadata/config-def.js';
import type { DynamicBrokerConfigStore } from '../metadata/broker-configs.js';
import type { TopicConfigs } from '../metadata/topic-configs.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionAssignment {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  /** 16-byte topic UUID (KIP-516). */
  topicId: Buffer;
  partitions: PartitionAssignment[];
  configs: TopicConfigs;
}

export interface ControlPlane extends DynamicBrokerConfigStore {
  readonly clusterId: string;
  readonly controllerId: number;
  brokers(): BrokerInfo[];
  topics(): TopicMetadata[];
  topic(name: string): TopicMetadata | undefined;
  topicById(id: Buffer): TopicMetadata | undefined;
  createTopic(name: string, partitions: number, configs: TopicConfigs): Promise<TopicMetadata>;
  deleteTopic(name: string): Promise<void>;
  /** Grows a topic to `total` partitions. */
  createPartitions(name: string, total: number): Promise<TopicMetadata>;
  setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicMetadata>;
  /** Replaces the dynamic broker configs at `scope` ("" for the cluster-wide default, a node id for that broker). */
  setBrokerConfigs(scope: string, configs: ConfigMap): Promise<void>;
  /** A group's config overrides (empty for a group never configured). */
  groupConfigs(groupId: string): ConfigMap;
  setGroupConfigs(groupId: string, configs: ConfigMap): Promise<void>;
  close(): Promise<void>;
}
