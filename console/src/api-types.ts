// The shapes of the HTTP API's answers the console reads (src/http/*-routes.ts
// and the contract of GET /stats/history).

export interface TopicSummary {
  name: string;
  partitions: number;
  internal: boolean;
  records: number;
  sizeBytes: number;
}

export interface TopicList {
  topics: TopicSummary[];
  next: string | null;
}

export interface PartitionDetail {
  partition: number;
  leader: number;
  leaderEpoch: number;
  logStartOffset?: number;
  highWatermark?: number;
  lastStableOffset?: number;
  logEndOffset?: number;
  sizeBytes?: number;
  offline?: boolean;
  corruptRanges?: { baseOffset: number; lastOffset: number; segment: string; position: number; size: number }[];
}

export interface TopicDetail {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionDetail[];
  configs: { name: string; value: string; source: string }[];
  groups: string[];
}

export interface GroupSummary {
  groupId: string;
  state: string;
  type: string;
  protocolType: string;
}

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  logStartOffset: number | null;
  highWatermark: number | null;
  lag: number | null;
  lagSeconds: number | null;
}

export interface GroupDetail extends GroupSummary {
  protocol: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; assignment: { topic: string; partitions: number[] }[] }[];
  totalLag: number;
  partitions: GroupPartitionLag[];
}

export interface QueueFigures {
  ready: number;
  delayed: number;
  inFlight: number;
  oldestReadyAgeMs: number | null;
  acknowledged: number;
  archived: number;
  deadLettered: number;
  redeliveries: number;
  filtered: number;
}

export interface Queue {
  groupId: string;
  totals: QueueFigures;
  partitions: (QueueFigures & { topic: string; partition: number; startOffset: number; endOffset: number })[];
}

export interface HistoryPoint {
  t: number;
  recordsInPerSec: number;
  recordsOutPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  groupLag: number;
}

export interface History {
  intervalMs: number;
  points: HistoryPoint[];
}

export interface OffsetResetPlan {
  dryRun: boolean;
  partitions: { topic: string; partition: number; current: number; target: number }[];
}

export interface PartitionReplicas {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/** GET /cluster */
export interface ClusterView {
  nodeId: number;
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  underReplicatedPartitions: PartitionReplicas[];
  offlinePartitions: PartitionReplicas[];
}
