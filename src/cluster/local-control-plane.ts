// Single-node control plane: this broker leads every partition (epoch 0), and
// topic metadata, dynamic broker configs and group configs live in
// <dataDir>/cluster.json, replaced atomically so a crash leaves the old or the
// new content.

import fs from 'node:fs';
import path from 'node:path';
import { asStorageFailure } from '../errors.js';
import type { ConfigMap } from '../metadata/config-def.js';
import type { TopicConfigs } from '../metadata/topic-configs.js';
import { writeFileAtomically } from '../storage/checkpoint-file.js';
import { type BrokerInfo, type ControlPlane, type ReassignmentRequest, type ReassignmentResult, type ElectionResult, type ElectionType, type PartitionAssignment, TopicExistsError, type TopicMetadata } from './control-plane.js';
import { newClusterId, newTopicId } from './new-ids.js';

interface StoredState {
  clusterId: string;
  topics: { name: string; topicId: string; partitions: number; configs: TopicConfigs }[];
  /** By scope: "" the cluster-wide default, a node id that broker's. Absent in files written before dynamic configs. */
  brokerConfigs?: Record<string, ConfigMap>;
  /** By group id. */
  groupConfigs?: Record<string, ConfigMap>;
}

const NONE: ConfigMap = Object.freeze({}) as ConfigMap;

const FILE = 'cluster.json';

export class LocalControlPlane implements ControlPlane {
  readonly clusterId: string;
  private readonly byName = new Map<string, TopicMetadata>();
  private readonly byId = new Map<string, TopicMetadata>();
  private readonly dynamicBrokerConfigs: Map<string, ConfigMap>;
  private readonly groupConfigsById: Map<string, ConfigMap>;

  private constructor(
    private readonly dir: string,
    private readonly self: BrokerInfo,
    state: StoredState,
  ) {
    this.clusterId = state.clusterId;
    this.dynamicBrokerConfigs = new Map(Object.entries(state.brokerConfigs ?? {}));
    this.groupConfigsById = new Map(Object.entries(state.groupConfigs ?? {}));
    for (const t of state.topics) this.index(this.build(t.name, Buffer.from(t.topicId, 'hex'), t.partitions, t.configs));
  }

  static open(dataDir: string, self: BrokerInfo): LocalControlPlane {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, FILE);
    if (fs.existsSync(file)) return new LocalControlPlane(dataDir, self, JSON.parse(fs.readFileSync(file, 'utf8')) as StoredState);
    // Written only when new: a start that changes nothing writes nothing (and so starts on a full disk).
    const plane = new LocalControlPlane(dataDir, self, { clusterId: newClusterId(), topics: [] });
    plane.persist();
    return plane;
  }

  get controllerId(): number {
    return this.self.nodeId;
  }

  get nodeId(): number {
    return this.self.nodeId;
  }

  registered(): boolean {
    return true;
  }

  /** Nothing changes but through this broker's own calls. */
  onChange(): () => void {
    return () => {};
  }

  /** The only replica is the leader, and it never leaves its own ISR. */
  async alterIsr(topic: string, partition: number): Promise<PartitionAssignment | null> {
    return this.topic(topic)?.partitions[partition] ?? null;
  }

  brokers(): BrokerInfo[] {
    return [this.self];
  }

  topics(): TopicMetadata[] {
    return [...this.byName.values()];
  }

  topic(name: string): TopicMetadata | undefined {
    return this.byName.get(name);
  }

  topicById(id: Buffer): TopicMetadata | undefined {
    return this.byId.get(id.toString('hex'));
  }

  async createTopic(name: string, partitions: number, configs: TopicConfigs): Promise<TopicMetadata> {
    if (this.byName.has(name)) throw new TopicExistsError(name);
    const topic = this.build(name, newTopicId(), partitions, configs);
    this.index(topic);
    this.persist();
    return topic;
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.byName.get(name);
    if (!topic) return;
    this.byName.delete(name);
    this.byId.delete(topic.topicId.toString('hex'));
    this.persist();
  }

  async createPartitions(name: string, total: number): Promise<TopicMetadata> {
    const old = this.mustGet(name);
    const topic = this.build(name, old.topicId, total, old.configs);
    this.index(topic);
    this.persist();
    return topic;
  }

  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicMetadata> {
    const old = this.mustGet(name);
    const topic = { ...old, configs };
    this.index(topic);
    this.persist();
    return topic;
  }

  brokerConfigs(scope: string): ConfigMap {
    return this.dynamicBrokerConfigs.get(scope) ?? NONE;
  }

  async setBrokerConfigs(scope: string, configs: ConfigMap): Promise<void> {
    setOrClear(this.dynamicBrokerConfigs, scope, configs);
    this.persist();
  }

  groupConfigs(groupId: string): ConfigMap {
    return this.groupConfigsById.get(groupId) ?? NONE;
  }

  async setGroupConfigs(groupId: string, configs: ConfigMap): Promise<void> {
    setOrClear(this.groupConfigsById, groupId, configs);
    this.persist();
  }

  /** This broker, the only replica, leads every partition already. */
  async electLeaders(_type: ElectionType, partitions: { topic: string; partition: number }[] | null): Promise<ElectionResult[]> {
    return (partitions ?? []).map(({ topic, partition }) => ({ topic, partition, outcome: this.topic(topic)?.partitions[partition] ? 'not-needed' : 'unknown-partition' }));
  }

  /** No other replica could take over. */
  /** The one broker already holds every replica: moving to [itself] changes nothing, any other broker is not registered. */
  async reassignPartitions(requests: ReassignmentRequest[]): Promise<ReassignmentResult[]> {
    return requests.map(({ topic, partition, replicas }) => {
      if (!this.topic(topic)?.partitions[partition]) return { topic, partition, outcome: 'unknown-partition', message: null };
      if (replicas === null) return { topic, partition, outcome: 'no-reassignment', message: null };
      const self = this.self.nodeId;
      if (replicas.length === 1 && replicas[0] === self) return { topic, partition, outcome: 'started', message: null };
      return { topic, partition, outcome: 'invalid-assignment', message: `broker ${self} is the only registered broker` };
    });
  }

  async resign(): Promise<void> {}

  async close(): Promise<void> {}

  private mustGet(name: string): TopicMetadata {
    const t = this.byName.get(name);
    if (!t) throw new Error(`unknown topic ${name}`);
    return t;
  }

  private build(name: string, topicId: Buffer, count: number, configs: TopicConfigs): TopicMetadata {
    const id = this.self.nodeId;
    const partitions: PartitionAssignment[] = [];
    for (let p = 0; p < count; p++) partitions.push({ partition: p, leader: id, leaderEpoch: 0, replicas: [id], isr: [id], partitionEpoch: 0 });
    return { name, topicId, partitions, configs };
  }

  private index(topic: TopicMetadata): void {
    this.byName.set(topic.name, topic);
    this.byId.set(topic.topicId.toString('hex'), topic);
  }

  private persist(): void {
    const state: StoredState = {
      clusterId: this.clusterId,
      topics: this.topics().map((t) => ({
        name: t.name,
        topicId: t.topicId.toString('hex'),
        partitions: t.partitions.length,
        configs: t.configs,
      })),
      brokerConfigs: Object.fromEntries(this.dynamicBrokerConfigs),
      groupConfigs: Object.fromEntries(this.groupConfigsById),
    };
    const file = path.join(this.dir, FILE);
    try {
      writeFileAtomically(file, JSON.stringify(state, null, 2));
    } catch (err) {
      throw asStorageFailure(err, `writing ${file}`);
    }
  }
}

/** An empty map is removed, so the file lists only what was configured. */
function setOrClear(map: Map<string, ConfigMap>, key: string, configs: ConfigMap): void {
  if (Object.keys(configs).length === 0) map.delete(key);
  else map.set(key, { ...configs });
}
