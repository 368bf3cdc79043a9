// One partition this broker holds a replica of: its log, its role (leader or
// follower, as the control plane decided), its leader epoch and its high
// watermark. Single owner of the partition's offsets; every transition here is
// synchronous, so two requests never interleave inside one.
//
//   logStartOffset <= highWatermark <= logEndOffset
//
// On the leader the high watermark is the smallest of its own committed end
// and the log ends its ISR's followers reported (replica-progress.ts); it
// never moves backwards. Under the group-commit flush policy the committed end
// only passes records that are fsynced (and followers report only fsynced
// records), so a consumer never sees a record a crash could take back. Under
// the other policies it follows the log end offset. acks=1 answers
// before the fsync, so readers that must see such a write (ListOffsets,
// DeleteRecords, a fetch at an offset between the high watermark and the log
// end) first await `awaitLogEnd`: read-your-writes for the price of the fsync
// covering the log end (the round in flight, or the next).

import { SluiceError } from '../errors.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { StorageError } from '../storage/storage-error.js';
import type { PartitionTxns } from './partition-txns.js';
import type { DedupWindow } from './dedup-window.js';
import { ProducerStateManager } from './producer-state.js';
import { PartitionTraffic } from './partition-traffic.js';
import { NotLeaderError } from './not-leader-error.js';
import { ReplicaProgress } from './replica-progress.js';

export type ReplicaRole = 'leader' | 'follower';

/** An acks=all produce (or a duplicate's retry) waiting for the high watermark to pass `offset`. */
interface CommitWaiter {
  offset: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Partition {
  private hw: number;
  /** Offset after the last record committed here (fsynced under group-commit). */
  private committedEnd: number;
  /** By offset, ascending. */
  private commitWaiters: CommitWaiter[] = [];
  /** The ISR and the followers' progress, while this replica leads. */
  readonly replicas: ReplicaProgress;
  private epoch = -1;
  private currentRole: ReplicaRole = 'follower';
  /** The broker leading this partition (this one when leader); -1 while it has no leader. */
  private leader = -1;
  private waiters = new Set<() => void>();
  /** Parked follower fetches: they wake on appends, not on the high watermark alone. */
  private appendWaiters = new Set<() => void>();
  /** The log end when this replica last became leader: a follower joins the ISR only once it has reached it (it holds this epoch's start). */
  private leaderEpochStartOffset = 0;
  /** Idempotent and transactional producers writing here (producer-state.ts); rebuilt at open by partition-snapshots.ts. */
  readonly producers = new ProducerStateManager();
  /** The dedup.header window, on topics that set one (dedup-window.ts). */
  dedup: DedupWindow | null = null;
  /** Records and bytes produced here and fetched from here (partition-traffic.ts). */
  readonly traffic = new PartitionTraffic();

  /** The first failed write or flush; once set, the partition is offline (see `offline`). */
  private storageFailure: unknown = null;

  constructor(
    /** This broker's id. */
    readonly nodeId: number,
    readonly topic: string,
    readonly index: number,
    readonly log: PartitionLog,
    /** Open and aborted transactions of this partition (partition-txns.ts). */
    readonly txns: PartitionTxns,
    /** The high watermark the broker's checkpoint holds for this partition (null: none): where a reopened replica starts its own. */
    private readonly checkpointedHighWatermark: number | null,
    /** Called once, when the partition goes offline. */
    private readonly onOffline: (err: unknown) => void = () => {},
  ) {
    // With a checkpoint, a replica that leads at once starts from it, as Kafka's: what its log holds
    // past it may not be on its ISR followers, whose fetches move it on (a sole replica's moves at
    // once to its committed end in makeLeader). Without one (a new replica, a first start): its log end.
    this.hw = checkpointedHighWatermark === null ? log.logEndOffset : this.withinLog(checkpointedHighWatermark);
    this.committedEnd = log.logEndOffset;
    this.replicas = new ReplicaProgress(nodeId);
  }

  /** `offset` bounded by the log: logStartOffset <= it <= logEndOffset. */
  private withinLog(offset: number): number {
    return Math.min(Math.max(offset, this.logStartOffset), this.logEndOffset);
  }

  /**
   * True after a write or flush failed (full disk, I/O error): like Kafka's
   * offline log directory, the partition then answers produce and fetch with
   * KAFKA_STORAGE_ERROR until the broker restarts, whose recovery re-checks
   * the log. What was committed before stays on disk.
   */
  get offline(): boolean {
    return this.storageFailure !== null;
  }

  private goOffline(err: unknown): void {
    if (this.storageFailure !== null) return;
    this.storageFailure = err;
    this.onOffline(err);
    // Parked fetches answer now, with the error.
    this.wakeAll();
  }

  get leaderEpoch(): number {
    return this.epoch;
  }

  get role(): ReplicaRole {
    return this.currentRole;
  }

  get isLeader(): boolean {
    return this.currentRole === 'leader';
  }

  /** The broker leading this partition, -1 while it has none (offline). */
  get leaderId(): number {
    return this.leader;
  }

  /** The in-sync replicas as the control plane last told this leader; empty on a follower. */
  get isr(): readonly number[] {
    return this.currentRole === 'leader' ? this.replicas.isr : [];
  }

  /**
   * Leads at `leaderEpoch` with `isr` among `replicas` (as of `partitionEpoch`). Returns true
   * when the role or the epoch changed; a new leadership starts with every
   * follower's progress unknown. The first append of the epoch records where
   * it starts in the leader-epoch checkpoint (the log does it). A smaller ISR
   * may let the high watermark move on.
   */
  makeLeader(leaderEpoch: number, partitionEpoch: number, isr: readonly number[], replicas: readonly number[], nowMs: number): boolean {
    const changed = this.currentRole !== 'leader' || this.epoch !== leaderEpoch;
    if (changed) {
      this.replicas.reset();
      this.leaderEpochStartOffset = this.logEndOffset;
      this.recordEpochStart(leaderEpoch);
    }
    this.currentRole = 'leader';
    this.epoch = leaderEpoch;
    this.leader = this.nodeId;
    this.replicas.setIsr(isr, replicas, partitionEpoch, nowMs);
    this.advanceHighWatermark(this.committedOverIsr());
    return changed;
  }

  /** The new epoch starts at the log end (KIP-101), so OffsetForLeaderEpoch answers for it before its first append. */
  private recordEpochStart(leaderEpoch: number): void {
    try {
      this.log.startLeaderEpoch(leaderEpoch);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      this.goOffline(err);
    }
  }

  /**
   * Follows `leader` (-1: none yet) at `leaderEpoch`. Returns true when the
   * role or the epoch changed. A replica opened as a follower starts with its
   * high watermark at the checkpointed one, bounded by its log (at its log
   * start without a checkpoint), and learns the leader's; should it lead
   * first, it keeps that and its followers' fetches move it on. Produces still
   * waiting for the high watermark are answered NOT_LEADER_OR_FOLLOWER;
   * parked fetches wake to find a follower.
   */
  makeFollower(leaderEpoch: number, leader: number): boolean {
    const changed = this.currentRole !== 'follower' || this.epoch !== leaderEpoch;
    // Opened as a follower: what its log holds past the checkpointed high watermark is not known to be committed until its leader says.
    if (this.epoch === -1) this.hw = this.withinLog(this.checkpointedHighWatermark ?? 0);
    this.currentRole = 'follower';
    this.epoch = leaderEpoch;
    this.leader = leader;
    this.replicas.reset();
    if (changed) {
      const waiters = this.commitWaiters;
      this.commitWaiters = [];
      for (const w of waiters) w.reject(new NotLeaderError(this.topic, this.index));
      this.wakeAll();
    }
    return changed;
  }

  /**
   * A follower fetched at `fetchOffset` (the log end it holds): its progress
   * is recorded and the high watermark may move on.
   */
  followerFetched(replicaId: number, fetchOffset: number, nowMs: number): void {
    this.replicas.recordFetch(replicaId, fetchOffset, this.logEndOffset, nowMs);
    this.advanceHighWatermark(this.committedOverIsr());
  }

  /**
   * Whether follower `replicaId`, out of the ISR, may join it now: its last
   * fetch reached the high watermark and this leader's epoch start (Kafka's
   * isFollowerInSync), and no ISR change is in flight.
   */
  mayJoinIsr(replicaId: number): boolean {
    if (this.currentRole !== 'leader' || this.replicas.pendingIsr !== null || this.replicas.isr.includes(replicaId) || !this.replicas.isFollower(replicaId)) return false;
    const end = this.replicas.logEndOf(replicaId);
    return end >= this.hw && end >= this.leaderEpochStartOffset;
  }

  /** What the ISR has committed: this leader's committed end, bounded by each ISR follower's log end. */
  private committedOverIsr(): number {
    return Math.min(this.committedEnd, this.replicas.minIsrFollowerLogEnd());
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** read_committed consumers read below this: the first offset of an undecided transaction, or the high watermark. */
  get lastStableOffset(): number {
    return this.txns.lastStableOffset(this.hw);
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  /**
   * Appends validated batches. Returns the base offset and a promise that
   * settles once the records are committed (high watermark past them).
   */
  append(batches: Buffer): { baseOffset: number; committed: Promise<void> } {
    if (this.storageFailure !== null) {
      throw new SluiceError('SLUICE_ERR_STORAGE', `partition ${this.topic}-${this.index} is offline after a storage failure`, { cause: this.storageFailure });
    }
    if (this.currentRole !== 'leader') throw new NotLeaderError(this.topic, this.index);
    const appended = this.onLog(() => this.log.append(batches, this.leaderEpoch));
    const { baseOffset, lastOffset } = appended;
    if (this.appendWaiters.size > 0) this.wakeAppendWaiters();
    this.txns.onAppended(batches);
    this.producers.onAppended(batches, Date.now());
    const committed = this.awaitCommitted(lastOffset);
    // acks=0 and acks=1 never await this; a failed fsync is reported to those that do.
    committed.catch((err) => {
      if (err instanceof StorageError) this.goOffline(err);
    });
    return { baseOffset, committed };
  }

  /**
   * A follower's copy of batches its leader sent (offsets and leader epochs
   * kept), with their producer and transaction state, so that this replica
   * can lead with them. Throws NotLeaderError on a leader; a StorageError
   * takes the partition offline, as append does.
   */
  appendReplicated(batches: Buffer): { lastOffset: number } {
    if (this.storageFailure !== null) {
      throw new SluiceError('SLUICE_ERR_STORAGE', `partition ${this.topic}-${this.index} is offline after a storage failure`, { cause: this.storageFailure });
    }
    if (this.currentRole !== 'follower') throw new NotLeaderError(this.topic, this.index);
    const appended = this.onLog(() => this.log.appendReplicated(batches));
    this.txns.onAppended(batches);
    this.producers.onAppended(batches, Date.now());
    // Counted as committed here once fsynced: a follower that becomes leader
    // starts its high watermark from what it holds durably, not from its last append as leader.
    this.log.awaitDurable(appended.lastOffset).then(
      () => this.noteDurable(appended.lastOffset + 1),
      (err) => {
        if (err instanceof StorageError) this.goOffline(err);
      },
    );
    return appended;
  }

  /**
   * A follower cuts its log at `offset` where it diverged from its leader's
   * (KIP-101); the high watermark comes down with it.
   */
  truncateTo(offset: number): void {
    this.onLog(() => this.log.truncateTo(offset));
    const end = this.logEndOffset;
    if (this.hw > end) this.hw = end;
    if (this.committedEnd > end) this.committedEnd = end;
  }

  /**
   * A follower whose log ends before its leader's log start empties it and
   * goes on from there: what lies between is gone at the leader.
   */
  startAt(offset: number): void {
    this.onLog(() => this.log.startAt(offset));
    this.hw = offset;
    this.committedEnd = offset;
  }

  /** Runs a change of the log; a StorageError takes the partition offline (a RangeError is a caller's bug, not the disk's). */
  private onLog<T>(change: () => T): T {
    try {
      return change();
    } catch (err) {
      if (err instanceof StorageError) this.goOffline(err);
      throw err;
    }
  }

  /** A follower learns its leader's high watermark: its own is that, bounded by its log end. */
  followLeaderHighWatermark(leaderHighWatermark: number): void {
    if (this.currentRole === 'follower') this.advanceHighWatermark(Math.min(leaderHighWatermark, this.logEndOffset));
  }

  /**
   * Settles once `offset` (already appended) is committed, as `append`'s
   * promise does: durable here, and the high watermark past it. Rejects with
   * NotLeaderError when this replica stops leading first. A duplicate's retry
   * waits on its original this way.
   */
  awaitCommitted(offset: number): Promise<void> {
    if (offset < this.hw) return Promise.resolve();
    return this.log.awaitDurable(offset).then(() => {
      this.noteDurable(offset + 1);
      return this.awaitHighWatermark(offset);
    });
  }

  /** Records that this replica holds everything below `end` durably; a leader's high watermark may move on. */
  private noteDurable(end: number): void {
    if (end > this.committedEnd) this.committedEnd = Math.min(end, this.logEndOffset);
    if (this.currentRole === 'leader') this.advanceHighWatermark(this.committedOverIsr());
  }

  /** Nothing when the high watermark is past `offset` already (no promise on the single-replica path), else a promise of it. */
  private awaitHighWatermark(offset: number): Promise<void> | undefined {
    if (offset < this.hw) return undefined;
    if (this.currentRole !== 'leader') return Promise.reject(new NotLeaderError(this.topic, this.index));
    return new Promise((resolve, reject) => {
      const w = { offset, resolve, reject };
      const list = this.commitWaiters;
      let i = list.length;
      while (i > 0 && list[i - 1].offset > offset) i--;
      list.splice(i, 0, w);
    });
  }

  /**
   * Settles once the high watermark has reached the log end offset as it is
   * now: at once when it has, else after the fsync covering it (the one in
   * flight, or the next). Never rejects: after a failed fsync the high
   * watermark stays put and callers answer from it.
   */
  awaitLogEnd(): Promise<void> {
    const end = this.logEndOffset;
    if (this.hw >= end) return Promise.resolve();
    // With followers in the ISR the high watermark waits for them too; a
    // reader waits only for this replica's fsync, then answers from the
    // high watermark as it is (a lagging follower must not hold it up to
    // replica.lag.time.max.ms).
    if (this.replicas.isr.some((id) => id !== this.nodeId)) return this.log.awaitDurable(end - 1).catch(() => {});
    return this.awaitCommitted(end - 1).catch(() => {});
  }

  private advanceHighWatermark(offset: number): void {
    if (offset <= this.hw) return;
    this.hw = offset;
    if (this.commitWaiters.length > 0 && this.commitWaiters[0].offset < offset) {
      const due = this.commitWaiters.findIndex((w) => w.offset >= offset);
      const settled = due === -1 ? this.commitWaiters : this.commitWaiters.slice(0, due);
      this.commitWaiters = due === -1 ? [] : this.commitWaiters.slice(due);
      for (const w of settled) w.resolve();
    }
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Calls `wake` once, the next time the high watermark moves. Returns a cancel function. */
  onData(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  /** Calls `wake` once, at the next append or move of the high watermark (what a parked follower fetch waits for). Returns a cancel function. */
  onAppendOrData(wake: () => void): () => void {
    this.appendWaiters.add(wake);
    this.waiters.add(wake);
    return () => {
      this.appendWaiters.delete(wake);
      this.waiters.delete(wake);
    };
  }

  private wakeAppendWaiters(): void {
    const waiters = this.appendWaiters;
    this.appendWaiters = new Set();
    for (const wake of waiters) {
      this.waiters.delete(wake);
      wake();
    }
  }

  /** Wakes every parked fetch, e.g. when the partition goes away. */
  wakeAll(): void {
    this.wakeAppendWaiters();
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }
}
