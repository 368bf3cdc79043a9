// Committed offsets of every group, and the only reader and writer of the
// internal topic __consumer_offsets (offsets and group metadata records, see
// offsets-log.ts). Owned by the GroupCoordinator.
//
//   offsets: groupId -> topic -> partition -> CommittedOffset
//
// The topic is created on first use, as Kafka does (so a broker that never
// sees a group lists no internal topic), compacted, with offsetsTopicNumPartitions
// partitions; once it exists it is replayed at every start-up.
//
// Invariant: the map is the replay of the committed part of __consumer_offsets
// (records at or past the high watermark are not in it). A write appends one
// batch to the group's partition (Kafka's rule: abs(hashCode) mod N) and its
// records are applied only once the partition commits them (fsynced under the
// group-commit flush policy), in log order per partition. So OffsetFetch never
// returns an offset a crash could take back, and a restart rebuilds exactly
// the same map by replaying the topic from its log start.

import type { Broker } from '../../broker/broker.js';
import type { TopicMetadata } from '../../cluster/control-plane.js';
import type { BrokerConfig } from '../../config.js';
import { SluiceError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Attr } from '../../protocol/record-batch.js';
import { type NewRecord, decodeBatch, encodeBatch, forEachBatch } from '../../protocol/records.js';
import {
  type CommittedOffset,
  type StoredGroup,
  decodeOffsetsRecord,
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
  offsetsPartitionFor,
} from './offsets-log.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/**
 * Topic configs of __consumer_offsets. Compacted, as Kafka's; time and size
 * retention are off so that no committed offset is deleted before it expires
 * by offsetsRetentionMinutes. 100 MiB segments, as Kafka's offsets.topic.segment.bytes.
 */
const OFFSETS_TOPIC_CONFIGS = {
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'segment.bytes': String(100 * 1024 * 1024),
};

/** Bytes read per call while replaying a partition at start-up. */
const REPLAY_CHUNK_BYTES = 1024 * 1024;

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

export class OffsetStore {
  private readonly offsets = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  /** Partitions of __consumer_offsets; 0 until the topic exists. */
  private numPartitions = 0;
  private creating: Promise<void> | null = null;
  /** Per partition of __consumer_offsets: the last write's apply step, so applies keep log order. */
  private readonly tails: Promise<void>[] = [];

  constructor(
    private readonly broker: Broker,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
  ) {}

  /**
   * Replays every partition of __consumer_offsets, if it exists, from its log
   * start to its high watermark. `onGroup` sees each group metadata record
   * (null for a tombstone) in log order; the last one per group counts.
   */
  open(onGroup: (groupId: string, value: StoredGroup | null) => void): void {
    const topic = this.broker.cluster.topic(OFFSETS_TOPIC);
    if (!topic) return;
    this.adopt(topic);
    let records = 0;
    for (let p = 0; p < this.numPartitions; p++) records += this.replay(p, onGroup);
    this.log.info({ partitions: this.numPartitions, records, groups: this.offsets.size }, `loaded ${OFFSETS_TOPIC}`);
  }

  /** Resolves once the topic creation and every write in flight have settled (failed or not). */
  async settle(): Promise<void> {
    await this.creating?.catch(() => {});
    await Promise.all(this.tails);
  }

  /** Creates __consumer_offsets unless it exists; concurrent callers share one creation. */
  ensureTopic(): Promise<void> {
    if (this.numPartitions > 0) return Promise.resolve();
    this.creating ??= this.createTopic().finally(() => (this.creating = null));
    return this.creating;
  }

  private async createTopic(): Promise<void> {
    const existing = this.broker.cluster.topic(OFFSETS_TOPIC);
    this.adopt(existing ?? (await this.broker.createTopic(OFFSETS_TOPIC, this.config.offsetsTopicNumPartitions, OFFSETS_TOPIC_CONFIGS)));
  }

  /** Uses the topic as it is: group placement depends on its partition count, which cannot change. */
  private adopt(topic: TopicMetadata): void {
    if (topic.partitions.length !== this.config.offsetsTopicNumPartitions) {
      this.log.warn(
        { partitions: topic.partitions.length, offsetsTopicNumPartitions: this.config.offsetsTopicNumPartitions },
        `${OFFSETS_TOPIC} exists with another partition count; keeping it`,
      );
    }
    const configs = Object.entries(OFFSETS_TOPIC_CONFIGS).filter(([name]) => name !== 'segment.bytes');
    if (configs.some(([name, value]) => topic.configs[name] !== value)) {
      // E.g. created by a client's Metadata auto-creation before any group was used.
      this.log.warn({ configs: topic.configs }, `${OFFSETS_TOPIC} was not created by the group coordinator: retention may delete committed offsets`);
    }
    this.numPartitions = topic.partitions.length;
  }

  private replay(index: number, onGroup: (groupId: string, value: StoredGroup | null) => void): number {
    const partition = this.broker.partition(OFFSETS_TOPIC, index);
    if (!partition) throw new SluiceError('SLUICE_ERR_COORDINATOR', `partition ${index} of ${OFFSETS_TOPIC} is not open on this broker`);
    const end = partition.highWatermark;
    let offset = partition.logStartOffset;
    let count = 0;
    while (offset < end) {
      const chunk = partition.log.read(offset, REPLAY_CHUNK_BYTES, end);
      let next = offset;
      forEachBatch(chunk, (pos) => {
        const { header, records } = decodeBatch(chunk, pos);
        next = header.baseOffset + header.lastOffsetDelta + 1;
        if (header.attributes & Attr.Control) return;
        for (const r of records) {
          if (r.offset < offset) continue;
          let rec;
          try {
            rec = decodeOffsetsRecord(r.key, r.value);
          } catch (err) {
            this.log.error({ err, partition: index, offset: r.offset }, `skipping an unreadable ${OFFSETS_TOPIC} record`);
            continue;
          }
          if (rec === null) continue;
          count++;
          if (rec.kind === 'offset') this.set(rec.groupId, rec.topic, rec.partition, rec.value);
          else onGroup(rec.groupId, rec.value);
        }
      });
      // read() returns at least one whole batch when there is one; no progress means the log ends early.
      if (next <= offset) break;
      offset = next;
    }
    return count;
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

  private write(groupId: string, records: PendingRecord[]): Promise<void> {
    if (this.numPartitions === 0) return this.ensureTopic().then(() => this.write(groupId, records));
    const index = offsetsPartitionFor(groupId, this.numPartitions);
    const partition = this.broker.partition(OFFSETS_TOPIC, index);
    if (!partition) return Promise.reject(new SluiceError('SLUICE_ERR_COORDINATOR', `partition ${index} of ${OFFSETS_TOPIC} is not open`));
    const now = Date.now();
    const batch = encodeBatch(records.map((r): NewRecord => ({ key: r.key, value: r.value, timestamp: now })));
    let committed: Promise<void>;
    try {
      committed = partition.append(batch).committed;
    } catch (err) {
      return Promise.reject(err);
    }
    const previous = this.tails[index] ?? Promise.resolve();
    const applied = previous.then(() => committed).then(() => {
      for (const r of records) r.apply();
    });
    this.tails[index] = applied.catch(() => {});
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
