// The control plane: which brokers exist, which topics and partitions exist,
// who leads each partition and with which leader epoch. `local` keeps it in the
// data directory of a single node; a replicated implementation can take its
// place without changing the broker.

import type { TopicConfigs } from '../broker/topic-config.js';

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

export interface ControlPlane {
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
  close(): Promise<void>;
}
