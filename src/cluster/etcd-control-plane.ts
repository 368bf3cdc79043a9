// The control plane of a cluster, kept in etcd: brokers register under a lease
// (broker-registration.ts), every broker watches the prefix and reads from the
// image the watch keeps (cluster-image.ts), one broker is the controller
// (controller.ts). Every write of a partition's state is a compare-and-swap on
// the mod revision read, so two brokers never both lead one epoch. A write
// returns once the watch has applied it here, so what it wrote is readable.

import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import { type Clock, systemClock } from '../clock.js';
import type { BrokerConfig } from '../config.js';
import { SluiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { BrokerConfigs } from '../metadata/broker-configs.js';
import type { ConfigMap } from '../metadata/config-def.js';
import { type TopicConfigs, topicConfigValue } from '../metadata/topic-configs.js';
import { BrokerRegistration } from './broker-registration.js';
import { ClusterImage, type KeyValue } from './cluster-image.js';
import {
  type BrokerInfo,
  type ClusterChange,
  type ControlPlane,
  type ElectionResult,
  type ElectionType,
  type PartitionAssignment,
  type ReassignmentRequest,
  type ReassignmentResult,
  type RecordChange,
  type ReplicaRequest,
  type SharedRecordKind,
  type SharedRecords,
  TopicExistsError,
  type TopicMetadata,
} from './control-plane.js';
import { Controller } from './controller.js';
import { EtcdKeys } from './etcd-keys.js';
import { type PartitionRecord, type TopicRecord, decodePartition, decodeTopic, encode, partitionRecord } from './etcd-records.js';
import { KEYS_PER_TXN, compareAndSet, createClusterIdOnce, updateKey, writeSharedRecords } from './etcd-writes.js';
import { newTopicId } from './new-ids.js';
import { afterResign, elect } from './leader-election.js';
import { assignReplicas } from './replica-assignment.js';
import { cancelReassignment, reassigning, startReassignment } from './reassignment.js';

/** Wait before loading the cluster state again after a failed load. */
const RELOAD_RETRY_MS = 1000;

export interface EtcdControlPlaneOptions {
  /** Timers of the lease renewal and of reloads. */
  clock?: Clock;
  /** Monotonic milliseconds, for registered(). */
  monotonicNow?: () => number;
}

export class EtcdControlPlane implements ControlPlane, SharedRecords {
  private readonly listeners = new Set<(change: ClusterChange) => void>();
  private readonly recordListeners = new Set<{ kind: SharedRecordKind; listener: (changes: RecordChange[]) => void }>();
  private readonly waiters: { revision: bigint; resolve: () => void }[] = [];
  private watcher: Watcher | null = null;
  private closing = false;
  private controller: Controller | null = null;

  private constructor(
    readonly clusterId: string,
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly self: BrokerInfo,
    private readonly image: ClusterImage,
    private readonly registration: BrokerRegistration,
    private readonly clock: Clock,
  ) {}

  static async open(config: BrokerConfig, self: BrokerInfo, log: Logger, options: EtcdControlPlaneOptions = {}): Promise<EtcdControlPlane> {
    const client = new Etcd3({ hosts: config.etcd, dialTimeout: 5000 });
    try {
      const keys = new EtcdKeys(config.etcdPrefix);
      const clusterId = await createClusterIdOnce(client, keys);
      const clock = options.clock ?? systemClock;
      const registration = new BrokerRegistration(client, keys, self, config.brokerLeaseTtlMs, clock, options.monotonicNow ?? (() => performance.now()), log);
      await registration.start();
      const image = new ClusterImage(keys, (key, err) => log.error({ key, err }, 'ignoring a malformed value in etcd'));
      const plane = new EtcdControlPlane(clusterId, client, keys, self, image, registration, clock);
      const defaults = new BrokerConfigs(config, plane);
      plane.controller = new Controller(
        client,
        keys,
        image,
        registration,
        self.nodeId,
        (topic) => topicConfigValue(image.topic(topic)?.configs ?? {}, 'unclean.leader.election.enable', defaults) === 'true',
        log,
      );
      await plane.load(log);
      return plane;
    } catch (err) {
      client.close();
      if (err instanceof SluiceError) throw err;
      throw new SluiceError('SLUICE_ERR_ETCD', `cannot open the cluster's state in etcd (${config.etcd.join(', ')}): ${(err as Error).message}`, {
        cause: err,
        hint: 'start etcd or check --etcd; every broker of a cluster names the same etcd endpoints and --etcd-prefix',
      });
    }
  }

  get controllerId(): number {
    return this.image.controllerId;
  }

  get nodeId(): number {
    return this.self.nodeId;
  }

  brokers(): BrokerInfo[] {
    return this.image.brokers();
  }

  registered(): boolean {
    return this.registration.registered();
  }

  onChange(listener: (change: ClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  topics(): TopicMetadata[] {
    return this.image.topics();
  }

  topic(name: string): TopicMetadata | undefined {
    return this.image.topic(name);
  }

  topicById(id: Buffer): TopicMetadata | undefined {
    return this.image.topicById(id);
  }

  brokerConfigs(scope: string): ConfigMap {
    return this.image.brokerConfigs(scope);
  }

  groupConfigs(groupId: string): ConfigMap {
    return this.image.groupConfigs(groupId);
  }

  records(kind: SharedRecordKind): RecordChange[] {
    return this.image.records(kind);
  }

  async writeRecords(kind: SharedRecordKind, changes: RecordChange[]): Promise<void> {
    for await (const revision of writeSharedRecords(this.client, this.keys, kind, changes)) await this.applied(revision);
  }

  onRecords(kind: SharedRecordKind, listener: (changes: RecordChange[]) => void): () => void {
    const entry = { kind, listener };
    this.recordListeners.add(entry);
    return () => this.recordListeners.delete(entry);
  }

  async alterIsr(topic: string, partition: number, leaderEpoch: number, partitionEpoch: number, isr: number[]): Promise<PartitionAssignment | null> {
    const key = this.keys.partition(topic, partition);
    let seen = this.image.topic(topic)?.partitions[partition];
    let modRevision = this.image.modRevision(key);
    for (;;) {
      if (!seen || seen.leader !== this.self.nodeId || seen.leaderEpoch !== leaderEpoch || seen.partitionEpoch !== partitionEpoch) return null;
      const next: PartitionAssignment = { ...seen, isr, partitionEpoch: partitionEpoch + 1 };
      const written = await compareAndSet(this.client, key, modRevision, encode(partitionRecord(next)));
      if (written !== null) {
        await this.applied(written);
        return next;
      }
      // The image may only lag behind etcd: decide on what etcd holds now.
      const res = await this.client.get(key).exec();
      const kv = res.kvs[0];
      if (!kv) return null;
      seen = { partition, ...decodePartition(kv.value.toString()) };
      modRevision = kv.mod_revision;
    }
  }

  /**
   * Creates a topic under a claim on its name: a key under this broker's lease
   * that only one broker at a time can put, and only while the topic does not
   * exist. Partitions are written under the claim, then the topic record
   * replaces it (the image shows a topic once its record is there). Without
   * it, brokers creating one name at once (services that create their topics
   * as they start) both wrote the partitions, and the loser's replaced some
   * of the winner's. A broker that dies while creating frees the name when
   * its lease lapses; the partition keys it left are written over by the
   * next creation.
   */
  async createTopic(name: string, partitions: number, configs: TopicConfigs, replicas?: ReplicaRequest): Promise<TopicMetadata> {
    const assignments = replicas?.assignments ?? this.place(partitions, replicas?.replicationFactor ?? -1, randomStart());
    const topicKey = this.keys.topic(name);
    const claimKey = this.keys.topicCreation(name);
    const lease = this.registration.currentLeaseId();
    if (lease === null) throw new Error(`cannot create topic ${name}: this broker's registration in etcd has lapsed`);
    const claim = await this.client
      .if(topicKey, 'Create', '==', 0)
      .and(claimKey, 'Create', '==', 0)
      .then(this.client.put(claimKey).value(String(this.self.nodeId)).lease(lease))
      .commit();
    if (!claim.succeeded) throw new TopicExistsError(name);
    const claimRevision = claim.header.revision;
    let created: bigint | null;
    try {
      await this.writePartitions(name, 0, assignments, claimKey, claimRevision);
      const record: TopicRecord = { topicId: newTopicId().toString('hex'), partitions: assignments.length, configs };
      const txn = await this.client
        .if(claimKey, 'Mod', '==', claimRevision)
        .then(this.client.put(topicKey).value(encode(record)), this.client.delete().key(claimKey))
        .commit();
      created = txn.succeeded ? BigInt(txn.header.revision) : null;
    } catch (err) {
      // The name is free again at once, not only when this broker's lease lapses.
      await compareAndSet(this.client, claimKey, claimRevision, null).catch(() => {});
      throw err;
    }
    if (created === null) throw new Error(`creating topic ${name} was cut short: this broker's registration lapsed and its claim on the name with it`);
    await this.applied(created);
    return this.mustGet(name);
  }

  async deleteTopic(name: string): Promise<void> {
    const txn = await this.client.if(this.keys.topic(name), 'Create', '>', 0).then(this.client.delete().key(this.keys.topic(name)), this.client.delete().prefix(this.keys.partitionsOf(name))).commit();
    await this.applied(BigInt(txn.header.revision));
  }

  async createPartitions(name: string, total: number, replicas?: ReplicaRequest): Promise<TopicMetadata> {
    const old = this.mustGet(name);
    const existing = old.partitions.length;
    const factor = replicas?.replicationFactor ?? old.partitions[0]?.replicas.length ?? -1;
    const assignments = replicas?.assignments ?? this.place(total - existing, factor, existing + randomStart());
    const topicKey = this.keys.topic(name);
    const topicRevision = this.image.modRevision(topicKey);
    await this.writePartitions(name, existing, assignments, topicKey, topicRevision);
    const written = await compareAndSet(this.client, topicKey, topicRevision, encode({ ...storedTopic(old), partitions: total }));
    if (written === null) throw new Error(`topic ${name} changed while its partitions were being created`);
    await this.applied(written);
    return this.mustGet(name);
  }

  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<TopicMetadata> {
    const written = await updateKey(this.client, this.keys.topic(name), (current) => (current === null ? undefined : encode({ ...decodeTopic(current), configs })));
    if (written === null) throw new Error(`unknown topic ${name}`);
    await this.applied(written);
    return this.mustGet(name);
  }

  async setBrokerConfigs(scope: string, configs: ConfigMap): Promise<void> {
    await this.putOrDelete(this.keys.brokerConfigs(scope), configs);
  }

  async setGroupConfigs(groupId: string, configs: ConfigMap): Promise<void> {
    await this.putOrDelete(this.keys.groupConfigs(groupId), configs);
  }

  async electLeaders(type: ElectionType, partitions: { topic: string; partition: number }[] | null): Promise<ElectionResult[]> {
    const asked = partitions ?? this.image.topics().flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    const results: ElectionResult[] = [];
    for (const { topic, partition } of asked) {
      const key = this.keys.partition(topic, partition);
      const decision: { outcome: ElectionResult['outcome'] } = { outcome: 'unknown-partition' };
      const written = await updateKey(this.client, key, (current) => {
        if (current === null || !this.image.topic(topic)) return undefined;
        const decided = elect({ partition, ...decodePartition(current) }, type, this.liveIds());
        decision.outcome = decided.outcome;
        return decided.next === null ? undefined : encode(partitionRecord(decided.next));
      });
      if (written !== null) await this.applied(written);
      // Asked for every partition, Kafka reports only those it elected or could not.
      if (partitions !== null || decision.outcome !== 'not-needed') results.push({ topic, partition, outcome: decision.outcome });
    }
    return results;
  }

  async reassignPartitions(requests: ReassignmentRequest[]): Promise<ReassignmentResult[]> {
    const results: ReassignmentResult[] = [];
    for (const { topic, partition, replicas } of requests) {
      const result: ReassignmentResult = { topic, partition, outcome: 'unknown-partition', message: null };
      const problem = replicas === null ? null : this.replicasProblem(replicas);
      if (problem) {
        results.push({ ...result, outcome: 'invalid-assignment', message: problem });
        continue;
      }
      const written = await updateKey(this.client, this.keys.partition(topic, partition), (current) => {
        if (current === null || !this.image.topic(topic)) return undefined;
        const p = { partition, ...decodePartition(current) };
        if (replicas === null) {
          result.outcome = reassigning(p) ? 'cancelled' : 'no-reassignment';
          return reassigning(p) ? encode(partitionRecord(cancelReassignment(p))) : undefined;
        }
        try {
          const next = startReassignment(p, replicas);
          result.outcome = 'started';
          return encode(partitionRecord(next));
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          result.outcome = 'invalid-assignment';
          result.message = err.message;
          return undefined;
        }
      });
      if (written !== null) await this.applied(written);
      results.push(result);
    }
    return results;
  }

  /** What is wrong with `replicas` as a partition's new replicas: empty, a broker twice, or a broker not registered. */
  private replicasProblem(replicas: number[]): string | null {
    if (replicas.length === 0) return 'the new replica list is empty';
    if (new Set(replicas).size !== replicas.length) return `the new replicas [${replicas.join(',')}] name a broker more than once`;
    const live = this.liveIds();
    const missing = replicas.find((id) => !live.has(id));
    return missing === undefined ? null : `broker ${missing} is not registered`;
  }

  /**
   * Controlled shutdown: every partition this broker leads gets another live
   * ISR member as leader (leaderEpoch+1) and this broker leaves the ISRs, by
   * compare-and-swap, before it stops; where it is the only live ISR member
   * nothing changes. Returns once this broker's image shows the result.
   */
  async resign(): Promise<void> {
    for (const topic of this.image.topics()) {
      for (const p of topic.partitions) {
        if (!p.isr.includes(this.self.nodeId)) continue;
        const key = this.keys.partition(topic.name, p.partition);
        const written = await updateKey(this.client, key, (current) => {
          if (current === null) return undefined;
          const next = afterResign({ partition: p.partition, ...decodePartition(current) }, this.self.nodeId, this.liveIds());
          return next === null ? undefined : encode(partitionRecord(next));
        });
        if (written !== null) await this.applied(written);
      }
    }
  }

  /** Reserves `size` producer ids no broker of the cluster was given before (a counter advanced by compare-and-swap); returns the first. */
  async reserveProducerIds(size: number): Promise<number> {
    let start = 0;
    await updateKey(this.client, this.keys.producerIds(), (current) => {
      start = current === null ? 0 : Number(current);
      if (!Number.isSafeInteger(start) || start < 0) throw new Error(`${this.keys.producerIds()} holds ${JSON.stringify(current)}, not a producer id`);
      return String(start + size);
    });
    return start;
  }

  /** Stops renewing the registration without revoking it, as a process that hangs: the cluster drops this broker after the lease TTL. */
  stopRenewing(): void {
    this.registration.stopRenewing();
  }

  /** Revokes the registration (the cluster sees this broker leave at once) and stops watching. */
  async close(): Promise<void> {
    this.closing = true;
    await this.controller?.stop();
    await this.watcher?.cancel().catch(() => {});
    await this.registration.close();
    this.client.close();
  }

  /**
   * Reads everything under the prefix into the image (keys gone since the last
   * read are applied as deleted), then watches from the revision read. A
   * watch that fails (its start revision compacted away while the connection
   * was down) is replaced by loading again.
   */
  private async load(log: Logger): Promise<void> {
    const all = await this.client.getAll().prefix(this.keys.root).exec();
    const revision = BigInt(all.header.revision);
    const present = new Set(all.kvs.map((kv) => kv.key.toString()));
    const gone: KeyValue[] = this.image.heldKeys().filter((key) => !present.has(key)).map((key) => ({ key, value: null, modRevision: '0' }));
    this.apply([...gone, ...all.kvs.map(toKeyValue)], revision);
    const watcher = await this.client
      .watch()
      .prefix(this.keys.root)
      .startRevision(String(revision + 1n))
      .create();
    this.watcher = watcher;
    watcher.on('data', (res) => {
      const changes = res.events.map((e) => (e.type === 'Delete' ? { ...toKeyValue(e.kv), value: null } : toKeyValue(e.kv)));
      if (changes.length > 0) this.apply(changes, BigInt(res.header.revision));
    });
    watcher.on('error', (err) => {
      if (this.closing || this.watcher !== watcher) return;
      log.warn({ err }, 'the etcd watch failed; loading the cluster state again');
      this.watcher = null;
      void watcher.cancel().catch(() => {});
      void this.loadAgain(log);
    });
    this.controller?.poke();
  }

  private async loadAgain(log: Logger): Promise<void> {
    try {
      await this.load(log);
    } catch (err) {
      if (this.closing) return;
      log.warn({ err }, 'loading the cluster state from etcd failed; trying again');
      this.clock.schedule(RELOAD_RETRY_MS, () => void this.loadAgain(log));
    }
  }

  private apply(changes: KeyValue[], revision: bigint): void {
    const { records, ...change } = this.image.apply(changes, revision);
    for (const { kind, listener } of this.recordListeners) {
      const changed = records.get(kind);
      if (changed) listener(changed);
    }
    for (const listener of this.listeners) listener(change);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].revision <= revision) this.waiters.splice(i, 1)[0].resolve();
    }
    this.controller?.poke();
  }

  /** Resolves once the watch has applied everything up to `revision`. */
  private applied(revision: bigint): Promise<void> {
    if (this.image.revision >= revision) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ revision, resolve }));
  }

  private liveIds(): Set<number> {
    return new Set(this.image.brokers().map((b) => b.nodeId));
  }

  private place(count: number, replicationFactor: number, start: number): number[][] {
    return assignReplicas(this.image.brokers(), count, replicationFactor === -1 ? 1 : replicationFactor, start);
  }

  /** Writes initial partition states (leader = first replica, epochs 0, ISR = replicas), provided the topic key keeps `topicRevision`. */
  /** Writes new partitions' records, each transaction only while `guardKey` still has `guardRevision` (the creation's claim, or the topic record read). */
  private async writePartitions(name: string, firstIndex: number, assignments: number[][], guardKey: string, guardRevision: string): Promise<void> {
    for (let from = 0; from < assignments.length; from += KEYS_PER_TXN) {
      const puts = assignments.slice(from, from + KEYS_PER_TXN).map((replicas, i) => {
        const record: PartitionRecord = { leader: replicas[0], leaderEpoch: 0, replicas, isr: [...replicas], partitionEpoch: 0 };
        return this.client.put(this.keys.partition(name, firstIndex + from + i)).value(encode(record));
      });
      const txn = await this.client.if(guardKey, 'Mod', '==', guardRevision).then(...puts).commit();
      if (!txn.succeeded) throw new Error(`topic ${name} changed while its partitions were being created`);
    }
  }

  private async putOrDelete(key: string, configs: ConfigMap): Promise<void> {
    const res = Object.keys(configs).length === 0 ? await this.client.delete().key(key).exec() : await this.client.put(key).value(encode(configs)).exec();
    await this.applied(BigInt(res.header.revision));
  }

  private mustGet(name: string): TopicMetadata {
    const topic = this.image.topic(name);
    if (!topic) throw new Error(`unknown topic ${name}`);
    return topic;
  }
}

function toKeyValue(kv: IKeyValue): KeyValue {
  return { key: kv.key.toString(), value: kv.value.toString(), modRevision: kv.mod_revision };
}

function storedTopic(topic: TopicMetadata): TopicRecord {
  return { topicId: topic.topicId.toString('hex'), partitions: topic.partitions.length, configs: topic.configs };
}

/** Where a topic's first leader goes; random so that topics' leaders spread. */
function randomStart(): number {
  return randomBytes(2).readUInt16BE(0);
}
