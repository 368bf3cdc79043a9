// The cluster as this broker last saw it in etcd: every key under the prefix
// with its mod revision, loaded once and then kept up to date from the watch,
// so that reads (topics, brokers, configs) are synchronous. A compare-and-swap
// names the mod revision read here.

import type { ConfigMap } from '../metadata/config-def.js';
import type { BrokerInfo, ClusterChange, PartitionAssignment, RecordChange, SharedRecordKind, TopicMetadata } from './control-plane.js';
import type { EtcdKeys } from './etcd-keys.js';
import { decodeBroker, decodeConfigs, decodeController, decodePartition, decodeTopic } from './etcd-records.js';

export interface KeyValue {
  key: string;
  /** null: deleted. */
  value: string | null;
  modRevision: string;
}

/** What one batch changed: as ClusterChange, and the shared records changed, by kind. */
export interface ImageChange extends ClusterChange {
  records: Map<SharedRecordKind, RecordChange[]>;
}

const NONE: ConfigMap = Object.freeze({}) as ConfigMap;

export class ClusterImage {
  private readonly entries = new Map<string, { value: string; modRevision: string }>();
  private readonly liveBrokers = new Map<number, BrokerInfo>();
  private readonly byName = new Map<string, TopicMetadata>();
  private readonly byId = new Map<string, TopicMetadata>();
  private readonly brokerConfigsByScope = new Map<string, ConfigMap>();
  private readonly groupConfigsById = new Map<string, ConfigMap>();
  private readonly sharedRecords = new Map<SharedRecordKind, Map<string, string>>();
  private controller = -1;
  /** The etcd revision everything up to which is applied. */
  revision = 0n;

  constructor(
    private readonly keys: EtcdKeys,
    private readonly onBadValue: (key: string, err: unknown) => void,
  ) {}

  get controllerId(): number {
    return this.controller;
  }

  brokers(): BrokerInfo[] {
    return [...this.liveBrokers.values()].sort((a, b) => a.nodeId - b.nodeId);
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

  brokerConfigs(scope: string): ConfigMap {
    return this.brokerConfigsByScope.get(scope) ?? NONE;
  }

  groupConfigs(groupId: string): ConfigMap {
    return this.groupConfigsById.get(groupId) ?? NONE;
  }

  /** The shared records of `kind` held. */
  records(kind: SharedRecordKind): RecordChange[] {
    return [...(this.sharedRecords.get(kind) ?? [])].map(([id, value]) => ({ id, value }));
  }

  /** Every key held. */
  heldKeys(): string[] {
    return [...this.entries.keys()];
  }

  /** The mod revision of `key` as seen ("0": absent), for a compare-and-swap. */
  modRevision(key: string): string {
    return this.entries.get(key)?.modRevision ?? '0';
  }

  /** Applies one batch of changes seen at `revision`; says what changed. */
  apply(changes: KeyValue[], revision: bigint): ImageChange {
    const topics = new Set<string>();
    const records = new Map<SharedRecordKind, RecordChange[]>();
    let brokers = false;
    for (const kv of changes) {
      if (kv.value === null) this.entries.delete(kv.key);
      else this.entries.set(kv.key, { value: kv.value, modRevision: kv.modRevision });
      const key = this.keys.parse(kv.key);
      switch (key.kind) {
        case 'broker':
          this.applyBroker(key.nodeId, kv);
          brokers = true;
          break;
        case 'controller':
          this.controller = this.decoded(kv, (v) => decodeController(v).nodeId) ?? -1;
          break;
        case 'topic':
          topics.add(key.name);
          break;
        case 'partition':
          topics.add(key.topic);
          break;
        case 'broker-configs':
          setOrClear(this.brokerConfigsByScope, key.scope, this.decoded(kv, decodeConfigs));
          break;
        case 'group-configs':
          setOrClear(this.groupConfigsById, key.groupId, this.decoded(kv, decodeConfigs));
          break;
        case 'shared-record':
          this.applySharedRecord(key.recordKind, { id: key.id, value: kv.value }, records);
          break;
        default:
          break;
      }
    }
    for (const name of topics) this.rebuildTopic(name);
    if (revision > this.revision) this.revision = revision;
    return { topics: [...topics], brokers, records };
  }

  /** Held as text: the store that owns the kind decodes it. */
  private applySharedRecord(kind: SharedRecordKind, change: RecordChange, changed: Map<SharedRecordKind, RecordChange[]>): void {
    let held = this.sharedRecords.get(kind);
    if (!held) this.sharedRecords.set(kind, (held = new Map()));
    if (change.value === null) held.delete(change.id);
    else held.set(change.id, change.value);
    let list = changed.get(kind);
    if (!list) changed.set(kind, (list = []));
    list.push(change);
  }

  private applyBroker(nodeId: number, kv: KeyValue): void {
    const info = this.decoded(kv, decodeBroker);
    if (info && info.nodeId === nodeId) this.liveBrokers.set(nodeId, info);
    else this.liveBrokers.delete(nodeId);
  }

  /** A topic is visible once its record and all its partitions are: creation writes partitions first. */
  private rebuildTopic(name: string): void {
    const old = this.byName.get(name);
    if (old) this.byId.delete(old.topicId.toString('hex'));
    this.byName.delete(name);
    const entry = this.entries.get(this.keys.topic(name));
    const record = entry && this.decoded({ key: this.keys.topic(name), value: entry.value, modRevision: entry.modRevision }, decodeTopic);
    if (!record) return;
    const partitions: PartitionAssignment[] = [];
    for (let p = 0; p < record.partitions; p++) {
      const key = this.keys.partition(name, p);
      const stored = this.entries.get(key);
      const state = stored && this.decoded({ key, value: stored.value, modRevision: stored.modRevision }, decodePartition);
      if (!state) return;
      partitions.push({ partition: p, ...state });
    }
    const topic: TopicMetadata = { name, topicId: Buffer.from(record.topicId, 'hex'), partitions, configs: record.configs };
    this.byName.set(name, topic);
    this.byId.set(record.topicId, topic);
  }

  private decoded<T>(kv: KeyValue, decode: (text: string) => T): T | null {
    if (kv.value === null) return null;
    try {
      return decode(kv.value);
    } catch (err) {
      this.onBadValue(kv.key, err);
      return null;
    }
  }
}

function setOrClear(map: Map<string, ConfigMap>, key: string, configs: ConfigMap | null): void {
  if (configs === null || Object.keys(configs).length === 0) map.delete(key);
  else map.set(key, configs);
}
