// A consumer-group member under Kafka's classic rebalance protocol, with
// eager rebalancing and the range assignor (Kafka's defaults):
//
//   FindCoordinator ─► JoinGroup ─► (leader: assign) ─► SyncGroup ─► OffsetFetch ─► Fetch ...
//         ▲              │ MEMBER_ID_REQUIRED: again with the given id (KIP-394)
//         │              ▼
//   coordinator lost   heartbeat every heartbeatIntervalMs:
//                        REBALANCE_IN_PROGRESS        → commit, give up every partition, rejoin
//                        UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION → forget the membership, rejoin
//
// poll() drives everything, as in Kafka's consumer: it (re)joins when needed,
// then returns fetched records. Heartbeats run on a timer of their own, so a
// slow caller keeps its membership; a heartbeat that finds a rebalance wakes
// a poll() waiting on a fetch so the member rejoins at once.
//
// Positions: `position` is the next offset to fetch, `consumed` the offset
// after the last record poll() returned. Commits (auto-commit inside poll()
// every autoCommitIntervalMs, before a rejoin and on close, or commit()) store
// `consumed` for every assigned partition, so a member that restarts resumes
// after the last record it handed out, never after one still in its buffer.
//
// The coordinator gets a connection of its own: a JoinGroup or SyncGroup
// parks until the rebalance completes, and responses on one connection come
// back in order, so sharing it with long-polling fetches would delay both.

import diagnostics_channel from 'node:diagnostics_channel';
import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { HeartbeatRequest, HeartbeatResponse } from '../protocol/messages/heartbeat.js';
import { JoinGroupRequest, JoinGroupResponse } from '../protocol/messages/join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/messages/leave-group.js';
import { MetadataRequest, MetadataResponse } from '../protocol/messages/metadata.js';
import { SyncGroupRequest, SyncGroupResponse } from '../protocol/messages/sync-group.js';
import { ClientError, KafkaError } from './client-error.js';
import { BrokerConnection } from './connection.js';
import type { ConsumedRecord, FetchOptions } from './consumer.js';
import { CONSUMER_PROTOCOL_TYPE, type TopicPartitions, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../protocol/consumer-protocol.js';
import { findGroupCoordinator } from './find-coordinator.js';
import { type PartitionOffset, commitOffsets, fetchCommitted } from './group-offsets.js';
import type { KafkaClient } from './kafka-client.js';
import { PartitionFetcher, partitionKey } from './partition-fetcher.js';
import { RANGE_ASSIGNOR, assignRange } from './range-assignor.js';

export interface GroupConsumerOptions extends FetchOptions {
  groupId: string;
  /** Topics to subscribe to. */
  topics: string[];
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
  /** Called when a generation's assignment is in place, with each partition's start offset. */
  onAssigned?(assignment: AssignedPartition[], generationId: number): void;
  /** Called before the partitions are given up for a rejoin or on close (eager rebalancing: all of them). */
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
  /** Next offset to fetch. */
  position: number;
  /** Offset after the last record poll() returned. */
  consumed: number;
  /** Last offset known committed for the group (-1: none). */
  committed: number;
}

const JOIN_GROUP = { request: JoinGroupRequest, response: JoinGroupResponse };
const SYNC_GROUP = { request: SyncGroupRequest, response: SyncGroupResponse };
const HEARTBEAT = { request: HeartbeatRequest, response: HeartbeatResponse };
const LEAVE_GROUP = { request: LeaveGroupRequest, response: LeaveGroupResponse };
const METADATA = { request: MetadataRequest, response: MetadataResponse };

const EARLIEST = -2;
const LATEST = -1;
/** Pause before asking again after the coordinator moved or was not ready (ms). */
const COORDINATOR_RETRY_MS = 100;
/** What a JoinGroup may take beyond the rebalance timeout before it counts as lost (ms), as in Kafka's consumer. */
const JOIN_GROUP_TIMEOUT_LAPSE_MS = 5000;
const COORDINATOR_MOVED = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

const INTERRUPTED = Symbol('interrupted');

export class GroupConsumer {
  readonly groupId: string;
  private readonly topics: string[];
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
  private buffer: ConsumedRecord[] = [];
  /** Grows with every change of assignment; fetch results of an older epoch are dropped. */
  private epoch = 0;
  private joining: Promise<void> | null = null;
  private fetching: Promise<void> | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly wakeups = new Set<() => void>();
  private woken = false;
  private closed = false;
  private lastCommitAt = Date.now();
  private readonly fetcher: PartitionFetcher;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: GroupConsumerOptions,
  ) {
    if (options.topics.length === 0) throw new ClientError('SLUICE_ERR_CONFIG', 'a group consumer needs at least one topic');
    this.groupId = options.groupId;
    this.topics = [...new Set(options.topics)].sort();
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 30_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
    this.autoCommit = options.autoCommit ?? true;
    this.autoCommitIntervalMs = options.autoCommitIntervalMs ?? 5000;
    this.fetcher = new PartitionFetcher(client, options);
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
      if (this.rejoinNeeded) {
        this.joining ??= handled(this.join().finally(() => (this.joining = null)));
        await this.interruptible(this.joining);
        continue;
      }
      if (this.buffer.length > 0) return this.take(maxRecords);
      if (this.owned.size === 0) {
        // Nothing assigned (more members than partitions): wait as long as a fetch would.
        await this.interruptible(new Promise<void>((resolve) => setTimeout(resolve, this.options.maxWaitMs ?? 500)));
        return [];
      }
      this.fetching ??= handled(this.fetchOnce().finally(() => (this.fetching = null)));
      if ((await this.interruptible(this.fetching)) === INTERRUPTED) continue;
      if (this.buffer.length === 0) return [];
    }
    this.woken = false;
    return [];
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
    await this.commitOwned(offsets);
  }

  /** Commits what was consumed (when autoCommit), leaves the group and closes the coordinator connection. The client stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Also while a rebalance is pending: the coordinator takes commits of the current generation until it completes.
    if (this.autoCommit && this.owned.size > 0) await this.commitOwned().catch(() => {});
    this.revokeAll();
    this.closed = true;
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
    if (this.memberIdValue !== '') {
      this.publish('leave');
      // A JoinGroup still parked on this connection is answered by the leave, so this does not wait for the rebalance.
      await conn
        .send(LEAVE_GROUP, { groupId: this.groupId, memberId: this.memberIdValue, members: [{ memberId: this.memberIdValue, groupInstanceId: null }] })
        .catch(() => {});
    }
    conn.close();
  }

  // ---- membership ------------------------------------------------------------------------------

  private async join(): Promise<void> {
    this.stopHeartbeat();
    if (this.owned.size > 0) {
      if (this.autoCommit) await this.commitOwned().catch(() => {});
      this.revokeAll();
    }
    while (!this.closed) {
      const conn = await this.coordinatorConnection();
      this.publish('join');
      // The coordinator may hold a JoinGroup for the whole rebalance; Kafka's consumer waits that plus 5 s.
      const joined = await conn.send(JOIN_GROUP, {
        groupId: this.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        memberId: this.memberIdValue,
        groupInstanceId: null,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeSubscription({ version: 1, topics: this.topics, userData: null, ownedPartitions: [] }) }],
      }, { timeoutMs: Math.max(this.client.requestTimeoutMs, this.rebalanceTimeoutMs + JOIN_GROUP_TIMEOUT_LAPSE_MS) });
      if (this.closed) return;
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberIdValue = joined.memberId;
        continue;
      }
      if (!(await this.recoverable(joined.errorCode, 'join'))) continue;
      this.memberIdValue = joined.memberId;
      this.generationIdValue = joined.generationId;
      const assignments = joined.leader === joined.memberId ? await this.assign(conn, joined.members) : [];
      if (this.closed) return;
      const synced = await conn.send(SYNC_GROUP, {
        groupId: this.groupId,
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: null,
        assignments,
      });
      if (this.closed) return;
      if (!(await this.recoverable(synced.errorCode, 'sync with'))) continue;
      this.rejoinNeeded = false;
      this.startHeartbeat();
      const assigned = decodeAssignment(synced.assignment).partitions;
      this.publish('sync', assigned);
      try {
        await this.takeAssignment(assigned);
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
        this.memberIdValue = '';
        this.generationIdValue = -1;
        return false;
      case ErrorCode.ILLEGAL_GENERATION:
        this.generationIdValue = -1;
        return false;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return false;
      default:
        if (COORDINATOR_MOVED.has(errorCode)) {
          this.dropCoordinator();
          await new Promise((resolve) => setTimeout(resolve, COORDINATOR_RETRY_MS));
          return false;
        }
        throw new KafkaError(errorCode, null, `${what} group '${this.groupId}'`);
    }
  }

  /** The leader's part: the range assignment of every member's subscription, encoded for SyncGroup. */
  private async assign(conn: BrokerConnection, members: Message[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscriptions = members.map((m) => {
      let topics: string[] = [];
      try {
        topics = decodeSubscription(m.metadata).topics;
      } catch {
        // A member whose subscription does not parse gets nothing rather than breaking the group.
      }
      return { memberId: m.memberId as string, topics };
    });
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    // Asked on the coordinator connection: the client's may be held by a long-polling fetch.
    const md = await conn.send(METADATA, { topics: topics.map((name) => ({ name, topicId: undefined })), allowAutoTopicCreation: false });
    const counts = new Map<string, number>();
    for (const t of md.topics as Message[]) if (t.errorCode === ErrorCode.NONE) counts.set(t.name, t.partitions.length);
    const plan = assignRange(subscriptions, counts);
    return subscriptions.map((s) => ({ memberId: s.memberId, assignment: encodeAssignment({ version: 0, partitions: plan.get(s.memberId) ?? [], userData: null }) }));
  }

  /** Positions for a new assignment: committed offsets, else the reset policy. */
  private async takeAssignment(assigned: TopicPartitions[]): Promise<void> {
    const mine = assigned.filter((tp) => this.topics.includes(tp.topic) && tp.partitions.length > 0);
    const conn = await this.coordinatorConnection();
    const committed = mine.length === 0 ? [] : await fetchCommitted(conn, this.groupId, mine);
    if (this.closed) return;
    const start = new Map(committed.filter((c) => c.offset >= 0).map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    const missing = mine.map((tp) => ({ topic: tp.topic, partitions: tp.partitions.filter((p) => !start.has(partitionKey(tp.topic, p))) }));
    for (const [key, offset] of await this.resetOffsets(missing)) start.set(key, offset);
    if (this.closed) return;
    const owned = new Map<string, Owned>();
    for (const tp of mine) {
      for (const partition of tp.partitions) {
        const key = partitionKey(tp.topic, partition);
        const offset = start.get(key) ?? 0;
        const wasCommitted = committed.find((c) => c.topic === tp.topic && c.partition === partition)?.offset ?? -1;
        owned.set(key, { topic: tp.topic, partition, position: offset, consumed: offset, committed: wasCommitted });
      }
    }
    this.epoch++;
    this.owned = owned;
    this.buffer = [];
    const list = [...owned.values()].map((o) => ({ topic: o.topic, partition: o.partition, offset: o.position }));
    this.options.onAssigned?.(list, this.generationIdValue);
  }

  /** Gives up every partition (eager rebalancing); buffered records of them are dropped. */
  private revokeAll(): void {
    if (this.owned.size === 0) return;
    const partitions = this.assignment();
    this.epoch++;
    this.owned = new Map();
    this.buffer = [];
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
        errorCode = (await conn.send(HEARTBEAT, { groupId: this.groupId, generationId: generation, memberId: this.memberIdValue, groupInstanceId: null })).errorCode;
      } catch {
        errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
      if (this.closed || this.rejoinNeeded || generation !== this.generationIdValue) return;
      if (errorCode === ErrorCode.NONE) {
        this.heartbeatTimer = setTimeout(beat, this.heartbeatIntervalMs).unref();
        return;
      }
      this.forgetMembershipOn(errorCode);
      if (COORDINATOR_MOVED.has(errorCode)) this.dropCoordinator();
      this.requestRejoin();
    };
    this.heartbeatTimer = setTimeout(beat, this.heartbeatIntervalMs).unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** After UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION the member's partitions are no longer its own: nothing of them can be committed. */
  private forgetMembershipOn(errorCode: number): void {
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID || errorCode === ErrorCode.FENCED_INSTANCE_ID) this.memberIdValue = '';
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID || errorCode === ErrorCode.ILLEGAL_GENERATION || errorCode === ErrorCode.FENCED_INSTANCE_ID) {
      this.generationIdValue = -1;
      this.revokeAll();
    }
  }

  private requestRejoin(): void {
    this.rejoinNeeded = true;
    this.stopHeartbeat();
    this.fireWakeups();
  }

  // ---- coordinator -----------------------------------------------------------------------------

  private coordinatorConnection(): Promise<BrokerConnection> {
    if (!this.coordinator) {
      const pending = findGroupCoordinator(this.client, this.groupId).then((c) => BrokerConnection.connect(c.host, c.port, { clientId: this.client.clientId, requestTimeoutMs: this.client.requestTimeoutMs }));
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
    if (!this.autoCommit || this.rejoinNeeded || Date.now() - this.lastCommitAt < this.autoCommitIntervalMs) return;
    // A failed automatic commit is retried at the next interval; a membership problem shows up as a rejoin.
    await this.commitOwned().catch(() => {});
  }

  private async commitOwned(explicit?: PartitionOffset[]): Promise<void> {
    this.lastCommitAt = Date.now();
    const targets = explicit
      ? explicit.map((o) => ({ offset: o.offset, owned: this.owned.get(partitionKey(o.topic, o.partition)), topic: o.topic, partition: o.partition }))
      : [...this.owned.values()].filter((o) => o.consumed !== o.committed).map((o) => ({ offset: o.consumed, owned: o, topic: o.topic, partition: o.partition }));
    if (targets.length === 0) return;
    const conn = await this.coordinatorConnection();
    const generation = this.generationIdValue;
    const codes = await commitOffsets(conn, this.groupId, { generationId: generation, memberId: this.memberIdValue }, targets);
    let failure: number = ErrorCode.NONE;
    codes.forEach((code, i) => {
      if (code === ErrorCode.NONE) {
        const owned = targets[i].owned;
        if (owned) owned.committed = targets[i].offset;
      } else if (failure === ErrorCode.NONE) failure = code;
    });
    if (failure === ErrorCode.NONE) return;
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
    return this.fetcher.listOffsets(list, this.options.autoOffsetReset === 'earliest' ? EARLIEST : LATEST);
  }

  // ---- fetching --------------------------------------------------------------------------------

  private take(maxRecords: number): ConsumedRecord[] {
    const out = this.buffer.length <= maxRecords ? this.buffer : this.buffer.slice(0, maxRecords);
    this.buffer = out === this.buffer ? [] : this.buffer.slice(maxRecords);
    for (const r of out) {
      const owned = this.owned.get(partitionKey(r.topic, r.partition));
      if (owned) owned.consumed = r.offset + 1;
    }
    return out;
  }

  /** One fetch round over every owned partition; dropped if the assignment changed meanwhile. */
  private async fetchOnce(): Promise<void> {
    const epoch = this.epoch;
    const round = await this.fetcher.fetch([...this.owned.values()].map((o) => ({ topic: o.topic, partition: o.partition, offset: o.position })));
    if (epoch !== this.epoch || this.closed) return;
    for (const [key, next] of round.next) {
      const owned = this.owned.get(key);
      if (owned) owned.position = next;
    }
    this.buffer.push(...round.records);
    if (round.outOfRange.length === 0) return;
    const reset = await this.resetOffsets(groupByTopic(round.outOfRange));
    if (epoch !== this.epoch) return;
    for (const o of round.outOfRange) {
      const owned = this.owned.get(partitionKey(o.topic, o.partition));
      const offset = reset.get(partitionKey(o.topic, o.partition));
      if (owned && offset !== undefined) owned.position = offset;
    }
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

/** Marks `p` as handled so that a rejection nobody awaits (after an interrupted poll) is not reported; awaiting it still throws. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function groupByTopic(list: { topic: string; partition: number }[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const o of list) {
    let partitions = byTopic.get(o.topic);
    if (!partitions) byTopic.set(o.topic, (partitions = []));
    partitions.push(o.partition);
  }
  return [...byTopic]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}
