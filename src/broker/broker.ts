// A broker's partitions: opens their logs, creates and deletes topics through
// the control plane, pushes changed topic and broker configs to the open logs,
// runs retention. The produce and fetch paths live in produce.ts and fetch.ts
// and work on the partitions held here; config changes are decided in
// config-changes.ts.

import { type InterBrokerSecurity, interBrokerSecurity } from '../cluster/inter-broker-security.js';
import fs from 'node:fs';
import path from 'node:path';
import type { BrokerConfig } from '../config.js';
import { type ControlPlane, type PartitionAssignment, TopicExistsError, type TopicMetadata } from '../cluster/control-plane.js';
import { SluiceError, asStorageFailure } from '../errors.js';
import type { Logger } from '../logger.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { type BrokerRuns, PROCESS_RUNS, beginBrokerRun } from '../storage/clean-shutdown.js';
import { FileLog } from '../storage/file-log.js';
import { partitionDirs } from '../storage/offline-verify.js';
import { readPartitionMetadata, writePartitionMetadata } from '../storage/partition-metadata.js';
import { Scrubber } from '../storage/scrubber.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { Partition } from './partition.js';
import { IsrChanges } from './isr-changes.js';
import { ReplicaFetchers } from '../replication/replica-fetchers.js';
import { type Clock, backgroundClock } from '../clock.js';
import { LeadershipEvents } from './leadership.js';
import { PartitionSnapshots } from './partition-snapshots.js';
import { HighWatermarkCheckpoints } from './high-watermark-checkpoints.js';
import { BrokerCounters } from './counters.js';
import { PartitionTxns } from './partition-txns.js';
import { DEFAULT_REPLICATION, type NewTopicReplication, type PlacementProblem, newPartitionsProblem, newTopicProblem, replicaRequest } from './replica-placement.js';
import { BrokerConfigs, throttleRate } from '../metadata/broker-configs.js';
import { ReplicationThrottle } from '../replication/replication-throttle.js';
import type { ConfigMap } from '../metadata/config-def.js';
import { type TopicConfigs, isCompacted, isThrottledReplica, logConfigFor, validateTopicConfigs } from '../metadata/topic-configs.js';
import { isInternalTopic, topicNameProblem } from './topic-name.js';
import { BufferPool } from '../protocol/buffer-pool.js';

export class TopicError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_PARTITIONS = 100_000;
/** Stray partition directories named in the start-up warning; the rest are counted. */
const MAX_STRAYS_NAMED = 20;

function throwIf(problem: PlacementProblem | null): void {
  if (problem) throw new TopicError(problem.errorCode, problem.message);
}

/**
 * Internal topics hold the coordinators' state (committed offsets, transactions):
 * clients may not delete or grow them. Kafka answers INVALID_TOPIC_EXCEPTION
 * when a client writes to one or deletes its records; the same code here.
 */
function refuseIfInternal(name: string, what: string): void {
  if (isInternalTopic(name)) throw new TopicError(ErrorCode.INVALID_TOPIC_EXCEPTION, `the internal topic ${name} cannot be ${what} by clients`);
}

export class Broker {
  /** By topic name, indexed by partition; a partition this broker holds no replica of is a hole. */
  private readonly partitions = new Map<string, Partition[]>();
  /** The topic id each entry of `partitions` was opened for: a topic deleted and created again under its name is another topic. */
  private readonly openTopicIds = new Map<string, string>();
  private stopWatching: () => void = () => {};
  private closed = false;
  private retentionTimer: NodeJS.Timeout | null = null;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private highWatermarkTimer: NodeJS.Timeout | null = null;
  /** Re-checks closed segments in the background; null when scrubBytesPerSec is 0. */
  readonly scrubber: Scrubber | null;
  /** Producer state and dedup window snapshots of every partition. */
  private readonly snapshots: PartitionSnapshots;
  /** Where reopened replicas start their high watermark; kept up to date while the broker runs. */
  private readonly highWatermarks: HighWatermarkCheckpoints;
  /** Counters a metrics endpoint reads. */
  readonly counters = new BrokerCounters();
  /** Told of every change of this broker's role for a partition (the coordinators follow their internal topics' leadership). */
  readonly leadership = new LeadershipEvents();
  private readonly creating = new Map<string, Promise<TopicMetadata>>();
  /** By topic name: the last creation, deletion or partition addition queued (see oneAtATime). */
  private readonly topicChanges = new Map<string, Promise<void>>();
  /** Start-up options plus dynamic broker configs, by Kafka name; supplies every topic config's default. */
  readonly dynamicConfig: BrokerConfigs;
  /** What this broker connects to the others' inter-broker listener with (replication, transaction markers). */
  readonly interBrokerSecurity: InterBrokerSecurity;

  /** Adds caught-up followers to the ISRs this broker leads and drops lagging ones. */
  readonly isrChanges: IsrChanges;
  /** Fetches the partitions this broker follows from their leaders. */
  private readonly fetchers: ReplicaFetchers;
  /** This run and the one before, which say whether a log was closed cleanly; begun by start(). */
  private runs: BrokerRuns = PROCESS_RUNS;

  constructor(
    readonly config: BrokerConfig,
    readonly cluster: ControlPlane,
    private readonly log: Logger,
    /** Time for replica progress and the ISR check; its timers never keep the process alive on their own. */
    readonly clock: Clock = backgroundClock,
  ) {
    this.dynamicConfig = new BrokerConfigs(config, cluster);
    this.interBrokerSecurity = interBrokerSecurity(config);
    this.fetchers = new ReplicaFetchers({
      nodeId: config.nodeId,
      maxWaitMs: config.replicaFetchWaitMaxMs,
      log,
      onTruncated: (p) => this.rebuildAfterTruncation(p),
      throttle: new ReplicationThrottle(() => throttleRate(this.dynamicConfig), () => clock.now()),
      throttled: (p) => isThrottledReplica(this.cluster.topic(p.topic)?.configs ?? {}, p.index, config.nodeId),
      buffers: new BufferPool(),
      security: this.interBrokerSecurity,
    });
    this.isrChanges = new IsrChanges(cluster, clock, config.replicaLagTimeMaxMs, () => this.allPartitions(), (p, a) => this.applyAssignment(p, a), log, this.counters);
    this.snapshots = new PartitionSnapshots(config, log);
    this.highWatermarks = new HighWatermarkCheckpoints(config.dataDir, log);
    const allLogs = () => [...this.partitions.values()].flatMap((parts) => parts.filter((p) => p).map((p) => p.log));
    // Unref'd like the retention timer: the scrubber alone never keeps the process up.
    this.scrubber = config.scrubBytesPerSec > 0 ? new Scrubber(allLogs, backgroundClock, { bytesPerSec: config.scrubBytesPerSec }) : null;
  }

  async start(): Promise<void> {
    this.runs = beginBrokerRun(this.config.dataDir);
    this.highWatermarks.start();
    const topics = this.cluster.topics();
    const total = topics.reduce((n, t) => n + t.partitions.length, 0);
    for (const topic of topics) {
      this.reportMissingPartitionDirs(topic);
      try {
        await this.applyTopic(topic.name);
      } catch (err) {
        throw asStorageFailure(err, `opening the partitions of ${topic.name}`, `${this.config.dataDir} holds ${total} partitions, each keeping a file open per segment`);
      }
    }
    this.highWatermarks.opened(this.allPartitions());
    this.reportStrayPartitionDirs();
    this.stopWatching = this.cluster.onChange((change) => {
      const names = change.brokers ? new Set([...change.topics, ...this.cluster.topics().map((t) => t.name)]) : change.topics;
      for (const name of names) {
        this.oneAtATime(name, () => this.applyTopic(name)).catch((err) => this.log.error({ err, topic: name }, 'applying the control plane state failed'));
      }
    });
    this.isrChanges.start();
    this.retentionTimer = setInterval(() => this.enforceRetention(), this.config.retentionCheckIntervalMs);
    this.retentionTimer.unref();
    this.snapshotTimer = setInterval(() => this.snapshotPartitionState(), this.config.stateSnapshotIntervalMs);
    this.snapshotTimer.unref();
    this.highWatermarkTimer = setInterval(() => this.checkpointHighWatermarks(), this.config.replicaHighWatermarkCheckpointIntervalMs);
    this.highWatermarkTimer.unref();
    this.scrubber?.start();
  }

  /** Writes, in the background, the producer state and dedup windows that changed since their last snapshot. */
  snapshotPartitionState(now = Date.now()): void {
    for (const [topic, parts] of this.partitions) {
      for (const p of parts) if (p) this.snapshots.snapshot(p, this.partitionDir(topic, p.index), now);
    }
  }

  /** Writes the high-watermark checkpoint when a high watermark moved since it was last written; a failure is logged, and the next round tries again. */
  checkpointHighWatermarks(): void {
    try {
      this.highWatermarks.writeIfChanged(this.allPartitions());
    } catch (err) {
      this.log.error({ err }, 'writing the high watermark checkpoint failed');
    }
  }

  /**
   * Fetches no more as a follower, before a controlled shutdown hands this
   * broker's leaderships over: otherwise it would rejoin, as a caught-up
   * follower, the ISRs it is leaving.
   */
  stopFollowing(): Promise<void> {
    return this.fetchers.close();
  }

  /**
   * Closes every partition. A step that fails (a full disk refusing a
   * checkpoint) is logged and the other steps still run, so every log that can
   * be flushed and closed is; the first failure is thrown at the end, with the
   * number of failed steps. A partition whose checkpoint is missing is rebuilt
   * from its log at the next start, as after a crash.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatching();
    this.isrChanges.close();
    await this.fetchers.close();
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    if (this.highWatermarkTimer) clearInterval(this.highWatermarkTimer);
    this.scrubber?.close();
    const failures: unknown[] = [];
    const attempt = async (p: Partition, step: string, run: () => unknown): Promise<void> => {
      try {
        await run();
      } catch (err) {
        failures.push(asStorageFailure(err, `${step} of ${p.topic}-${p.index}`));
        this.log.error({ err, topic: p.topic, partition: p.index }, `${step} failed at close`);
      }
    };
    for (const parts of this.partitions.values()) {
      for (const p of parts) {
        if (!p) continue;
        p.wakeAll();
        await attempt(p, 'writing the producer state snapshot', () => this.snapshots.close(p, this.partitionDir(p.topic, p.index)));
        await attempt(p, 'closing the log', () => p.log.close());
        await attempt(p, 'writing the transaction checkpoint', () => p.txns.checkpoint(p.logEndOffset, p.logStartOffset));
      }
    }
    // After the partitions stopped: no high watermark moves any more.
    try {
      this.highWatermarks.writeIfChanged(this.allPartitions());
    } catch (err) {
      failures.push(asStorageFailure(err, 'writing the high watermark checkpoint'));
      this.log.error({ err }, 'writing the high watermark checkpoint failed at close');
    }
    this.partitions.clear();
    if (failures.length === 0) return;
    const first = failures[0];
    if (failures.length === 1) throw first;
    const code = first instanceof SluiceError ? first.code : 'SLUICE_ERR_STORAGE';
    const hint = first instanceof SluiceError ? first.hint : undefined;
    throw new SluiceError(code, `${failures.length} close steps failed; the first: ${(first as Error).message}`, { cause: first, hint });
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.partitions.get(topic)?.[index];
  }

  /** Every partition this broker holds, internal topics included. */
  allPartitions(): Partition[] {
    return [...this.partitions.values()].flatMap((parts) => parts.filter((p) => p !== undefined));
  }

  partitionsOf(topic: string): Partition[] {
    return this.partitions.get(topic) ?? [];
  }

  private partitionDir(topic: string, index: number): string {
    return path.join(this.config.dataDir, `${topic}-${index}`);
  }

  private async openLog(topic: TopicMetadata, index: number): Promise<PartitionLog> {
    const dir = this.partitionDir(topic.name, index);
    const marked = await this.claimPartitionDir(dir, topic, index);
    const log = await FileLog.open(dir, logConfigFor(topic.configs, this.dynamicConfig), this.log, () => this.counters.corruptBatches++, this.runs);
    if (!marked) writePartitionMetadata(dir, topic.topicId);
    return log;
  }

  /**
   * Whether `dir` already names `topic` by id in its partition.metadata. A
   * directory that names another topic was left by an earlier topic of the
   * same name (deleted, then created again while this broker was down): it is
   * removed, so the replica starts empty and takes the new topic's records
   * from its leader. One without the file (from before brokers wrote it) or
   * with a file that cannot be read is kept as this topic's and marked.
   */
  private async claimPartitionDir(dir: string, topic: TopicMetadata, index: number): Promise<boolean> {
    const found = readPartitionMetadata(dir);
    if (found.kind === 'topic' && found.topicId.equals(topic.topicId)) return true;
    const where = { topic: topic.name, partition: index, dir };
    if (found.kind === 'topic') {
      this.log.warn({ ...where, topicId: topic.topicId.toString('base64url'), found: found.topicId.toString('base64url') }, 'partition directory belongs to an earlier topic of this name; removing it: the replica starts empty');
      await fs.promises.rm(dir, { recursive: true, force: true });
    } else if (found.kind === 'unreadable') {
      this.log.warn({ ...where, reason: found.reason }, 'partition.metadata unreadable; the directory is kept as this topic\'s and the file rewritten');
    }
    return false;
  }

  /**
   * A partition directory that cluster.json names but the disk lacks (deleted by
   * hand, or a restore that missed it) is opened empty: its records are gone,
   * the other partitions keep theirs. Never silently: an internal topic's
   * partition held committed offsets or transactions.
   */
  private reportMissingPartitionDirs(topic: TopicMetadata): void {
    for (const a of topic.partitions) {
      if (!a.replicas.includes(this.config.nodeId)) continue;
      const dir = this.partitionDir(topic.name, a.partition);
      if (fs.existsSync(dir)) continue;
      const lost = isInternalTopic(topic.name) ? 'the state it held (committed offsets or transactions) is lost' : 'its records are lost';
      this.log.warn({ topic: topic.name, partition: a.partition, dir }, `partition directory missing at start-up; recreating it empty: ${lost}`);
    }
  }

  /**
   * Directories of replicas this broker does not hold (their topic was deleted,
   * or the replica moved away, while it was down) are left in place, as Kafka
   * leaves its stray logs, and named once at start so their space can be freed.
   */
  private reportStrayPartitionDirs(): void {
    const held = new Set(this.allPartitions().map((p) => this.partitionDir(p.topic, p.index)));
    const strays = partitionDirs(this.config.dataDir).filter((d) => !held.has(d.dir));
    if (strays.length === 0) return;
    const dirs = strays.slice(0, MAX_STRAYS_NAMED).map((d) => d.dir);
    this.log.warn({ count: strays.length, dirs }, 'partition directories of replicas this broker does not hold (deleted or moved while it was down): left in place; remove them to free their space');
  }

  /**
   * Brings this broker's replicas of topic `name` in line with the control
   * plane: opens the partitions it holds a replica of, makes each leader or
   * follower as assigned, and closes and removes those it no longer holds
   * (topic deleted, replica moved away). Run through oneAtATime, so two never
   * interleave on one topic; idempotent, so a late run applies the newest state.
   */
  private async applyTopic(name: string): Promise<void> {
    const topic = this.closed ? undefined : this.cluster.topic(name);
    const self = this.config.nodeId;
    const topicId = topic?.topicId.toString('hex');
    const parts = this.partitions.get(name) ?? [];
    const sameTopic = this.openTopicIds.get(name) === topicId;
    for (const p of parts) {
      if (!p || (sameTopic && topic?.partitions[p.index]?.replicas.includes(self))) continue;
      delete parts[p.index];
      await this.removePartition(p);
    }
    if (!topic || this.closed) {
      this.partitions.delete(name);
      this.openTopicIds.delete(name);
      return;
    }
    // Set first: a listener told of a new leader finds the partition.
    this.partitions.set(name, parts);
    this.openTopicIds.set(name, topicId as string);
    for (const a of topic.partitions) {
      if (!a.replicas.includes(self)) continue;
      const p = parts[a.partition] ?? (parts[a.partition] = await this.openPartition(topic, a.partition));
      // The newest state, not the one read before the awaits above.
      const now = this.cluster.topic(name)?.partitions[a.partition];
      if (now && now.replicas.includes(self)) this.applyAssignment(p, now);
    }
  }

  private applyAssignment(p: Partition, a: PartitionAssignment): void {
    const self = this.config.nodeId;
    const changed = a.leader === self ? p.makeLeader(a.leaderEpoch, a.partitionEpoch, a.isr, a.replicas, this.clock.now()) : p.makeFollower(a.leaderEpoch, a.leader);
    const leader = p.isLeader ? undefined : this.cluster.brokers().find((b) => b.nodeId === a.leader);
    // A follower whose leader is not live waits for it to register (a change of brokers applies every topic again).
    if (!leader) this.fetchers.unfollow(p);
    else if (changed || !this.fetchers.follows(p)) this.fetchers.follow(p, leader);
    if (changed) this.leadership.emit({ topic: p.topic, partition: p.index, role: p.role, leaderEpoch: p.leaderEpoch });
  }

  private async openPartition(topic: TopicMetadata, index: number): Promise<Partition> {
    const log = await this.openLog(topic, index);
    const txns = PartitionTxns.load(this.partitionDir(topic.name, index), log);
    const p = new Partition(this.config.nodeId, topic.name, index, log, txns, this.highWatermarks.startOf(topic.name, index), (err) =>
      this.log.error({ err, topic: topic.name, partition: index }, 'partition offline after a storage failure: produce and fetch on it answer KAFKA_STORAGE_ERROR until the broker restarts'),
    );
    this.snapshots.restore(p, this.partitionDir(topic.name, index), topic.configs);
    return p;
  }

  /**
   * After a follower's log was cut, its producer state (and dedup window) is
   * rebuilt from the newest snapshot at or below the new log end and the
   * records after it, as at open: a producer's sequences from removed batches
   * would answer its retry of them as a duplicate, acknowledging records the
   * log no longer has. Its transactions follow: those whose markers were cut
   * are open again (holding the last stable offset back), and aborts cut with
   * their markers leave the aborted index.
   */
  private rebuildAfterTruncation(p: Partition): void {
    const topic = this.cluster.topic(p.topic);
    if (!topic) return;
    p.producers.restore({ offset: p.logEndOffset, producers: [] });
    this.snapshots.restore(p, this.partitionDir(p.topic, p.index), topic.configs);
    p.txns.truncateTo(p.logEndOffset, p.producers.openTransactions());
  }

  /**
   * Drops a replica this broker no longer holds: it leads no more (acks=all
   * writes waiting for its high watermark answer NOT_LEADER_OR_FOLLOWER, so
   * their producers go to the new leader), parked fetches answer, the log and
   * its directory go, then listeners hear 'none'.
   */
  private async removePartition(p: Partition): Promise<void> {
    this.fetchers.unfollow(p);
    p.makeFollower(p.leaderEpoch, -1);
    p.wakeAll();
    await p.log.destroy();
    this.leadership.emit({ topic: p.topic, partition: p.index, role: 'none', leaderEpoch: p.leaderEpoch });
  }

  /**
   * Creates a topic of `numPartitions` partitions (-1: num.partitions), or one
   * per manual assignment in `replication`; throws TopicError with the Kafka
   * error code when it cannot. The control plane places the replicas as
   * `replication` asks (a factor, or brokers per partition).
   */
  async createTopic(
    name: string,
    numPartitions: number,
    configs: TopicConfigs,
    validateOnly = false,
    replication: NewTopicReplication = DEFAULT_REPLICATION,
  ): Promise<TopicMetadata> {
    const nameProblem = topicNameProblem(name);
    if (nameProblem) throw new TopicError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    if (this.creating.has(name)) throw new TopicError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
    return this.oneAtATime(name, () => this.createTopicNow(name, numPartitions, configs, validateOnly, replication));
  }

  private async createTopicNow(name: string, numPartitions: number, configs: TopicConfigs, validateOnly: boolean, replication: NewTopicReplication): Promise<TopicMetadata> {
    if (this.cluster.topic(name)) throw new TopicError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
    throwIf(newTopicProblem(numPartitions, replication, this.brokerIds()));
    if (replication.assignments.length > 0) numPartitions = replication.assignments.length;
    if (numPartitions === -1) numPartitions = this.config.numPartitions;
    if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > MAX_PARTITIONS) {
      throw new TopicError(ErrorCode.INVALID_PARTITIONS, `number of partitions must be from 1 to ${MAX_PARTITIONS}, got ${numPartitions}`);
    }
    const factor = replication.assignments[0]?.brokerIds.length ?? (replication.replicationFactor === -1 ? 1 : replication.replicationFactor);
    this.checkPartitionBudget(numPartitions, factor);
    const configProblem = validateTopicConfigs(configs);
    if (configProblem) throw new TopicError(ErrorCode.INVALID_CONFIG, configProblem);
    if (validateOnly) return { name, topicId: Buffer.alloc(16), partitions: [], configs };
    const creation = this.cluster.createTopic(name, numPartitions, configs, replicaRequest(replication)).then(
      async (topic) => {
        await this.applyTopic(name);
        this.log.info({ topic: name, partitions: numPartitions }, 'topic created');
        return topic;
      },
      (err: unknown) => {
        // Created meanwhile through another broker (this one's image did not show it yet).
        throw err instanceof TopicExistsError ? new TopicError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`) : err;
      },
    );
    this.creating.set(name, creation);
    try {
      return await creation;
    } finally {
      this.creating.delete(name);
    }
  }

  /**
   * Throws INVALID_PARTITIONS when `added` more partitions of `factor` replicas,
   * spread over the live brokers, would take the busiest one past maxPartitions.
   */
  private checkPartitionBudget(added: number, factor: number): void {
    const held = new Map<number, number>();
    for (const t of this.cluster.topics()) for (const p of t.partitions) for (const id of p.replicas) held.set(id, (held.get(id) ?? 0) + 1);
    let most = 0;
    for (const n of held.values()) most = Math.max(most, n);
    const share = Math.ceil((added * factor) / Math.max(1, this.cluster.brokers().length));
    if (most + share > this.config.maxPartitions) {
      throw new TopicError(
        ErrorCode.INVALID_PARTITIONS,
        `a broker holds ${most} partition replicas and may hold at most ${this.config.maxPartitions} (--max-partitions); ${added} more partitions would add about ${share} to each`,
      );
    }
  }

  /**
   * Runs `op` once every earlier creation, deletion or partition addition on
   * `name` has settled. Each opens or removes partition directories over
   * several awaits; interleaved, a deletion removed the directories a creation
   * was still opening.
   */
  private oneAtATime<T>(name: string, op: () => Promise<T>): Promise<T> {
    const result = (this.topicChanges.get(name) ?? Promise.resolve()).then(op);
    const settled = result.then(
      () => {},
      () => {},
    );
    this.topicChanges.set(name, settled);
    void settled.then(() => {
      if (this.topicChanges.get(name) === settled) this.topicChanges.delete(name);
    });
    return result;
  }

  /** Returns the topic, creating it with defaults when auto-creation is on. */
  async topicOrAutoCreate(name: string, allowAutoCreate: boolean): Promise<TopicMetadata | undefined> {
    const existing = this.cluster.topic(name);
    if (existing) return existing;
    const pending = this.creating.get(name);
    if (pending) return pending;
    // Internal topics are created by their coordinator, with its configs, never on a client's say-so.
    if (!allowAutoCreate || !this.config.autoCreateTopicsEnable || topicNameProblem(name) || isInternalTopic(name)) return undefined;
    try {
      return await this.createTopic(name, this.config.numPartitions, {});
    } catch (err) {
      if (err instanceof TopicError && err.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return this.cluster.topic(name);
      throw err;
    }
  }

  deleteTopic(name: string): Promise<void> {
    return this.oneAtATime(name, () => this.deleteTopicNow(name));
  }

  private async deleteTopicNow(name: string): Promise<void> {
    if (!this.cluster.topic(name)) throw new TopicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    refuseIfInternal(name, 'deleted');
    await this.cluster.deleteTopic(name);
    await this.applyTopic(name);
    this.log.info({ topic: name }, 'topic deleted');
  }

  /**
   * Grows a topic to `total` partitions; `assignments` (null: none) name the
   * brokers of each new partition; without them the control plane places them.
   */
  createPartitions(name: string, total: number, validateOnly: boolean, assignments: number[][] | null = null): Promise<void> {
    return this.oneAtATime(name, () => this.createPartitionsNow(name, total, validateOnly, assignments));
  }

  private async createPartitionsNow(name: string, total: number, validateOnly: boolean, assignments: number[][] | null): Promise<void> {
    const topic = this.cluster.topic(name);
    if (!topic) throw new TopicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    // Coordinators place keys by partition count (hash mod N): a new count would misplace every group and transaction.
    refuseIfInternal(name, 'given more partitions');
    const current = topic.partitions.length;
    if (total <= current) {
      throw new TopicError(ErrorCode.INVALID_PARTITIONS, `topic '${name}' has ${current} partitions; the new count ${total} must be larger`);
    }
    throwIf(newPartitionsProblem(assignments, total - current, topic.partitions[0].replicas.length, this.brokerIds()));
    if (total > MAX_PARTITIONS) throw new TopicError(ErrorCode.INVALID_PARTITIONS, `at most ${MAX_PARTITIONS} partitions`);
    this.checkPartitionBudget(total - current, topic.partitions[0].replicas.length);
    if (validateOnly) return;
    await this.cluster.createPartitions(name, total, { replicationFactor: topic.partitions[0].replicas.length, assignments });
    await this.applyTopic(name);
  }

  /** Replaces a topic's config overrides (already validated) and applies them to its open partitions. */
  async setTopicConfigs(name: string, configs: TopicConfigs): Promise<void> {
    if (!this.cluster.topic(name)) throw new TopicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`);
    const topic = await this.cluster.setTopicConfigs(name, configs);
    this.reconfigurePartitions(topic);
    this.log.info({ topic: name, configs }, 'topic configs changed');
  }

  /** Replaces the dynamic broker configs at `scope` (already validated); every topic that takes its defaults from them follows at once. */
  async setBrokerConfigs(scope: string, configs: ConfigMap): Promise<void> {
    await this.cluster.setBrokerConfigs(scope, configs);
    for (const topic of this.cluster.topics()) this.reconfigurePartitions(topic);
    this.log.info({ scope, configs }, 'dynamic broker configs changed');
  }

  private reconfigurePartitions(topic: TopicMetadata): void {
    const logConfig = logConfigFor(topic.configs, this.dynamicConfig);
    for (const p of this.partitionsOf(topic.name)) if (p) p.log.reconfigure(logConfig);
  }

  private brokerIds(): number[] {
    return this.cluster.brokers().map((b) => b.nodeId);
  }

  /**
   * Deletes old segments of every partition per retention.ms / retention.bytes,
   * and compacts the partitions of topics whose cleanup.policy includes compact.
   */
  enforceRetention(now = Date.now()): number {
    let deleted = 0;
    for (const [topic, parts] of this.partitions) {
      const compacted = isCompacted(this.cluster.topic(topic)?.configs ?? {}, this.dynamicConfig);
      for (const p of parts) {
        if (!p) continue;
        try {
          deleted += p.log.enforceRetention(now);
          if (compacted) {
            const cleaned = p.log.compact(now);
            if (cleaned.segmentsCleaned > 0) this.log.info({ topic, partition: p.index, ...cleaned }, 'compacted log segments');
          }
        } catch (err) {
          this.log.error({ err, topic, partition: p.index }, 'retention failed');
        }
      }
    }
    if (deleted > 0) this.log.info({ segments: deleted }, 'retention deleted old segments');
    return deleted;
  }
}
