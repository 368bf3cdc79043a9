// The control plane: which brokers exist, which topics and partitions exist,
// who leads each partition and with which leader epoch. `local` keeps it in the
// data directory of a single node; a replicated implementation can take its
// place without changing the broker.

import type { ConfigMap } from '../metadata/config-def.js';
import type { DynamicBrokerConfigStore } from '../metadata/broker-configs.js';
import type { TopicConfigs } from '../metadata/topic-configs.js';
import type { ListenerAddress } from '../listener-config.js';

/** createTopic's refusal of a name that is taken: the topic exists, or another broker is creating it now. */
export class TopicExistsError extends Error {
  constructor(readonly topic: string) {
    super(`topic ${topic} already exists`);
  }
}

export interface BrokerInfo {
  nodeId: number;
  /** The broker's primary listener as advertised (its first PLAINTEXT one, else its first). */
  host: string;
  port: number;
  /**
   * Every listener as advertised: a client is told of the endpoints of the listener
   * its request came in on (broker-endpoints.ts). Absent in a registration that
   * predates listeners: host and port then stand for every listener.
   */
  endpoints?: ListenerAddress[];
  rack: string | null;
  /** Where followers fetch this broker's partitions from (the listener, unless --replication-address). */
  replicationHost: string;
  replicationPort: number;
}

/**
 * One partition's replicas and leadership, as the control plane decided it.
 * Leader -1: offline (no live in-sync replica). Each change of leader bumps
 * leaderEpoch; every change at all (leader, ISR, replicas) bumps
 * partitionEpoch, and a compare-and-swap names the epochs it read.
 */
export interface PartitionAssignment {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  partitionEpoch: number;
  /** While a reassignment runs (KIP-455): replicas being added (in `replicas` already, not yet in sync) and to be removed once they are. */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

/** What a watch brought from elsewhere: topics created, deleted or changed (configs, partitions, leaders, ISRs), and whether the live brokers changed. */
export interface ClusterChange {
  topics: string[];
  brokers: boolean;
}

/** How a new topic's or new partitions' replicas are placed: a factor (-1: the default), or broker ids per partition. */
export interface ReplicaRequest {
  replicationFactor: number;
  /** Broker ids per new partition, in order; null to let the control plane place them. */
  assignments: number[][] | null;
}

/** ElectLeaders' kinds: the preferred replica (the first), or any live replica of a leaderless partition (KIP-460). */
export type ElectionType = 'preferred' | 'unclean';

/** What one asked-for election did. */
export interface ElectionResult {
  topic: string;
  partition: number;
  outcome: 'elected' | 'not-needed' | 'not-available' | 'unknown-partition';
}

/** A partition's reassignment as asked (KIP-455): its new replicas, or null to cancel the one in progress. */
export interface ReassignmentRequest {
  topic: string;
  partition: number;
  replicas: number[] | null;
}

/** What one asked-for reassignment did. */
export interface ReassignmentResult {
  topic: string;
  partition: number;
  outcome: 'started' | 'cancelled' | 'unknown-partition' | 'no-reassignment' | 'invalid-assignment';
  message: string | null;
}

export interface TopicMetadata {
  name: string;
  /** 16-byte topic UUID (KIP-516). */
  topicId: Buffer;
  partitions: PartitionAssignment[];
  configs: TopicConfigs;
}

/** What a cluster keeps for all its brokers besides topics and configs: the users' SCRAM credentials, the ACL bindings, the client quotas. */
export type SharedRecordKind = 'scram-credentials' | 'acls' | 'client-quotas';

/** One record of a kind, by its id (the store that owns the kind names and encodes it); value null: removed. */
export interface RecordChange {
  id: string;
  value: string | null;
}

/**
 * Records kept once for the whole cluster, one key each, so that brokers
 * changing different records never lose one another's change; every broker's
 * store applies what the watch brings.
 */
export interface SharedRecords {
  /** The records of `kind` held now. */
  records(kind: SharedRecordKind): RecordChange[];
  /** Writes the changes (the last one per id); resolves once they are applied here, the `onRecords` listeners called. */
  writeRecords(kind: SharedRecordKind, changes: RecordChange[]): Promise<void>;
  /** Calls `listener` with the records of `kind` changed, by this broker or another, as they are applied. Returns a function that stops it. */
  onRecords(kind: SharedRecordKind, listener: (changes: RecordChange[]) => void): () => void;
}

export interface ControlPlane extends DynamicBrokerConfigStore {
  readonly clusterId: string;
  /** The broker acting as controller now; -1 while there is none. */
  readonly controllerId: number;
  /** This broker's id. */
  readonly nodeId: number;
  /** The live (registered) brokers. */
  brokers(): BrokerInfo[];
  /**
   * True while this broker's registration surely holds: with etcd, while its
   * lease was renewed less than a TTL ago. A broker that is not registered
   * must not acknowledge anything as a leader (another may lead by now).
   */
  registered(): boolean;
  /** Calls `listener` after changes made elsewhere (or by this broker) were applied to what topics()/brokers() return. Returns a function that stops it. */
  onChange(listener: (change: ClusterChange) => void): () => void;
  /**
   * A partition leader's change of its ISR, compare-and-swap on the epochs it
   * holds: applied only if the partition still has `leaderEpoch` and
   * `partitionEpoch`. Returns the new assignment, or null when stale (the
   * caller waits for onChange to bring the newer state).
   */
  alterIsr(topic: string, partition: number, leaderEpoch: number, partitionEpoch: number, isr: number[]): Promise<PartitionAssignment | null>;
  topics(): TopicMetadata[];
  topic(name: string): TopicMetadata | undefined;
  topicById(id: Buffer): TopicMetadata | undefined;
  createTopic(name: string, partitions: number, configs: TopicConfigs, replicas?: ReplicaRequest): Promise<TopicMetadata>;
  deleteTopic(name: string): Promise<void>;
  /** Grows a topic to `total` partitions. */
  createPartitions(name: string, total: number, replicas?: ReplicaRequest): Promise<TopicMetadata>;
  setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicMetadata>;
  /** Replaces the dynamic broker configs at `scope` ("" for the cluster-wide default, a node id for that broker). */
  setBrokerConfigs(scope: string, configs: ConfigMap): Promise<void>;
  /** A group's config overrides (empty for a group never configured). */
  groupConfigs(groupId: string): ConfigMap;
  setGroupConfigs(groupId: string, configs: ConfigMap): Promise<void>;
  /** ElectLeaders: elections on `partitions` (null: every partition; then only those an election would change are reported). */
  electLeaders(type: ElectionType, partitions: { topic: string; partition: number }[] | null): Promise<ElectionResult[]>;
  /**
   * AlterPartitionReassignments: starts moving each partition to its new
   * replicas (they are added, catch up, then the others are removed, see
   * reassignment.ts), or cancels the move in progress.
   */
  reassignPartitions(requests: ReassignmentRequest[]): Promise<ReassignmentResult[]>;
  /** Controlled shutdown: hands this broker's leaderships to other in-sync replicas and leaves the ISRs, before the broker stops. */
  resign(): Promise<void>;
  close(): Promise<void>;
}
