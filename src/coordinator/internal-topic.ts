// An internal compacted topic owned by one coordinator (__consumer_offsets,
// __transaction_state): created on first use, as Kafka does, replayed from its
// log start at start-up, and written in log order per partition, each write
// settling only once its records are committed (fsynced under group-commit).
// A key lives in partition abs(Java hashCode) mod N, Kafka's placement rule.

import type { Broker } from '../broker/broker.js';
import { ControlType } from '../protocol/control-records.js';
import type { TopicMetadata } from '../cluster/control-plane.js';
import { SluiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Attr, type BatchHeader } from '../protocol/record-batch.js';
import { type BatchOptions, type NewRecord, type Record as LogRecord, decodeBatch, encodeBatch, forEachBatch } from '../protocol/records.js';
import { readPastCorrupt } from '../storage/corrupt-batch.js';
import { offsetsPartitionFor } from './group/offsets-log.js';

/** A COMMIT or ABORT marker met while replaying: its partition and producer id. */
export type OnControl = (partition: number, producerId: number, commit: boolean) => void;

/**
 * Topic configs of the coordinators' state topics: compacted (the last record
 * per key is the state), time and size retention off so no state is deleted
 * under its owner, 100 MiB segments (Kafka's offsets.topic.segment.bytes and
 * transaction.state.log.segment.bytes).
 */
export const STATE_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'segment.bytes': String(100 * 1024 * 1024),
};

/**
 * Copies of each internal-topic partition wanted (Kafka's
 * offsets.topic.replication.factor and transaction.state.log.replication.factor
 * default); a smaller cluster gets one per live broker.
 */
const STATE_TOPIC_REPLICATION_FACTOR = 3;

/** The replication factor of an internal topic created on a cluster of `liveBrokers`. */
export function stateTopicReplicationFactor(liveBrokers: number): number {
  return Math.max(1, Math.min(STATE_TOPIC_REPLICATION_FACTOR, liveBrokers));
}

/** Bytes read per call while replaying a partition at start-up. */
const REPLAY_CHUNK_BYTES = 1024 * 1024;

export class InternalTopic {
  /** Partitions of the topic; 0 until it exists. */
  private numPartitions = 0;
  private creating: Promise<void> | null = null;
  /** Per partition: the last write's settlement, so writes settle in log order. */
  private readonly tails: Promise<void>[] = [];

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
    readonly name: string,
    private readonly wantedPartitions: number,
    private readonly configs: Readonly<Record<string, string>>,
  ) {}

  get partitionCount(): number {
    return this.numPartitions;
  }

  /**
   * Replays every partition, if the topic exists, from its log start to its
   * high watermark; `onRecord` sees each data record in log order, with its
   * batch's header (producer id, transactional attribute), and `onControl` each
   * transaction marker (COMMIT/ABORT control batch). A record it cannot read (it
   * throws) is logged and skipped. Returns the records replayed.
   */
  replay(onRecord: (record: LogRecord, header: BatchHeader, partition: number) => void, onControl: OnControl = () => {}): number {
    const topic = this.broker.cluster.topic(this.name);
    if (!topic) return 0;
    this.adopt(topic);
    let count = 0;
    for (let p = 0; p < this.numPartitions; p++) count += this.replayPartition(p, onRecord, onControl);
    return count;
  }

  /** The partition of `placementKey`; the topic must exist (partitionCount > 0). */
  partitionOf(placementKey: string): number {
    return offsetsPartitionFor(placementKey, this.numPartitions);
  }

  /** Creates the topic unless it exists; concurrent callers share one creation. */
  ensureTopic(): Promise<void> {
    if (this.numPartitions > 0) return Promise.resolve();
    this.creating ??= this.createTopic().finally(() => (this.creating = null));
    return this.creating;
  }

  /** Resolves once the topic creation and every write in flight have settled (failed or not). */
  async settle(): Promise<void> {
    await this.creating?.catch(() => {});
    await Promise.all(this.tails);
  }

  /**
   * Resolves once every write made so far to the partition of `placementKey`
   * has settled (failed or not), one waiting for the topic's creation included.
   */
  settled(placementKey: string): Promise<void> {
    // A write waiting for the creation appends in a reaction registered before this one.
    if (this.numPartitions === 0) return this.creating?.then(() => this.settled(placementKey), () => {}) ?? Promise.resolve();
    return this.tails[this.partitionOf(placementKey)] ?? Promise.resolve();
  }

  /**
   * Appends `records` as one batch to the partition of `placementKey`. Resolves
   * once they are committed and every earlier write to that partition has
   * settled; `onCommitted` runs just before, so effects apply in log order.
   */
  write(placementKey: string, records: NewRecord[], onCommitted: () => void = () => {}, opts: BatchOptions = {}): Promise<void> {
    if (this.numPartitions === 0) return this.ensureTopic().then(() => this.write(placementKey, records, onCommitted, opts));
    return this.append(offsetsPartitionFor(placementKey, this.numPartitions), () => encodeBatch(records, opts), onCommitted);
  }

  /**
   * Appends a ready batch (a transaction marker) to partition `index`, in the
   * same order as write(): resolves once committed, `onCommitted` just before.
   */
  writeBatch(index: number, batch: Buffer, onCommitted: () => void = () => {}): Promise<void> {
    if (this.numPartitions === 0) return this.ensureTopic().then(() => this.writeBatch(index, batch, onCommitted));
    return this.append(index, () => batch, onCommitted);
  }

  private append(index: number, batch: () => Buffer, onCommitted: () => void): Promise<void> {
    const partition = this.broker.partition(this.name, index);
    if (!partition) return Promise.reject(new SluiceError('SLUICE_ERR_COORDINATOR', `partition ${index} of ${this.name} is not open`));
    let committed: Promise<void>;
    try {
      committed = partition.append(batch()).committed;
    } catch (err) {
      return Promise.reject(err);
    }
    const applied = (this.tails[index] ?? Promise.resolve()).then(() => committed).then(onCommitted);
    this.tails[index] = applied.catch(() => {});
    return applied;
  }

  private async createTopic(): Promise<void> {
    const existing = this.broker.cluster.topic(this.name);
    if (existing) return this.adopt(existing);
    const replication = { replicationFactor: stateTopicReplicationFactor(this.broker.cluster.brokers().length), assignments: [] };
    this.adopt(await this.broker.createTopic(this.name, this.wantedPartitions, this.configs, false, replication));
  }

  /** Uses the topic as it is: placement depends on its partition count, which cannot change. */
  private adopt(topic: TopicMetadata): void {
    if (topic.partitions.length !== this.wantedPartitions) {
      this.log.warn({ partitions: topic.partitions.length, wanted: this.wantedPartitions }, `${this.name} exists with another partition count; keeping it`);
    }
    const configs = Object.entries(this.configs).filter(([name]) => name !== 'segment.bytes');
    if (configs.some(([name, value]) => topic.configs[name] !== value)) {
      this.log.warn({ configs: topic.configs }, `${this.name} was not created by its coordinator: retention may delete its records`);
    }
    this.numPartitions = topic.partitions.length;
  }

  private replayPartition(index: number, onRecord: (record: LogRecord, header: BatchHeader, partition: number) => void, onControl: OnControl): number {
    const partition = this.broker.partition(this.name, index);
    if (!partition) throw new SluiceError('SLUICE_ERR_COORDINATOR', `partition ${index} of ${this.name} is not open on this broker`);
    const end = partition.highWatermark;
    let offset = partition.logStartOffset;
    let count = 0;
    while (offset < end) {
      const chunk = readPastCorrupt(partition.log, offset, REPLAY_CHUNK_BYTES, end);
      let next = offset;
      forEachBatch(chunk, (pos) => {
        const { header, records } = decodeBatch(chunk, pos);
        next = header.baseOffset + header.lastOffsetDelta + 1;
        if (header.attributes & Attr.Control) {
          const type = records[0]?.key && records[0].key.length >= 4 ? records[0].key.readInt16BE(2) : -1;
          if (header.baseOffset >= offset && (type === ControlType.Commit || type === ControlType.Abort)) {
            onControl(index, header.producerId, type === ControlType.Commit);
          }
          return;
        }
        for (const r of records) {
          if (r.offset < offset) continue;
          try {
            onRecord(r, header, index);
            count++;
          } catch (err) {
            this.log.error({ err, partition: index, offset: r.offset }, `skipping an unreadable ${this.name} record`);
          }
        }
      });
      // read() returns at least one whole batch when there is one; no progress means the log ends early.
      if (next <= offset) break;
      offset = next;
    }
    return count;
  }
}
