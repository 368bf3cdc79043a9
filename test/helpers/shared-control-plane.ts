// A cluster's control plane held in memory and shared by several brokers of
// one process: one state, one view per broker (its own nodeId and
// registration), compare-and-swap on the partition epochs in alterIsr, and
// every change told to every view's listeners, as a watch would. The test
// drives what a controller would decide: moving leadership, changing an ISR,
// letting a broker's registration lapse.
//
//   const plane = new SharedControlPlane();
//   const b1 = await startTestBroker(t, { nodeId: 1, controlPlane: plane.join });
//   await plane.createTopic('t', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
//   plane.moveLeader('t', 0, 2);

import { randomBytes } from 'node:crypto';
import type { BrokerInfo, ClusterChange, ControlPlane, ElectionResult, ElectionType, PartitionAssignment, ReassignmentRequest, ReassignmentResult, ReplicaRequest, TopicMetadata } from '../../src/cluster/control-plane.js';
import type { ConfigMap } from '../../src/metadata/config-def.js';
import type { TopicConfigs } from '../../src/metadata/topic-configs.js';

const NONE: ConfigMap = Object.freeze({}) as ConfigMap;

export class SharedControlPlane {
  readonly clusterId = 'shared-control-plane';
  private readonly members = new Map<number, BrokerInfo>();
  private readonly lapsed = new Set<number>();
  private readonly topicsByName = new Map<string, TopicMetadata>();
  private readonly listeners = new Set<(change: ClusterChange) => void>();
  private readonly brokerConfigsByScope = new Map<string, ConfigMap>();
  private readonly groupConfigsById = new Map<string, ConfigMap>();

  /** startBroker's `controlPlane` option: registers the broker and gives it its view. */
  readonly join = (self: BrokerInfo): ControlPlane => {
    this.members.set(self.nodeId, self);
    this.lapsed.delete(self.nodeId);
    this.tell({ topics: [], brokers: true });
    return new SharedControlPlaneView(this, self.nodeId);
  };

  // ---- what the views read and write

  brokers(): BrokerInfo[] {
    return [...this.members.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  isRegistered(nodeId: number): boolean {
    return this.members.has(nodeId) && !this.lapsed.has(nodeId);
  }

  onChange(listener: (change: ClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  topics(): TopicMetadata[] {
    return [...this.topicsByName.values()];
  }

  topic(name: string): TopicMetadata | undefined {
    return this.topicsByName.get(name);
  }

  topicById(id: Buffer): TopicMetadata | undefined {
    return this.topics().find((t) => t.topicId.equals(id));
  }

  async alterIsr(topic: string, partition: number, leaderEpoch: number, partitionEpoch: number, isr: number[]): Promise<PartitionAssignment | null> {
    const a = this.assignment(topic, partition);
    if (a.leaderEpoch !== leaderEpoch || a.partitionEpoch !== partitionEpoch) return null;
    return this.update(topic, partition, { isr: [...isr] });
  }

  async createTopic(name: string, partitions: number, configs: TopicConfigs, replicas?: ReplicaRequest): Promise<TopicMetadata> {
    if (this.topicsByName.has(name)) throw new Error(`topic ${name} already exists`);
    let topicId: Buffer;
    do topicId = randomBytes(16);
    while (topicId.every((b) => b === 0));
    this.topicsByName.set(name, { name, topicId, configs, partitions: this.place(0, partitions, replicas) });
    this.tell({ topics: [name], brokers: false });
    return this.topicsByName.get(name) as TopicMetadata;
  }

  async deleteTopic(name: string): Promise<void> {
    if (!this.topicsByName.delete(name)) return;
    this.tell({ topics: [name], brokers: false });
  }

  async createPartitions(name: string, total: number, replicas?: ReplicaRequest): Promise<TopicMetadata> {
    const old = this.mustGet(name);
    const topic = { ...old, partitions: [...old.partitions, ...this.place(old.partitions.length, total - old.partitions.length, replicas)] };
    this.topicsByName.set(name, topic);
    this.tell({ topics: [name], brokers: false });
    return topic;
  }

  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicMetadata> {
    const topic = { ...this.mustGet(name), configs };
    this.topicsByName.set(name, topic);
    this.tell({ topics: [name], brokers: false });
    return topic;
  }

  brokerConfigs(scope: string): ConfigMap {
    return this.brokerConfigsByScope.get(scope) ?? NONE;
  }

  async setBrokerConfigs(scope: string, configs: ConfigMap): Promise<void> {
    this.brokerConfigsByScope.set(scope, { ...configs });
  }

  groupConfigs(groupId: string): ConfigMap {
    return this.groupConfigsById.get(groupId) ?? NONE;
  }

  async setGroupConfigs(groupId: string, configs: ConfigMap): Promise<void> {
    this.groupConfigsById.set(groupId, { ...configs });
  }

  // ---- what the test decides, as a controller would

  assignment(topic: string, partition: number): PartitionAssignment {
    const a = this.mustGet(topic).partitions[partition];
    if (!a) throw new Error(`unknown partition ${topic}-${partition}`);
    return a;
  }

  /** A new leader (-1: offline) under the next leader epoch; the ISR as given, else the old one. */
  moveLeader(topic: string, partition: number, leader: number, isr?: number[]): PartitionAssignment {
    const a = this.assignment(topic, partition);
    return this.update(topic, partition, { leader, leaderEpoch: a.leaderEpoch + 1, isr: isr ?? a.isr });
  }

  /** Any other change (replicas, ISR) under the next partition epoch. */
  update(topic: string, partition: number, changes: Partial<Omit<PartitionAssignment, 'partition' | 'partitionEpoch'>>): PartitionAssignment {
    const old = this.mustGet(topic);
    const a = { ...this.assignment(topic, partition), ...changes };
    a.partitionEpoch++;
    const partitions = [...old.partitions];
    partitions[partition] = a;
    this.topicsByName.set(topic, { ...old, partitions });
    this.tell({ topics: [topic], brokers: false });
    return a;
  }

  /** Registers broker `nodeId` with no broker behind it: the test plays that replica by hand (its fetches, its absence). */
  registerByHand(nodeId: number): void {
    this.join({ nodeId, host: '127.0.0.1', port: 1, rack: null, replicationHost: '127.0.0.1', replicationPort: 1 });
  }

  /** The broker's lease lapses: it stays in the list but may no longer act as a leader. */
  lapse(nodeId: number): void {
    this.lapsed.add(nodeId);
  }

  /** The broker is gone (closed): others no longer list it. */
  leave(nodeId: number): void {
    this.members.delete(nodeId);
    this.tell({ topics: [], brokers: true });
  }

  private place(from: number, count: number, replicas: ReplicaRequest | undefined): PartitionAssignment[] {
    const ids = this.brokers().map((b) => b.nodeId);
    const factor = replicas && replicas.replicationFactor > 0 ? replicas.replicationFactor : 1;
    const out: PartitionAssignment[] = [];
    for (let i = 0; i < count; i++) {
      const chosen = replicas?.assignments?.[i] ?? Array.from({ length: factor }, (_, k) => ids[(from + i + k) % ids.length]);
      out.push({ partition: from + i, leader: chosen[0], leaderEpoch: 0, replicas: [...chosen], isr: [...chosen], partitionEpoch: 0 });
    }
    return out;
  }

  private mustGet(name: string): TopicMetadata {
    const t = this.topicsByName.get(name);
    if (!t) throw new Error(`unknown topic ${name}`);
    return t;
  }

  private tell(change: ClusterChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}

/** One broker's view: the shared state under its own node id. */
class SharedControlPlaneView implements ControlPlane {
  readonly clusterId: string;

  constructor(
    private readonly shared: SharedControlPlane,
    readonly nodeId: number,
  ) {
    this.clusterId = shared.clusterId;
  }

  get controllerId(): number {
    return this.shared.brokers()[0]?.nodeId ?? -1;
  }

  brokers = (): BrokerInfo[] => this.shared.brokers();
  registered = (): boolean => this.shared.isRegistered(this.nodeId);
  onChange = (listener: (change: ClusterChange) => void): (() => void) => this.shared.onChange(listener);
  alterIsr = (topic: string, partition: number, leaderEpoch: number, partitionEpoch: number, isr: number[]) => this.shared.alterIsr(topic, partition, leaderEpoch, partitionEpoch, isr);
  topics = (): TopicMetadata[] => this.shared.topics();
  topic = (name: string): TopicMetadata | undefined => this.shared.topic(name);
  topicById = (id: Buffer): TopicMetadata | undefined => this.shared.topicById(id);
  createTopic = (name: string, partitions: number, configs: TopicConfigs, replicas?: ReplicaRequest) => this.shared.createTopic(name, partitions, configs, replicas);
  deleteTopic = (name: string) => this.shared.deleteTopic(name);
  createPartitions = (name: string, total: number, replicas?: ReplicaRequest) => this.shared.createPartitions(name, total, replicas);
  setTopicConfigs = (name: string, configs: TopicConfigs) => this.shared.setTopicConfigs(name, configs);
  brokerConfigs = (scope: string): ConfigMap => this.shared.brokerConfigs(scope);
  setBrokerConfigs = (scope: string, configs: ConfigMap) => this.shared.setBrokerConfigs(scope, configs);
  groupConfigs = (groupId: string): ConfigMap => this.shared.groupConfigs(groupId);
  setGroupConfigs = (groupId: string, configs: ConfigMap) => this.shared.setGroupConfigs(groupId, configs);

  /** Leadership moves only when a test says so (moveLeader). */
  async resign(): Promise<void> {}

  /** Leadership moves only when a test says so (moveLeader): no election is ever needed. */
  async electLeaders(_type: ElectionType, partitions: { topic: string; partition: number }[] | null): Promise<ElectionResult[]> {
    return (partitions ?? []).map(({ topic, partition }) => ({ topic, partition, outcome: 'not-needed' }));
  }

  /** Without a controller nothing would complete a reassignment: every one is refused (the etcd control plane's tests cover them). */
  async reassignPartitions(requests: ReassignmentRequest[]): Promise<ReassignmentResult[]> {
    return requests.map(({ topic, partition }) => ({ topic, partition, outcome: 'invalid-assignment', message: 'this test control plane has no controller to complete reassignments' }));
  }

  /** Leaves the cluster: the broker is gone from the list others see. */
  async close(): Promise<void> {
    this.shared.leave(this.nodeId);
  }
}
