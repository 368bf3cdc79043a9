// Committed offsets of every group, and the only reader and writer of the
// internal topic __consumer_offsets (offsets and group metadata records, see
// offsets-log.ts). Owned by the GroupCoordinator.
//
//   offsets: groupId -> topic -> partition -> CommittedOffset
//
// The topic is created on first use, as Kafka does (so a broker that never
// sees a group lists no internal topic), compacted, with offsetsTopicNumPartitions
// partitions; each partition this broker leads is replayed when it becomes
// its leader (at start-up on a single node) and forgotten when it stops.
//
// Invariant: the map is the replay of the committed part of __consumer_offsets
// (records at or past the high watermark are not in it). A write appends one
// batch to the group's partition (Kafka's rule: abs(hashCode) mod N) and its
// records are applied only once the partition commits them (fsynced under the
// group-commit flush policy), in log order per partition. So OffsetFetch never
// returns an offset a crash could take back, and a restart rebuilds exactly
// the same map by replaying the topic from its log start.
//
// Transactional offsets (TxnOffsetCommit, KIP-98): written at once as a
// transactional batch (the producer's id and epoch) to the group's partition,
// which AddOffsetsToTxn put in the transaction. Once committed they wait in
// `pending` (per producer id, invisible to get()) until the transaction's
// COMMIT marker in that partition is committed (then they are applied) or its
// ABORT marker (then dropped). Replay does the same from the batches' headers
// and the control batches, so a restart between TxnOffsetCommit and EndTxn
// loses nothing.

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { BatchOptions } from '../../protocol/records.js';
import { Attr } from '../../protocol/record-batch.js';
import { InternalTopic, STATE_TOPIC_CONFIGS } from '../internal-topic.js';
import {
  type CommittedOffset,
  type StoredGroup,
  decodeOffsetsRecord,
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
} from './offsets-log.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface OffsetEntry {
  topic: string;
  partition: number;
}

interface PendingRecord {
  key: Buffer;
  value: Buffer | null;
  /** Applies the record to the map once it is committed. */
  apply(): void;
}

type PendingOffsets = Map<string, Map<string, OffsetEntry & { value: CommittedOffset }>>;

/** The group coordinator's side of loading a partition of __consumer_offsets. */
export interface GroupShard {
  group(partition: number, groupId: string, value: StoredGroup | null): void;
  /** An offset record of `groupId` was replayed. */
  offsets(partition: number, groupId: string): void;
  loaded(partition: number): void;
  unload(partition: number): void;
}

export class OffsetStore {
  private readonly offsets = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  /** Transactional offsets committed to the log but not yet decided: producerId -> groupId -> "topic\0partition" -> offset. */
  private readonly pending = new Map<number, PendingOffsets>();
  private readonly topic: InternalTopic;

  constructor(broker: Broker, config: BrokerConfig, log: Logger) {
    this.topic = new InternalTopic(broker, log, OFFSETS_TOPIC, config.offsetsTopicNumPartitions, STATE_TOPIC_CONFIGS);
  }

  /**
   * Loads the partitions of __consumer_offsets this broker leads, and from now
   * on follows their leadership (internal-topic.ts). `groups.group` sees each
   * group metadata record of a loading partition (null for a tombstone) in log
   * order, the last one per group counting, and `groups.offsets` the group of
   * each offset record; `groups.loaded` runs once the
   * partition's offsets are in place; `groups.unload` once they are dropped.
   */
  start(groups: GroupShard): void {
    this.topic.start({
      record: (r, header, partition) => {
        const rec = decodeOffsetsRecord(r.key, r.value);
        if (rec === null) return;
        if (rec.kind === 'group') return groups.group(partition, rec.groupId, rec.value);
        groups.offsets(partition, rec.groupId);
        if (header.attributes & Attr.Transactional && header.producerId >= 0) {
          if (rec.value !== null) this.stage(header.producerId, rec.groupId, rec.topic, rec.partition, rec.value);
        } else this.set(rec.groupId, rec.topic, rec.partition, rec.value);
      },
      control: (partition, producerId, commit) => this.complete(partition, producerId, commit),
      loaded: (partition) => groups.loaded(partition),
      unload: (partition) => {
        this.drop(partition);
        groups.unload(partition);
      },
    });
  }

  /** Stops following the leadership of __consumer_offsets' partitions. */
  stop(): void {
    this.topic.stop();
  }

  /** Whether `groupId` is coordinated here: NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  ownership(groupId: string): number {
    return this.topic.ownership(groupId);
  }

  /** Resolves once the topic creation and every write in flight have settled (failed or not). */
  settle(): Promise<void> {
    return this.topic.settle();
  }

  /** Creates __consumer_offsets unless it exists; concurrent callers share one creation. */
  ensureTopic(): Promise<void> {
    return this.topic.ensureTopic();
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId)?.get(topic)?.get(partition);
  }

  /** Every committed offset of `groupId` (read-only view). */
  offsetsOf(groupId: string): ReadonlyMap<string, ReadonlyMap<number, CommittedOffset>> {
    return this.offsets.get(groupId) ?? new Map();
  }

  groupIds(): IterableIterator<string> {
    return this.offsets.keys();
  }

  /** Resolves once every write for `groupId` made so far (offsets, tombstones, markers in its partition) is applied or failed. */
  settled(groupId: string): Promise<void> {
    return this.topic.settled(groupId);
  }

  /** Stores offsets; resolves once they are committed and visible to get(). */
  commit(groupId: string, entries: (OffsetEntry & { value: CommittedOffset })[]): Promise<void> {
    return this.write(
      groupId,
      entries.map((e) => ({
        key: offsetCommitKey(groupId, e.topic, e.partition),
        value: offsetCommitValue(e.value),
        apply: () => this.set(groupId, e.topic, e.partition, e.value),
      })),
    );
  }

  /**
   * Writes transactional offsets as one transactional batch of `producerId`
   * and `producerEpoch`; resolves once it is committed. They stay pending
   * (hasPending) until the transaction's marker in the group's partition.
   */
  commitTransactional(groupId: string, producerId: number, producerEpoch: number, entries: (OffsetEntry & { value: CommittedOffset })[]): Promise<void> {
    return this.write(
      groupId,
      entries.map((e) => ({
        key: offsetCommitKey(groupId, e.topic, e.partition),
        value: offsetCommitValue(e.value),
        apply: () => this.stage(producerId, groupId, e.topic, e.partition, e.value),
      })),
      { producerId, producerEpoch, transactional: true },
    );
  }

  /** Whether a transaction has offsets for this partition written but not yet committed or aborted. */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    for (const groups of this.pending.values()) if (groups.get(groupId)?.has(`${topic}\0${partition}`)) return true;
    return false;
  }

  /** The partition of __consumer_offsets holding `groupId`; the topic must exist. */
  partitionOf(groupId: string): number {
    return this.topic.partitionOf(groupId);
  }

  /**
   * Appends a transaction marker (COMMIT/ABORT control batch of `producerId`)
   * to partition `index`, in order with the other writes; once it is committed
   * the producer's pending offsets of the groups in that partition are applied
   * (commit) or dropped. Resolves with the groups whose offsets were applied.
   */
  writeMarker(index: number, batch: Buffer, producerId: number, commit: boolean): Promise<string[]> {
    let applied: string[] = [];
    return this.topic.writeBatch(index, batch, () => (applied = this.complete(index, producerId, commit))).then(() => applied);
  }

  /** Writes tombstones for `entries`, and for the group's metadata when `group` is set. */
  delete(groupId: string, entries: OffsetEntry[], group: boolean): Promise<void> {
    const records: PendingRecord[] = entries.map((e) => ({
      key: offsetCommitKey(groupId, e.topic, e.partition),
      value: null,
      apply: () => this.set(groupId, e.topic, e.partition, null),
    }));
    if (group) records.push({ key: groupMetadataKey(groupId), value: null, apply: () => {} });
    return records.length === 0 ? Promise.resolve() : this.write(groupId, records);
  }

  /** Writes the group's metadata record. */
  storeGroup(groupId: string, group: StoredGroup): Promise<void> {
    return this.write(groupId, [{ key: groupMetadataKey(groupId), value: groupMetadataValue(group), apply: () => {} }]);
  }

  private write(groupId: string, records: PendingRecord[], opts: BatchOptions = {}): Promise<void> {
    const now = Date.now();
    return this.topic.write(
      groupId,
      records.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
      () => {
        for (const r of records) r.apply();
      },
      opts,
    );
  }

  /** Forgets the committed and pending offsets of the groups in partition `index` (this broker stopped leading it). */
  private drop(index: number): void {
    for (const groupId of [...this.offsets.keys()]) if (this.topic.partitionOf(groupId) === index) this.offsets.delete(groupId);
    for (const [producerId, groups] of this.pending) {
      for (const groupId of [...groups.keys()]) if (this.topic.partitionOf(groupId) === index) groups.delete(groupId);
      if (groups.size === 0) this.pending.delete(producerId);
    }
  }

  private stage(producerId: number, groupId: string, topic: string, partition: number, value: CommittedOffset): void {
    let groups = this.pending.get(producerId);
    if (!groups) this.pending.set(producerId, (groups = new Map()));
    let staged = groups.get(groupId);
    if (!staged) groups.set(groupId, (staged = new Map()));
    staged.set(`${topic}\0${partition}`, { topic, partition, value });
  }

  /** A marker of `producerId` in partition `index`: applies (commit) or drops its pending offsets there. Returns the groups applied to. */
  private complete(index: number, producerId: number, commit: boolean): string[] {
    const groups = this.pending.get(producerId);
    if (!groups) return [];
    const applied: string[] = [];
    for (const [groupId, staged] of groups) {
      if (this.topic.partitionOf(groupId) !== index) continue;
      groups.delete(groupId);
      if (!commit) continue;
      for (const e of staged.values()) this.set(groupId, e.topic, e.partition, e.value);
      applied.push(groupId);
    }
    if (groups.size === 0) this.pending.delete(producerId);
    return applied;
  }

  private set(groupId: string, topic: string, partition: number, value: CommittedOffset | null): void {
    let topics = this.offsets.get(groupId);
    if (value === null) {
      const partitions = topics?.get(topic);
      if (!partitions) return;
      partitions.delete(partition);
      if (partitions.size === 0) topics!.delete(topic);
      if (topics!.size === 0) this.offsets.delete(groupId);
      return;
    }
    if (!topics) this.offsets.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }
}
