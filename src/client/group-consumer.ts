// A consumer-group member under Kafka's classic rebalance protocol, with the
// assignors offered by name (src/client/assignors/, range by default):
//
//   FindCoordinator ─► JoinGroup ─► (leader: assign) ─► SyncGroup ─► OffsetFetch ─► Fetch ...
//         ▲              │ MEMBER_ID_REQUIRED: again with the given id (KIP-394)
//         │              ▼
//   coordinator lost   heartbeat every heartbeatIntervalMs:
//                        REBALANCE_IN_PROGRESS        → rejoin (eager: commit, give up every partition first)
//                        UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION → forget the membership, rejoin
//
// Eager rebalancing gives up every partition before JoinGroup. Cooperative
// rebalancing (KIP-429, when every assignor offered is cooperative) sends the
// partitions owned in JoinGroup and keeps fetching them while the rebalance
// runs; after SyncGroup it gives up (commit, onRevoked) only those missing
// from the new assignment, keeps the positions and buffered records of the
// rest, and if it gave up any, joins again so they can reach their new owner.
//
// poll() drives everything, as in Kafka's consumer: it (re)joins when needed,
// then returns fetched records. Heartbeats run on a timer of their own, so a
// slow caller keeps its membership; a heartbeat that finds a rebalance wakes
// a poll() waiting on a fetch so the member rejoins at once.
//
// Fetching is the fetch engine's (fetch-engine.ts): it holds each owned
// partition's position, the offset after the last record poll() returned,
// copied to `consumed` as records are taken. Commits (auto-commit inside
// poll() every autoCommitIntervalMs, before a rejoin and on close, or
// commit()) store `consumed` for every assigned partition, so a member that
// restarts resumes after the last record it handed out, never after one
// still in its buffer.
//
// Static membership (KIP-345, `groupInstanceId`): the coordinator knows the
// member by its instance id, so a restart within the session timeout gets
// the same partitions in the same generation without a rebalance; close()
// therefore sends no LeaveGroup unless asked. When another consumer joins
// with the same instance id this one is fenced (FENCED_INSTANCE_ID) and stops
// for good: poll() and commit() throw, as Kafka's consumer does.
//
// The coordinator gets a connection of its own: a JoinGroup or SyncGroup
// parks until the rebalance completes, and responses on one connection come
// back in order, so sharing it with long-polling fetches would delay both.

import diagnostics_channel from 'node:diagnostics_channel';
import { ErrorCode } from '../protocol/error-codes.js';
import { HeartbeatRequest, HeartbeatResponse } from '../protocol/messages/heartbeat.js';
import { JoinGroupRequest, JoinGroupResponse } from '../protocol/messages/join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/messages/leave-group.js';
import { SyncGroupRequest, SyncGroupResponse } from '../protocol/messages/sync-group.js';
import { ClientError, KafkaError } from './client-error.js';
import { type Clock, type Timer, backgroundClock, sleep } from '../clock.js';
import { BrokerConnection } from './connection.js';
import type { ConsumedRecord, FetchOptions } from './consumer.js';
import { CONSUMER_PROTOCOL_TYPE, type TopicPartitions, decodeAssignment, encodeSubscription } from '../protocol/consumer-protocol.js';
import { findGroupCoordinator } from './find-coordinator.js';
import { type PartitionOffset, commitOffsets, fetchCommitted } from './group-offsets.js';
import type { KafkaClient } from './kafka-client.js';
import { FetchEngine } from './fetch-engine.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';
import { type Assignor, type RebalanceProtocol, groupByTopic } from './assignors/assignor.js';
import { type AssignorName, assignorsNamed, rebalanceProtocolOf } from './assignors/index.js';
import { assignAsLeader } from './group-leader.js';

export interface GroupConsumerOptions extends FetchOptions {
  groupId: string;
  /** Topics to subscribe to. */
  topics: string[];
  /**
   * Makes this a static member (KIP-345) under this id, unique in the group
   * (e.g. the host or pod name): it keeps its partitions across a restart
   * within sessionTimeoutMs, and close() does not leave the group unless asked.
   */
  groupInstanceId?: string;
  /**
   * Partition assignors offered in JoinGroup, most preferred first (Kafka's
   * `partition.assignment.strategy`); the coordinator picks one every member
   * offers. Rebalancing is cooperative when all of them are ('cooperative-sticky'),
   * else eager. Default ['range'].
   */
  assignors?: AssignorName[];
  /** The coordinator evicts a member not heard from for this long (ms). Default 10000; the broker allows 6000 and up by default. */
  sessionTimeoutMs?: number;
  /** How long the coordinator waits for every member to rejoin during a rebalance (ms). Default 30000. */
  rebalanceTimeoutMs?: number;
  /** Time between heartbeats (ms); also how soon a member notices a rebalance. Default 3000. */
  heartbeatIntervalMs?: number;
  /** Where a partition without a committed offset (or with one outside the log) starts. Default 'latest'. */
  autoOffsetReset?: 'earliest' | 'latest';
  /** Commit consumed offsets from poll(), before a rejoin and on close. Default true. */
  autoCommit?: boolean;
  /** Least time between two automatic commits inside poll() (ms). Default 5000. */
  autoCommitIntervalMs?: number;
  /** Time for heartbeats, pauses and the auto-commit interval; tests pass a fake one. Default the system clock. */
  clock?: Clock;
  /**
   * Called when a generation's assignment is in place, with the start offset
   * of each partition added: every partition under eager rebalancing, only
   * the new ones under cooperative (possibly none).
   */
  onAssigned?(assignment: AssignedPartition[], generationId: number): void;
  /**
   * Called as partitions are given up, with exactly those: every partition
   * for an eager rejoin, on close, or when the membership is lost; under
   * cooperative rebalancing only those the new assignment took away. What
   * was consumed of them is committed first (with autoCommit), except after
   * a lost membership, when the coordinator would refuse it.
   */
  onRevoked?(partitions: TopicPartitions[]): void;
}

/**
 * Published by every GroupConsumer (when someone subscribes): `{ event,
 * groupId, memberId, generationId, partitions? }` with event 'join' (a
 * JoinGroup is sent), 'sync' (SyncGroup answered: the member knows its
 * partitions, given in `partitions`), 'revoke' (it gives them up) or 'leave'.
 */
export const groupConsumerChannel = diagnostics_channel.channel('sluice:client:group');

export type GroupConsumerEvent = 'join' | 'sync' | 'revoke' | 'leave';

export interface AssignedPartition {
  topic: string;
  partition: number;
  /** Where fetching starts: the committed offset, or the reset position. */
  offset: number;
}

/** One partition this member owns in the current generation. */
interface Owned {
  topic: string;
  partition: number;
  /** Offset after the last record poll() returned. */
  consumed: number;
  /** Last offset known committed for the group (-1: none). */
  committed: number;
}

const JOIN_GROUP = { request: JoinGroupRequest, response: JoinGroupResponse };
const SYNC_GROUP = { request: SyncGroupRequest, response: SyncGroupResponse };
const HEARTBEAT = { request: HeartbeatRequest, response: HeartbeatResponse };
const LEAVE_GROUP = { request: LeaveGroupRequest, response: LeaveGroupResponse };

/** Pause before asking again after the coordinator moved or was not ready (ms). */
const COORDINATOR_RETRY_MS = 100;
/** What a JoinGroup may take beyond the rebalance timeout before it counts as lost (ms), as in Kafka's consumer. */
const JOIN_GROUP_TIMEOUT_LAPSE_MS = 5000;
const COORDINATOR_MOVED = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

const INTERRUPTED = Symbol('interrupted');

export class GroupConsumer {
  readonly groupId: string;
  private readonly topics: string[];
  private readonly assignors: Assignor[];
  private readonly rebalanceProtocol: RebalanceProtocol;
  private readonly groupInstanceId: string | null;
  private readonly clock: Clock;
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly autoCommit: boolean;
  private readonly autoCommitIntervalMs: number;

  private coordinator: Promise<BrokerConnection> | null = null;
  private memberIdValue = '';
  private generationIdValue = -1;
  private rejoinNeeded = true;
  private owned = new Map<string, Owned>();
  private joining: Promise<void> | null = null;
  /** Why the last join failed, thrown by the next poll (a cooperative join runs while poll() fetches). */
  private joinFailure: unknown = null;
  /** Set once another consumer took this member's groupInstanceId; thrown by every poll() and commit() after. */
  private fenced: KafkaError | null = null;
  private heartbeatTimer: Timer | null = null;
  private readonly wakeups = new Set<() => void>();
  private woken = false;
  private closed = false;
  private lastCommitAt: number;
  private readonly engine: FetchEngine;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: GroupConsumerOptions,
  ) {
    if (options.topics.length === 0) throw new ClientError('SLUICE_ERR_CONFIG', 'a group consumer needs at least one topic');
    this.groupId = options.groupId;
    this.topics = [...new Set(options.topics)].sort();
    this.assignors = assignorsNamed(options.assignors ?? ['range']);
    this.rebalanceProtocol = rebalanceProtocolOf(this.assignors);
    this.groupInstanceId = options.groupInstanceId ?? null;
    this.clock = options.clock ?? backgroundClock;
    this.lastCommitAt = this.clock.now();
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 30_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
    this.autoCommit = options.autoCommit ?? true;
    this.autoCommitIntervalMs = options.autoCommitIntervalMs ?? 5000;
    this.engine = new FetchEngine(client, options, options.autoOffsetReset ?? 'latest');
  }

  /** The member id the coordinator gave this member ('' before the first join). */
  get memberId(): string {
    return this.memberIdValue;
  }

  /** The generation of the last completed join (-1 when not a member). */
  get generationId(): number {
    return this.generationIdValue;
  }

  /** The partitions this member owns now, sorted. */
  assignment(): TopicPartitions[] {
    return groupByTopic([...this.owned.values()]);
  }

  /**
   * Joins the group if needed, then returns the records that arrived, at most
   * `maxRecords` (the rest stay buffered for the next poll). Returns an empty
   * list after one fetch that found nothing (the broker holds it for
   * maxWaitMs), or at once after wakeup(). Throws KafkaError when the group or
   * a fetch fails in a way a rejoin cannot mend.
   */
  async poll(maxRecords = Infinity): Promise<ConsumedRecord[]> {
    this.assertOpen();
    await this.maybeAutoCommit();
    while (!this.woken && !this.closed) {
      if (this.fenced) throw this.fenced;
      if (this.joinFailure !== null) {
        const failure = this.joinFailure;
        this.joinFailure = null;
        throw failure;
      }
      if (this.rejoinNeeded) this.joining ??= this.join().then(() => {}, (err: unknown) => void (this.joinFailure = err)).finally(() => (this.joining = null));
      // Under cooperative rebalancing the partitions owned stay consumed while the member rejoins.
      if (this.joining && (this.rebalanceProtocol === 'eager' || this.owned.size === 0)) {
        await this.interruptible(this.joining);
        continue;
      }
      const records = this.take(maxRecords);
      if (records.length > 0) return records;
      if (this.owned.size === 0) {
        // Nothing assigned (more members than partitions): wait as long as a fetch would.
        await this.interruptible(sleep(this.clock, this.options.maxWaitMs ?? 500));
        return [];
      }
      const outcome = await this.interruptible(this.engine.waitForData());
      if (outcome === INTERRUPTED || outcome === 'changed') continue;
      return this.take(maxRecords);
    }
    this.woken = false;
    return [];
  }

  /**
   * Reads an owned partition from `offset` on (records of it buffered or in
   * flight are dropped); the next commit stores `offset` unless records are
   * taken first. Throws ClientError SLUICE_ERR_NOT_ASSIGNED for a partition
   * this member does not own.
   */
  seek(topic: string, partition: number, offset: number): void {
    this.engine.seek(topic, partition, offset);
    this.owned.get(partitionKey(topic, partition))!.consumed = offset;
  }

  /** No fetches for these owned partitions and none of their records from poll(), until resume() or a rebalance; buffered records are kept. */
  pause(partitions: { topic: string; partition: number }[]): void {
    this.engine.pause(partitions);
  }

  resume(partitions: { topic: string; partition: number }[]): void {
    this.engine.resume(partitions);
  }

  /** High watermark (read_committed: last stable offset) of the last fetch minus the position; undefined before a fetch answered. */
  lag(topic: string, partition: number): number | undefined {
    return this.engine.lag(topic, partition);
  }

  /** Makes a poll() in progress (or the next one) return an empty list at once. */
  wakeup(): void {
    this.woken = true;
    this.fireWakeups();
  }

  /**
   * Commits, for every owned partition, the offset after the last record
   * poll() returned (or `offsets` when given). Throws KafkaError when the
   * coordinator refuses (e.g. REBALANCE_IN_PROGRESS: the member rejoins at
   * its next poll, and the caller may commit again after it).
   */
  async commit(offsets?: PartitionOffset[]): Promise<void> {
    this.assertOpen();
    if (this.fenced) throw this.fenced;
    await this.commitOwned(offsets);
  }

  /**
   * Commits what was consumed (when autoCommit), leaves the group and closes
   * the coordinator connection. The client stays open. A static member does
   * not leave unless `leaveGroup` is true (KIP-345; Kafka's KIP-812 close
   * option): its partitions wait for it until its session times out.
   */
  async close(options: { leaveGroup?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    const leave = options.leaveGroup ?? this.groupInstanceId === null;
    // Also while a rebalance is pending: the coordinator takes commits of the current generation until it completes.
    if (this.autoCommit && this.owned.size > 0) await this.commitOwned().catch(() => {});
    this.revokeAll();
    this.closed = true;
    this.engine.close();
    this.stopHeartbeat();
    this.fireWakeups();
    const coordinator = this.coordinator;
    this.coordinator = null;
    if (!coordinator) return;
    let conn: BrokerConnection;
    try {
      conn = await coordinator;
    } catch {
      return;
    }
    if (this.memberIdValue !== '' && leave) {
      this.publish('leave');
      // A JoinGroup still parked on this connection is answered by the leave, so this does not wait for the rebalance.
      await conn
        .send(LEAVE_GROUP, { groupId: this.groupId, memberId: this.memberIdValue, members: [{ memberId: this.memberIdValue, groupInstanceId: this.groupInstanceId }] })
        .catch(() => {});
    }
    conn.close();
  }

  // ---- membership ------------------------------------------------------------------------------

  private async join(): Promise<void> {
    this.stopHeartbeat();
    if (this.rebalanceProtocol === 'eager' && this.owned.size > 0) {
      if (this.autoCommit) await this.commitOwned().catch(() => {});
      this.revokeAll();
    }
    while (!this.closed) {
      const conn = await this.coordinatorConnection();
      this.publish('join');
      // Eager members own nothing here; cooperative ones tell the assignor what they hold (KIP-429).
      const subscription = encodeSubscription({ version: 1, topics: this.topics, userData: null, ownedPartitions: this.assignment() });
      // The coordinator may hold a JoinGroup for the whole rebalance; Kafka's consumer waits that plus 5 s.
      const joined = await conn.send(JOIN_GROUP, {
        groupId: this.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        memberId: this.memberIdValue,
        groupInstanceId: this.groupInstanceId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: this.assignors.map((a) => ({ name: a.name, metadata: subscription })),
      }, { timeoutMs: Math.max(this.client.requestTimeoutMs, this.rebalanceTimeoutMs + JOIN_GROUP_TIMEOUT_LAPSE_MS) });
      if (this.closed) return;
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberIdValue = joined.memberId;
        continue;
      }
      if (!(await this.recoverable(joined.errorCode, 'join'))) continue;
      this.memberIdValue = joined.memberId;
      this.generationIdValue = joined.generationId;
      const assignments = joined.leader === joined.memberId ? await assignAsLeader(conn, this.assignorChosen(joined.protocolName), joined.members) : [];
      if (this.closed) return;
      const synced = await conn.send(SYNC_GROUP, {
        groupId: this.groupId,
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: this.groupInstanceId,
        assignments,
      });
      if (this.closed) return;
      if (!(await this.recoverable(synced.errorCode, 'sync with'))) continue;
      this.rejoinNeeded = false;
      this.startHeartbeat();
      const assigned = decodeAssignment(synced.assignment).partitions.filter((tp) => this.topics.includes(tp.topic) && tp.partitions.length > 0);
      this.publish('sync', assigned);
      try {
        const revoked = await this.giveUpMissing(assigned);
        await this.takeAssignment(assigned);
        if (revoked) this.requestRejoin();
      } catch (err) {
        // Without positions the partitions cannot be read: the next poll joins again.
        this.requestRejoin();
        throw err;
      }
      return;
    }
  }

  /**
   * True when `errorCode` is NONE. For errors a new JoinGroup mends, adjusts
   * the membership and returns false (the caller joins again); throws for the rest.
   */
  private async recoverable(errorCode: number, what: string): Promise<boolean> {
    switch (errorCode) {
      case ErrorCode.NONE:
        return true;
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        // A cooperative member still holds partitions here; they are no longer its own.
        this.forgetMembershipOn(errorCode);
        return false;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return false;
      case ErrorCode.FENCED_INSTANCE_ID:
        throw this.fence();
      default:
        if (COORDINATOR_MOVED.has(errorCode)) {
          this.dropCoordinator();
          await sleep(this.clock, COORDINATOR_RETRY_MS);
          return false;
        }
        throw new KafkaError(errorCode, null, `${what} group '${this.groupId}'`);
    }
  }

  /**
   * Gives up the partitions owned but missing from `assigned` (only under
   * cooperative rebalancing can there be any): commits what was consumed of
   * them, drops their buffered records, tells onRevoked. True when it gave
   * up something.
   */
  private async giveUpMissing(assigned: TopicPartitions[]): Promise<boolean> {
    const keep = new Set(assigned.flatMap((tp) => tp.partitions.map((p) => partitionKey(tp.topic, p))));
    const lost = [...this.owned].filter(([key]) => !keep.has(key)).map(([, o]) => o);
    if (lost.length === 0) return false;
    if (this.autoCommit) await this.sendCommit(consumedOffsets(lost)).catch(() => {});
    this.revoke(lost);
    return true;
  }

  /** Positions for the partitions of `assigned` not yet owned: committed offsets, else the reset policy. */
  private async takeAssignment(assigned: TopicPartitions[]): Promise<void> {
    const added = assigned
      .map((tp) => ({ topic: tp.topic, partitions: tp.partitions.filter((p) => !this.owned.has(partitionKey(tp.topic, p))) }))
      .filter((tp) => tp.partitions.length > 0);
    const conn = await this.coordinatorConnection();
    const committed = added.length === 0 ? [] : await fetchCommitted(conn, this.groupId, added);
    if (this.closed) return;
    const start = new Map(committed.filter((c) => c.offset >= 0).map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    const missing = added.map((tp) => ({ topic: tp.topic, partitions: tp.partitions.filter((p) => !start.has(partitionKey(tp.topic, p))) }));
    for (const [key, offset] of await this.resetOffsets(missing)) start.set(key, offset);
    if (this.closed) return;
    const list: AssignedPartition[] = [];
    for (const tp of added) {
      for (const partition of tp.partitions) {
        const key = partitionKey(tp.topic, partition);
        const offset = start.get(key) ?? 0;
        const wasCommitted = committed.find((c) => c.topic === tp.topic && c.partition === partition)?.offset ?? -1;
        this.owned.set(key, { topic: tp.topic, partition, consumed: offset, committed: wasCommitted });
        list.push({ topic: tp.topic, partition, offset });
      }
    }
    this.engine.assign([...this.owned.values()].map((o) => ({ topic: o.topic, partition: o.partition, offset: o.consumed })));
    this.options.onAssigned?.(list, this.generationIdValue);
  }

  /** The coordinator only chooses a protocol every member offered, this one included. */
  private assignorChosen(protocolName: string): Assignor {
    const assignor = this.assignors.find((a) => a.name === protocolName);
    if (!assignor) throw new KafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `chosen protocol ${protocolName} was not offered`, `assign group '${this.groupId}'`);
    return assignor;
  }

  /** Gives up every partition (eager rebalancing, close, a lost membership). */
  private revokeAll(): void {
    this.revoke([...this.owned.values()]);
  }

  /** Gives up `lost`; buffered records of them are dropped, and so are fetches in flight for them. */
  private revoke(lost: Owned[]): void {
    if (lost.length === 0) return;
    for (const o of lost) this.owned.delete(partitionKey(o.topic, o.partition));
    this.engine.assign([...this.owned.values()].map((o) => ({ topic: o.topic, partition: o.partition, offset: o.consumed })));
    const partitions = groupByTopic(lost);
    this.publish('revoke', partitions);
    this.options.onRevoked?.(partitions);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const generation = this.generationIdValue;
    const beat = async () => {
      this.heartbeatTimer = null;
      if (this.closed || this.rejoinNeeded) return;
      let errorCode: number;
      try {
        const conn = await this.coordinatorConnection();
        errorCode = (await conn.send(HEARTBEAT, { groupId: this.groupId, generationId: generation, memberId: this.memberIdValue, groupInstanceId: this.groupInstanceId })).errorCode;
      } catch {
        errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
      if (this.closed || this.rejoinNeeded || generation !== this.generationIdValue) return;
      if (errorCode === ErrorCode.NONE) {
        this.heartbeatTimer = this.clock.schedule(this.heartbeatIntervalMs, beat);
        return;
      }
      if (errorCode === ErrorCode.FENCED_INSTANCE_ID) {
        this.fence();
        return;
      }
      this.forgetMembershipOn(errorCode);
      if (COORDINATOR_MOVED.has(errorCode)) this.dropCoordinator();
      this.requestRejoin();
    };
    this.heartbeatTimer = this.clock.schedule(this.heartbeatIntervalMs, beat);
  }

  private stopHeartbeat(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = null;
  }

  /** After UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION the member's partitions are no longer its own: nothing of them can be committed. */
  private forgetMembershipOn(errorCode: number): void {
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberIdValue = '';
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID || errorCode === ErrorCode.ILLEGAL_GENERATION) {
      this.generationIdValue = -1;
      this.revokeAll();
    }
  }

  /**
   * Another consumer joined with this member's groupInstanceId: the
   * membership is its now. Rejoining would fence it in turn, so this member
   * gives up its partitions and stops; returns the error poll() and commit() throw.
   */
  private fence(): KafkaError {
    this.fenced ??= new KafkaError(
      ErrorCode.FENCED_INSTANCE_ID,
      `another consumer joined with groupInstanceId '${this.groupInstanceId}'; this one is fenced and stops`,
      `member of group '${this.groupId}'`,
    );
    this.memberIdValue = '';
    this.generationIdValue = -1;
    this.stopHeartbeat();
    this.revokeAll();
    this.fireWakeups();
    return this.fenced;
  }

  private requestRejoin(): void {
    this.rejoinNeeded = true;
    this.stopHeartbeat();
    this.fireWakeups();
  }

  // ---- coordinator -----------------------------------------------------------------------------

  private coordinatorConnection(): Promise<BrokerConnection> {
    if (!this.coordinator) {
      const pending = findGroupCoordinator(this.client, this.groupId).then((c) => BrokerConnection.connect(c.host, c.port, this.client.connectionOptions));
      pending.catch(() => {
        if (this.coordinator === pending) this.coordinator = null;
      });
      this.coordinator = pending;
    }
    return this.coordinator;
  }

  private dropCoordinator(): void {
    const old = this.coordinator;
    this.coordinator = null;
    old?.then((c) => c.close(), () => {});
  }

  // ---- offsets ---------------------------------------------------------------------------------

  private async maybeAutoCommit(): Promise<void> {
    if (!this.autoCommit || this.rejoinNeeded || this.clock.now() - this.lastCommitAt < this.autoCommitIntervalMs) return;
    // A failed automatic commit is retried at the next interval; a membership problem shows up as a rejoin.
    await this.commitOwned().catch(() => {});
  }

  private commitOwned(explicit?: PartitionOffset[]): Promise<void> {
    this.lastCommitAt = this.clock.now();
    return this.sendCommit(
      explicit
        ? explicit.map((o) => ({ offset: o.offset, owned: this.owned.get(partitionKey(o.topic, o.partition)), topic: o.topic, partition: o.partition }))
        : consumedOffsets(this.owned.values()),
    );
  }

  private async sendCommit(targets: CommitTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const conn = await this.coordinatorConnection();
    const generation = this.generationIdValue;
    const codes = await commitOffsets(conn, this.groupId, { generationId: generation, memberId: this.memberIdValue, groupInstanceId: this.groupInstanceId }, targets);
    let failure: number = ErrorCode.NONE;
    codes.forEach((code, i) => {
      if (code === ErrorCode.NONE) {
        const owned = targets[i].owned;
        if (owned) owned.committed = targets[i].offset;
      } else if (failure === ErrorCode.NONE) failure = code;
    });
    if (failure === ErrorCode.NONE) return;
    if (failure === ErrorCode.FENCED_INSTANCE_ID) throw this.fence();
    if (generation === this.generationIdValue) {
      if (failure === ErrorCode.REBALANCE_IN_PROGRESS || failure === ErrorCode.UNKNOWN_MEMBER_ID || failure === ErrorCode.ILLEGAL_GENERATION) {
        this.forgetMembershipOn(failure);
        this.requestRejoin();
      }
      if (COORDINATOR_MOVED.has(failure)) this.dropCoordinator();
    }
    throw new KafkaError(failure, null, `commit offsets of group '${this.groupId}'`);
  }

  /** Start offsets of partitions without a committed offset (or outside the log), by autoOffsetReset. */
  private resetOffsets(list: TopicPartitions[]): Promise<Map<string, number>> {
    return listOffsets(this.client, list, this.options.autoOffsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP);
  }

  // ---- fetching --------------------------------------------------------------------------------

  /** Buffered records (at most maxRecords); every owned partition is then consumed up to the engine's position. */
  private take(maxRecords: number): ConsumedRecord[] {
    const records = this.engine.take(maxRecords);
    for (const owned of this.owned.values()) owned.consumed = this.engine.position(owned.topic, owned.partition) ?? owned.consumed;
    return records;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private publish(event: GroupConsumerEvent, partitions?: TopicPartitions[]): void {
    if (!groupConsumerChannel.hasSubscribers) return;
    groupConsumerChannel.publish({ event, groupId: this.groupId, memberId: this.memberIdValue, generationId: this.generationIdValue, partitions });
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientError('SLUICE_ERR_CLOSED', `the consumer of group '${this.groupId}' is closed`);
  }

  /** Resolves with `p`'s value, or with INTERRUPTED as soon as wakeup() or a rebalance fires. */
  private interruptible<T>(p: Promise<T>): Promise<T | typeof INTERRUPTED> {
    return new Promise((resolve, reject) => {
      const onWake = () => resolve(INTERRUPTED);
      this.wakeups.add(onWake);
      p.then(resolve, reject).finally(() => this.wakeups.delete(onWake));
    });
  }

  private fireWakeups(): void {
    for (const wake of [...this.wakeups]) wake();
  }
}

interface CommitTarget extends PartitionOffset {
  /** Where to note the commit once stored (undefined: a partition not owned). */
  owned: Owned | undefined;
}

/** What was consumed of `owned` and not yet committed. */
function consumedOffsets(owned: Iterable<Owned>): CommitTarget[] {
  return [...owned].filter((o) => o.consumed !== o.committed).map((o) => ({ offset: o.consumed, owned: o, topic: o.topic, partition: o.partition }));
}
