// An internal compacted topic owned by one coordinator (__consumer_offsets,
// __transaction_state, __share_group_state): created on first use, as Kafka
// does, and written in log order per partition, each write settling only once
// its records are committed (fsynced under group-commit; replicated to the ISR
// in a cluster). A key lives in partition abs(Java hashCode) mod N, Kafka's
// placement rule, and is coordinated by that partition's leader.
//
// Each partition is a shard of the coordinator's state, following this
// broker's leadership (broker.leadership): when it becomes the leader the
// shard loads (state 'loading' until the high watermark reaches the log end,
// so that everything the previous leader committed is read; then its records
// are replayed from the log start to the high watermark) and is 'loaded';
// when it stops leading, the shard is dropped (StateShard.unload). Keys of a
// partition not loaded here answer NOT_COORDINATOR (or
// COORDINATOR_LOAD_IN_PROGRESS while loading). A write is accepted only by a
// loaded shard and applied only if that same load still holds when it
// commits; else it fails with NotCoordinatorError.
//
//   (not led) --leader--> loading --HW at log end, replayed--> loaded
//   loading | loaded --follower | none--> (not led)

import type { Broker } from '../broker/broker.js';
import { ControlType } from '../protocol/control-records.js';
import type { TopicMetadata } from '../cluster/control-plane.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { LeadershipChange } from '../broker/leadership.js';
import type { Logger } from '../logger.js';
import { Attr, type BatchHeader } from '../protocol/record-batch.js';
import { type BatchOptions, type NewRecord, type Record as LogRecord, decodeBatch, encodeBatch, forEachBatch } from '../protocol/records.js';
import { readPastCorrupt } from '../storage/corrupt-batch.js';
import { offsetsPartitionFor } from './group/offsets-log.js';
import { NotCoordinatorError } from './not-coordinator-error.js';
import { STATE_TOPIC_REPLICATION_FACTOR } from '../metadata/broker-configs.js';

/**
 * A coordinator's state kept per partition of its internal topic. While a
 * partition loads, `record` sees each of its data records in log order, with
 * its batch's header (producer id, transactional attribute), and `control`
 * each transaction marker (COMMIT/ABORT control batch); then `loaded` runs.
 * `unload` drops everything the partition's records built.
 */
export interface StateShard {
  record(record: LogRecord, header: BatchHeader, partition: number): void;
  control?(partition: number, producerId: number, commit: boolean): void;
  loaded?(partition: number): void;
  unload(partition: number): void;
}

/** One load of a partition; a later load of the same partition is another object, so a write applies only under the load it was accepted in. */
interface ShardLoad {
  state: 'loading' | 'loaded';
}

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

/** The replication factor of an internal topic created on a cluster of `liveBrokers`. */
export function stateTopicReplicationFactor(liveBrokers: number): number {
  return Math.max(1, Math.min(STATE_TOPIC_REPLICATION_FACTOR, liveBrokers));
}

/** Bytes read per call while replaying a partition as it loads. */
const REPLAY_CHUNK_BYTES = 1024 * 1024;

export class InternalTopic {
  /** Partitions of the topic; 0 until it exists. */
  private numPartitions = 0;
  private creating: Promise<void> | null = null;
  /** Per partition: the last write's settlement, so writes settle in log order. */
  private readonly tails: Promise<void>[] = [];
  /** Partitions this broker leads, as leadership events told. */
  private readonly led = new Set<number>();
  /** Partitions loading or loaded here; absent: not coordinated here. */
  private readonly loads = new Map<number, ShardLoad>();
  private shard: StateShard | null = null;
  private readonly stopListening: () => void;

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
    readonly name: string,
    private readonly wantedPartitions: number,
    private readonly configs: Readonly<Record<string, string>>,
  ) {
    // Listening from construction: the broker tells of the partitions it leads while it starts, before start() below.
    this.stopListening = broker.leadership.on((change) => this.onLeadership(change));
  }

  get partitionCount(): number {
    return this.numPartitions;
  }

  /**
   * Loads every partition this broker leads (at start-up: all of them on a
   * single node) into `shard`, and from now on loads and unloads partitions
   * as leadership moves. A record the shard cannot read (it throws) is logged
   * and skipped.
   */
  start(shard: StateShard): void {
    this.shard = shard;
    for (const index of [...this.led].sort((x, y) => x - y)) this.load(index);
  }

  /** Stops following leadership; loaded shards stay as they are (the broker is closing). */
  stop(): void {
    this.stopListening();
  }

  /**
   * Whether the key is coordinated here: NONE (also before the topic exists
   * or while this broker creates it: the first write creates it and waits),
   * NOT_COORDINATOR, or COORDINATOR_LOAD_IN_PROGRESS.
   */
  ownership(placementKey: string): number {
    // Writes wait for a creation in flight, whose partitions open one by one.
    if (this.creating) return ErrorCode.NONE;
    if (this.numPartitions === 0) {
      const topic = this.broker.cluster.topic(this.name);
      if (!topic) return ErrorCode.NONE;
      this.adopt(topic);
    }
    const load = this.loads.get(this.partitionOf(placementKey));
    if (!load) return ErrorCode.NOT_COORDINATOR;
    return load.state === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Whether partition `index` is loaded here. */
  isLoaded(index: number): boolean {
    return this.loads.get(index)?.state === 'loaded';
  }

  /** The partition of `placementKey`; the topic must exist (partitionCount > 0). */
  partitionOf(placementKey: string): number {
    return offsetsPartitionFor(placementKey, this.numPartitions);
  }

  /** Creates the topic unless it exists; concurrent callers share one creation. */
  ensureTopic(): Promise<void> {
    // A creation in flight may have opened (and adopted) some partitions already: wait for all.
    if (this.creating) return this.creating;
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
    if (this.creating) return this.creating.then(() => this.settled(placementKey), () => {});
    if (this.numPartitions === 0) return Promise.resolve();
    return this.tails[this.partitionOf(placementKey)] ?? Promise.resolve();
  }

  /**
   * Appends `records` as one batch to the partition of `placementKey`. Resolves
   * once they are committed and every earlier write to that partition has
   * settled; `onCommitted` runs just before, so effects apply in log order.
   */
  write(placementKey: string, records: NewRecord[], onCommitted: () => void = () => {}, opts: BatchOptions = {}): Promise<void> {
    if (this.numPartitions === 0 || this.creating) return this.ensureTopic().then(() => this.write(placementKey, records, onCommitted, opts));
    return this.append(offsetsPartitionFor(placementKey, this.numPartitions), () => encodeBatch(records, opts), onCommitted);
  }

  /**
   * Appends a ready batch (a transaction marker) to partition `index`, in the
   * same order as write(): resolves once committed, `onCommitted` just before.
   */
  writeBatch(index: number, batch: Buffer, onCommitted: () => void = () => {}): Promise<void> {
    if (this.numPartitions === 0 || this.creating) return this.ensureTopic().then(() => this.writeBatch(index, batch, onCommitted));
    return this.append(index, () => batch, onCommitted);
  }

  private append(index: number, batch: () => Buffer, onCommitted: () => void): Promise<void> {
    const load = this.loads.get(index);
    const partition = this.broker.partition(this.name, index);
    if (load?.state !== 'loaded' || !partition) return Promise.reject(new NotCoordinatorError(this.name, index));
    let committed: Promise<void>;
    try {
      committed = partition.append(batch()).committed;
    } catch (err) {
      return Promise.reject(err);
    }
    const applied = (this.tails[index] ?? Promise.resolve())
      .then(() => committed)
      .then(() => {
        // Leadership moved while the write was in flight: the new leader's load decides what it means.
        if (this.loads.get(index) !== load) throw new NotCoordinatorError(this.name, index);
        onCommitted();
      });
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

  private onLeadership(change: LeadershipChange): void {
    if (change.topic !== this.name) return;
    if (change.role === 'leader') {
      this.led.add(change.partition);
      if (this.shard && !this.loads.has(change.partition)) this.load(change.partition);
      return;
    }
    this.led.delete(change.partition);
    if (this.loads.delete(change.partition)) {
      this.shard?.unload(change.partition);
      this.log.info({ partition: change.partition, role: change.role }, `unloaded ${this.name} partition`);
    }
  }

  /**
   * Loads partition `index`: at once when its high watermark is at its log
   * end (always on a single node), else once it gets there. A partition the
   * broker has not opened stays unloaded (its keys answer NOT_COORDINATOR);
   * this runs inside the broker's leadership change, which must not fail.
   */
  private load(index: number): void {
    const partition = this.broker.partition(this.name, index);
    if (!partition) {
      this.log.error({ code: 'SLUICE_ERR_COORDINATOR', partition: index }, `partition ${index} of ${this.name} is led here but not open: its keys are not coordinated`);
      return;
    }
    if (this.numPartitions === 0) this.adopt(this.broker.cluster.topic(this.name)!);
    const load: ShardLoad = { state: 'loading' };
    this.loads.set(index, load);
    const replay = () => {
      if (this.loads.get(index) !== load) return;
      const records = this.replayPartition(index);
      load.state = 'loaded';
      this.shard!.loaded?.(index);
      if (records > 0) this.log.info({ partition: index, records }, `loaded ${this.name} partition`);
    };
    if (partition.highWatermark >= partition.logEndOffset) replay();
    else void partition.awaitLogEnd().then(replay);
  }

  private replayPartition(index: number): number {
    const partition = this.broker.partition(this.name, index)!;
    const shard = this.shard!;
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
            shard.control?.(index, header.producerId, type === ControlType.Commit);
          }
          return;
        }
        for (const r of records) {
          if (r.offset < offset) continue;
          try {
            shard.record(r, header, index);
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
