// Share groups (KIP-932) on this broker: their membership (share-group.ts,
// coordinated, like other groups, by the leader of the group's partition of
// __consumer_offsets: a heartbeat elsewhere answers NOT_COORDINATOR),
// the state of every partition they read (share-partition.ts) and the share
// sessions of their members (share-sessions.ts). ShareFetch and
// ShareAcknowledge land here: acknowledgements first, then acquisition from
// each session partition's log, waiting (long-poll) while nothing can be
// acquired. Group ids are one namespace with classic and consumer groups:
// `otherGroupType` says when an id belongs to one of those.
//
// A share partition lives on the leader of its topic partition (KIP-932's
// share-partition leader): ShareFetch and ShareAcknowledge elsewhere answer
// NOT_LEADER_OR_FOLLOWER, and when this broker stops leading a topic
// partition its share partitions are dropped (held-share-partitions.ts). A
// share partition is loaded when first read, from the state its share
// coordinator stored (share-state-persister.ts; share-state-coordinator.ts is
// that coordinator for the keys of the __share_group_state partitions this
// broker leads), and
// its state is stored there after each acknowledgement, the answer waiting
// for that write: a restart or a move keeps acknowledged records
// acknowledged, and records held at the time come back available.
// Membership is not stored: after a restart members rejoin.
//
// Records a group archives are copied to its dead-letter topic when it names
// one (dead-letters.ts).
//
// A topic's delivery.delay.ms keeps its records from share groups until that
// long after their timestamp (share-acquisition.ts), a record's
// sluice-deliver-at header until that time (delivery-plan.ts), and a release
// may carry a delay of its own (Sluice's releaseDelayMs,
// docs/queue-delivery.md). A group's share.filter settles the records it does
// not pass without delivering them.
//
// A partition the group has no state for starts per share.auto.offset.reset
// (share-start-offset.ts). The share offsets admin APIs read and replace a
// group's partition states (share-offsets.ts); changes need an empty group,
// as in Kafka.
//
// share.isolation.level=read_committed keeps acquisition below the last
// stable offset and archives aborted transactions (share-acquisition.ts).

import type { Broker } from '../../broker/broker.js';
import type { Partition } from '../../broker/partition.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { groupConfigValue } from '../../metadata/group-configs.js';
import { type ShareFilter, parseShareFilter } from '../../metadata/share-filter.js';
import { parseShareAutoOffsetReset } from '../../metadata/share-auto-offset-reset.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { Clock } from '../../clock.js';
import type { TopicInfo, TopicView } from '../group/consumer/consumer-group.js';
import { type DeadLetter, DeadLetterCopies } from './dead-letters.js';
import { ShareWaiters } from './share-waiters.js';
import { acquireFromLog } from './share-acquisition.js';
import { ShareReadCache } from './share-read-cache.js';
import { ShareGroup, type ShareHeartbeat, type ShareHeartbeatResult } from './share-group.js';
import { type AcknowledgeType, SharePartition, type RecordStateCounts } from './share-partition.js';
import { OPEN_SESSION_EPOCH, type SessionPartition, type ShareSession, ShareSessions, sessionPartitionKey } from './share-sessions.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import { type ShareGroupFigures, partitionFigures, sumFigures } from './share-figures.js';
import { ShareStateCoordinator } from './share-state-coordinator.js';
import { ShareStateError, ShareStatePersister } from './share-state-persister.js';
import { type HeldSharePartition, HeldSharePartitions, partitionKey } from './held-share-partitions.js';
import { ShareStateSender } from './share-state-sender.js';
import type { LeadershipChange } from '../../broker/leadership.js';
import { systemClock } from '../../clock.js';
import { shareStartOffset } from './share-start-offset.js';
import type { AlterShareOffsetsResult, DeleteShareOffsetsResult, ShareTopicOffsets, TopicPartitions } from './share-offsets.js';
import { ShareOffsetAdmin } from './share-offset-admin.js';
import { type AcquireRequest, type HeldRecord, type ShareFetchInput, type ShareFetchOutput, type SharePartitionRequest, type SharePartitionResult, mergeRequested, partitionResults } from './share-requests.js';

/** One partition of a share group as `sluice queue stats` shows it. */
export interface SharePartitionStats extends RecordStateCounts {
  topic: string;
  partition: number;
  /** First offset not yet settled (the share-partition start offset). */
  startOffset: number;
  /** One past the last offset handed out or settled. */
  endOffset: number;
  /** Records copied to the group's dead-letter topic. */
  deadLettered: number;
}

export interface ShareGroupOverview {
  groupId: string;
  state: string;
}

/** Parsed filters kept (one per distinct expression in use; the cache starts over past this). */
const MAX_CACHED_FILTERS = 1000;
/** Bytes of recent log reads kept for share partitions (share-read-cache.ts): 32 MiB. */
const READ_CACHE_BYTES = 32 * 1024 * 1024;
/** How long reading or storing a share partition's state may retry an unreachable share coordinator (below clients' 30 s request timeout). */
const STATE_TIMEOUT_MS = 15_000;

export class ShareCoordinator {
  private readonly groups = new Map<string, ShareGroup>();
  /** The share partitions led here (held-share-partitions.ts). */
  private readonly held: HeldSharePartitions;
  private readonly sessions = new ShareSessions();
  /** Connections whose closing ends the sessions they opened (one listener each). */
  private readonly watchedConnections = new Set<AbortSignal>();
  /** Long-polling fetches of each group, woken when records become available again. */
  private readonly waiters: ShareWaiters;
  private readonly topics: TopicView;
  /** The share coordinator's side: the stored states of the keys of the __share_group_state partitions led here. */
  readonly states: ShareStateCoordinator;
  /** How share partitions led here read and store their states, wherever their share coordinator is. */
  private readonly persister: ShareStatePersister;
  private readonly stopLeadership: () => void;
  private readonly offsetAdmin: ShareOffsetAdmin;
  /** Copies of archived records to dead-letter topics, counted by partition key. */
  private readonly deadLetters: DeadLetterCopies;
  /** Parsed share.filter expressions, by their text. */
  private readonly filters = new Map<string, ShareFilter>();
  private readonly readCache = new ShareReadCache(READ_CACHE_BYTES);

  constructor(
    private readonly broker: Broker,
    private readonly config: BrokerConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly otherGroupType: (groupId: string) => string | null,
    /** NONE when this broker coordinates the group (leads its partition of __consumer_offsets), else the error to answer. */
    private readonly coordinatorError: (groupId: string) => number = () => ErrorCode.NONE,
  ) {
    const info = (t: { topicId: Buffer; name: string; partitions: unknown[] } | undefined): TopicInfo | undefined =>
      t ? { topicId: t.topicId.toString('hex'), name: t.name, partitions: t.partitions.length } : undefined;
    const cluster = broker.cluster;
    this.topics = {
      byName: (name) => info(cluster.topic(name)),
      byId: (topicId) => info(cluster.topicById(Buffer.from(topicId, 'hex'))),
      all: () => cluster.topics().map((t) => info(t)!),
    };
    this.deadLetters = new DeadLetterCopies(broker, log);
    this.waiters = new ShareWaiters(clock);
    this.states = new ShareStateCoordinator(broker, config, log);
    this.persister = new ShareStatePersister(cluster, config.nodeId, this.states, new ShareStateSender(log, broker.interBrokerSecurity), systemClock, log, STATE_TIMEOUT_MS);
    this.held = new HeldSharePartitions(this.persister, this.readCache, (groupId, p, partition, snapshot) => this.newSharePartition(groupId, p, partition, snapshot), log);
    this.stopLeadership = broker.leadership.on((change) => this.onLeadership(change));
    this.offsetAdmin = new ShareOffsetAdmin({
      topics: this.topics,
      log,
      partition: (topic, index) => broker.partition(topic, index),
      otherGroupType,
      groupState: (groupId) => this.groups.get(groupId)?.state,
      statesOf: (groupId) => this.statesOf(groupId),
      stateOf: (groupId, p) => this.held.get(groupId, p)?.snapshot() ?? this.states.snapshotOf({ groupId, ...p }),
      setState: (groupId, p, state) => this.setState(groupId, p, state),
    });
  }

  /**
   * Loads the stored states of every partition of __share_group_state this
   * broker leads, and from now on follows their leadership; call before
   * serving requests.
   */
  start(): void {
    this.states.start();
  }

  /** Whether `groupId` is a share group here. */
  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  heartbeat(groupId: string, req: ShareHeartbeat): ShareHeartbeatResult {
    const fail = (errorCode: number, errorMessage: string): ShareHeartbeatResult => ({ errorCode, errorMessage, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null });
    if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID, 'the group id is empty');
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return fail(notHere, `This broker does not coordinate group ${groupId}.`);
    let group = this.groups.get(groupId);
    if (!group) {
      const other = this.otherGroupType(groupId);
      if (other !== null) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is a ${other} group, not a share group.`);
      if (req.memberEpoch !== 0) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${groupId}.`);
      group = this.createGroup(groupId);
    }
    return group.heartbeat(req);
  }

  /** ShareGroupDescribe for one group. */
  describe(groupId: string): { errorCode: number; errorMessage: string | null; group: ShareGroup | null; topicName(topicId: string): string } {
    const group = this.groups.get(groupId) ?? null;
    const topicName = (topicId: string) => this.topics.byId(topicId)?.name ?? '';
    if (!group) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a share group here.`, group: null, topicName };
    return { errorCode: ErrorCode.NONE, errorMessage: null, group, topicName };
  }

  list(): ShareGroupOverview[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, state: g.state }));
  }

  /**
   * DeleteGroups for a share group: only an empty one (NON_EMPTY_GROUP
   * otherwise), with the state of every partition it read, which gets a
   * tombstone in __share_group_state. A group of that id starting later
   * begins anew (share.auto.offset.reset).
   */
  async deleteGroup(groupId: string): Promise<number> {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    group.shutdown();
    this.groups.delete(groupId);
    const states = this.statesOf(groupId);
    try {
      await Promise.all(states.map((s) => this.setState(groupId, s, null)));
    } catch (err) {
      this.log.error({ err, group: groupId }, 'share group state tombstones could not be written');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    this.log.info({ group: groupId, partitions: states.length }, 'share group deleted');
    return ErrorCode.NONE;
  }

  /** DescribeShareGroupOffsets for one group (share-offset-admin.ts). */
  describeOffsets(groupId: string, topics: TopicPartitions[] | null): ShareTopicOffsets[] {
    return this.offsetAdmin.describe(groupId, topics);
  }

  /** AlterShareGroupOffsets (share-offset-admin.ts): answers once the new states are stored. */
  alterOffsets(groupId: string, topics: { topic: string; partitions: { partition: number; startOffset: number }[] }[]): Promise<AlterShareOffsetsResult> {
    return this.offsetAdmin.alter(groupId, topics);
  }

  /** DeleteShareGroupOffsets (share-offset-admin.ts). */
  deleteOffsets(groupId: string, topics: string[]): Promise<DeleteShareOffsetsResult> {
    return this.offsetAdmin.delete(groupId, topics);
  }

  /** Per-partition record states of a share group, for the partitions it has read. */
  stats(groupId: string): SharePartitionStats[] {
    return this.heldOf(groupId).map(({ key, topic, partition, share }) => ({
      topic,
      partition,
      startOffset: share.startOffset,
      endOffset: share.endOffset,
      deadLettered: this.deadLetters.count(key),
      ...share.stateCounts(),
    }));
  }

  /**
   * What operators watch (share-figures.ts), per share group and partition
   * with totals per group: every share group known here, or only `groupId`.
   * Stored partition states not read since start-up are loaded first, so a
   * queue nobody reads since a restart shows too.
   */
  figures(groupId?: string): ShareGroupFigures[] {
    // The states this broker's share coordinator holds, of partitions it leads (always so on a single broker).
    for (const key of this.states.keys()) {
      if (groupId !== undefined && key.groupId !== groupId) continue;
      const topic = this.topics.byId(key.topicId);
      const log = topic && this.broker.partition(topic.name, key.partition);
      if (log?.isLeader) this.held.hold(key.groupId, key, log, this.states.snapshotOf(key) ?? null);
    }
    const ids = new Set([...this.groups.keys(), ...this.held.groupIds()]);
    const now = this.clock.now();
    return [...ids]
      .filter((id) => groupId === undefined || id === groupId)
      .sort()
      .map((id) => {
        const partitions = this.heldOf(id).map(({ key, topic, partition, share }) =>
          partitionFigures(topic, partition, share, this.broker.partition(topic, partition), this.deadLetters.count(key), now),
        );
        return { groupId: id, totals: sumFigures(partitions), partitions };
      });
  }

  /** ShareFetch: session step, acknowledgements, then acquisition (long-poll while nothing is acquired). */
  async fetch(req: ShareFetchInput): Promise<ShareFetchOutput> {
    const lockDurationMs = this.lockDurationMsOf(req.groupId);
    const fail = (errorCode: number, errorMessage: string): ShareFetchOutput => ({ errorCode, errorMessage, lockDurationMs, partitions: [] });
    if (req.sessionEpoch === OPEN_SESSION_EPOCH && req.partitions.some((p) => p.acknowledgements.length > 0)) {
      return fail(ErrorCode.INVALID_REQUEST, 'a request that opens a share session cannot carry acknowledgements');
    }
    const step = this.sessions.step(req.groupId, req.memberId, req.sessionEpoch, req.partitions, req.forgotten);
    if (!('session' in step)) return fail(step.errorCode, step.message);
    if (step.opened) {
      this.held.releaseMember(req.groupId, req.memberId);
      this.tieToConnection(step.session, req.connection);
    }

    const { results, resultFor } = partitionResults();
    // Acknowledgements change the state at once and are stored meanwhile: the first read runs while they
    // are (it sees what they released), and the answer waits for both, so storing is never followed by reading.
    const acknowledged = Promise.all(
      mergeRequested(req.partitions)
        .filter((p) => p.acknowledgements.length > 0)
        .map(async (p) => (resultFor(p).acknowledgeErrorCode = await this.acknowledgePartition(req.groupId, req.memberId, p))),
    );
    if (step.final) {
      await acknowledged;
      this.held.releaseMember(req.groupId, req.memberId);
      return { errorCode: ErrorCode.NONE, errorMessage: null, lockDurationMs, partitions: [...results.values()] };
    }
    // The first answer of a session names every partition it fetches from.
    if (step.opened) for (const p of step.session.partitions.values()) resultFor(p);

    // Checked on every request, as Kafka does: a session does not keep a partition whose READ was revoked.
    const readable = () =>
      [...step.session.partitions.values()].filter((p) => {
        if (req.mayRead(p.topicId)) return true;
        resultFor(p).errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        return false;
      });
    if (step.session.partitions.size > 0 && readable().length === 0) await acknowledged;
    else await this.acquireUntil(req, readable, resultFor, acknowledged);
    return { errorCode: ErrorCode.NONE, errorMessage: null, lockDurationMs, partitions: [...results.values()] };
  }

  /**
   * Acquisition for a member inside the broker (the HTTP API's queue routes),
   * as a ShareFetch without a share session: a session orders one client's
   * requests by epoch, while callers in the process ask concurrently. The
   * member must have joined by heartbeat; what it holds goes back when it
   * leaves or times out, as for any member. Only partitions this broker
   * leads are read (a share partition's state lives with its leader); when it
   * leads none of them, each answers NOT_LEADER_OR_FOLLOWER. `stop` ends the
   * wait early (the caller is going away). Returns the partitions that
   * acquired records or failed.
   */
  async acquireFor(groupId: string, memberId: string, partitions: SessionPartition[], limits: { maxRecords: number; maxBytes: number; maxWaitMs: number; stop: AbortSignal }): Promise<SharePartitionResult[]> {
    const { results, resultFor } = partitionResults();
    const led = partitions.filter((p) => {
      const topic = this.topics.byId(p.topicId);
      return topic !== undefined && this.broker.partition(topic.name, p.partition)?.isLeader === true;
    });
    if (led.length === 0) for (const p of partitions) resultFor(p).errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    else await this.acquireUntil({ groupId, memberId, ...limits }, () => led, resultFor);
    return [...results.values()];
  }

  /**
   * Settles records a member inside the broker holds, each named with the
   * delivery it was given (as the HTTP API's receipts name them): all or none.
   * A record no longer held from that delivery (its lock expired, it was
   * settled, or it was given out again) is stale: nothing is settled then, and
   * the stale ones are returned. Resolves once the new states are stored.
   */
  async settleHeld(groupId: string, memberId: string, held: HeldRecord[], type: AcknowledgeType, releaseDelayMs = 0): Promise<{ errorCode: number; stale: HeldRecord[] }> {
    const stale = held.filter((h) => !this.held.get(groupId, h)?.holds(memberId, h.offset, h.deliveryCount));
    if (stale.length > 0) return { errorCode: ErrorCode.INVALID_RECORD_STATE, stale };
    const requests = new Map<string, SharePartitionRequest>();
    const named = new Set<string>();
    for (const h of held) {
      // A record named twice is settled once: a second reject would dead-letter it twice.
      const key = sessionPartitionKey(h);
      if (named.has(`${key}@${h.offset}`)) continue;
      named.add(`${key}@${h.offset}`);
      let request = requests.get(key);
      if (!request) requests.set(key, (request = { topicId: h.topicId, partition: h.partition, acknowledgements: [] }));
      request.acknowledgements.push({ firstOffset: h.offset, lastOffset: h.offset, acknowledgeTypes: [type], releaseDelayMs });
    }
    // Every partition's state changes before the first write is awaited, so the check above still holds.
    const codes = await Promise.all([...requests.values()].map((p) => this.acknowledgePartition(groupId, memberId, p)));
    return { errorCode: codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE, stale: [] };
  }

  /**
   * ShareAcknowledge: acknowledgements outside a fetch. The session must be
   * open (epoch 0 cannot open one here); epoch -1 closes it afterwards,
   * giving back what the member still holds.
   */
  async acknowledge(
    groupId: string,
    memberId: string,
    sessionEpoch: number,
    partitions: SharePartitionRequest[],
  ): Promise<{ errorCode: number; errorMessage: string | null; partitions: { topicId: string; partition: number; errorCode: number }[] }> {
    if (sessionEpoch === OPEN_SESSION_EPOCH) {
      return { errorCode: ErrorCode.INVALID_SHARE_SESSION_EPOCH, errorMessage: 'ShareAcknowledge cannot open a share session', partitions: [] };
    }
    const step = this.sessions.step(groupId, memberId, sessionEpoch, [], []);
    if (!('session' in step)) return { errorCode: step.errorCode, errorMessage: step.message, partitions: [] };
    const out = await Promise.all(
      mergeRequested(partitions).map(async (p) => ({ topicId: p.topicId, partition: p.partition, errorCode: await this.acknowledgePartition(groupId, memberId, p) })),
    );
    if (step.final) this.held.releaseMember(groupId, memberId);
    return { errorCode: ErrorCode.NONE, errorMessage: null, partitions: out };
  }

  /** Stops every timer, waits for state writes in flight and forgets all state (the broker is closing). */
  async close(): Promise<void> {
    this.stopLeadership();
    this.states.stop();
    for (const g of this.groups.values()) g.shutdown();
    this.groups.clear();
    this.held.clear();
    this.sessions.clear();
    this.waiters.wakeAll();
    await Promise.all([this.states.settle(), this.persister.close(), this.deadLetters.settle()]);
  }

  // ---- internals ------------------------------------------------------------------------------

  private createGroup(groupId: string): ShareGroup {
    const setting = (name: string) => this.numericSetting(groupId, name);
    // Getters: the group reads each setting when it uses it, so a changed group config applies from then on.
    const group = new ShareGroup(groupId, {
      clock: this.clock,
      get heartbeatIntervalMs() {
        return setting('share.heartbeat.interval.ms');
      },
      get sessionTimeoutMs() {
        return setting('share.session.timeout.ms');
      },
      topics: this.topics,
      log: this.log,
      onMemberGone: (gid, memberId, why) => {
        // A member that leaves still closes its session (librdkafka acknowledges after its leave heartbeat); a dead one never will.
        if (why === 'timed out') this.sessions.drop(gid, memberId);
        this.held.releaseMember(gid, memberId);
      },
    });
    this.groups.set(groupId, group);
    this.log.info({ group: groupId }, 'share group created');
    return group;
  }

  /**
   * Reads `partitions` until something is acquired or `maxWaitMs` (capped by
   * fetchMaxWaitMs) passes, waiting for records in between. `settled`
   * (acknowledgements the request carried) is awaited after the first read,
   * which sees what they released, and before any other.
   */
  private async acquireUntil(req: AcquireRequest, partitions: () => SessionPartition[], resultFor: (p: SessionPartition) => SharePartitionResult, settled?: Promise<unknown>): Promise<void> {
    const deadline = this.clock.now() + Math.min(Math.max(req.maxWaitMs, 0), this.config.fetchMaxWaitMs);
    let round = await this.acquireRound(req, partitions(), resultFor);
    await settled;
    for (;;) {
      const remaining = deadline - this.clock.now();
      if (round === 'answer' || remaining <= 0 || req.maxRecords <= 0 || req.stop?.aborted) break;
      // A read whose records were all filtered out or held back: read on at once, letting other requests in between.
      if (round === 'moved-on') await new Promise<void>((resolve) => setImmediate(resolve));
      else await this.waitForRecords(req.groupId, partitions(), remaining, req.stop);
      round = await this.acquireRound(req, partitions(), resultFor);
    }
  }

  /**
   * One read of each session partition: whether there is something to answer
   * (records acquired, or a partition not led here), or else whether some
   * window moved on without acquiring. A share partition not loaded is
   * loaded when the read reaches it (partitions the request's limits do not
   * reach stay unloaded, as they stay unread); one whose state could not be
   * read answers the error.
   */
  private async acquireRound(req: AcquireRequest, partitions: SessionPartition[], resultFor: (p: SessionPartition) => SharePartitionResult): Promise<'answer' | 'moved-on' | 'nothing'> {
    let records = req.maxRecords;
    let bytes = req.maxBytes;
    let answer = false;
    let movedOn = false;
    const filter = this.filterOf(req.groupId);
    const readCommitted = groupConfigValue(this.broker.cluster.groupConfigs(req.groupId), 'share.isolation.level') === 'read_committed';
    for (const p of partitions) {
      if (records <= 0 || bytes <= 0) break;
      const topic = this.topics.byId(p.topicId);
      const partition = topic ? this.broker.partition(topic.name, p.partition) : undefined;
      if (!topic || !partition) {
        resultFor(p).errorCode = topic ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID;
        continue;
      }
      // The share-partition leader is the partition's leader (KIP-932); the client looks it up again.
      if (!partition.isLeader) {
        resultFor(p).errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        answer = true;
        continue;
      }
      // Loaded when a read first reaches it (the round runs on at once when none needs loading).
      const loadError = this.held.get(req.groupId, p) ? ErrorCode.NONE : await this.held.load(req.groupId, p, partition);
      if (loadError !== ErrorCode.NONE) {
        resultFor(p).errorCode = loadError;
        answer = true;
        continue;
      }
      const share = this.held.get(req.groupId, p);
      // The load was overtaken (a state change, a move): the next round loads again or answers NOT_LEADER_OR_FOLLOWER.
      if (!share) continue;
      const key = partitionKey(req.groupId, p);
      const read = (from: number, readBytes: number, end: number) => this.readCache.read(key, partition, from, readBytes, end);
      const got = acquireFromLog(partition, share, read, req.memberId, records, bytes, this.broker.cluster.topic(topic.name)?.configs ?? {}, filter, readCommitted);
      if (got.errorCode !== ErrorCode.NONE) {
        resultFor(p).errorCode = got.errorCode;
        continue;
      }
      movedOn ||= got.movedOn;
      if (got.acquired.length === 0) continue;
      const r = resultFor(p);
      r.leaderEpoch = partition.leaderEpoch;
      r.records = r.records.length === 0 ? got.records : Buffer.concat([r.records, got.records]);
      r.acquired.push(...got.acquired);
      for (const a of got.acquired) records -= a.lastOffset - a.firstOffset + 1;
      bytes -= got.records.length;
      answer = true;
    }
    return answer ? 'answer' : movedOn ? 'moved-on' : 'nothing';
  }

  /** The group's share.filter, parsed (it was checked when set); null when it has none. Read at every acquisition, so a change applies from the next. */
  private filterOf(groupId: string): ShareFilter | null {
    const text = groupConfigValue(this.broker.cluster.groupConfigs(groupId), 'share.filter');
    if (text.trim() === '') return null;
    let filter = this.filters.get(text);
    if (filter === undefined) {
      if (this.filters.size >= MAX_CACHED_FILTERS) this.filters.clear();
      this.filters.set(text, (filter = parseShareFilter(text)));
    }
    return filter;
  }

  /** Applies one partition's acknowledgements and resolves once the new state is stored. */
  private async acknowledgePartition(groupId: string, memberId: string, p: SharePartitionRequest): Promise<number> {
    const topic = this.topics.byId(p.topicId);
    const partition = topic && this.broker.partition(topic.name, p.partition);
    if (partition && !partition.isLeader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const share = this.held.get(groupId, p);
    if (!share) return ErrorCode.INVALID_RECORD_STATE;
    const errorCode = share.acknowledge(memberId, p.acknowledgements);
    if (errorCode !== ErrorCode.NONE) return errorCode;
    try {
      await this.persister.write({ groupId, topicId: p.topicId, partition: p.partition }, share.snapshot(), partition?.leaderEpoch ?? -1);
      return ErrorCode.NONE;
    } catch (err) {
      this.log.error({ err, group: groupId, topicId: p.topicId, partition: p.partition }, 'share-partition state could not be stored; the acknowledgement may be lost in a restart or a move');
      return err instanceof ShareStateError ? err.errorCode : ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  /**
   * Drops the share partitions of a topic partition this broker no longer
   * leads: their lock timers stop, what they held is forgotten (the new
   * leader restores the last stored state, where held records are
   * available), and fetches waiting on them are woken (they answer
   * NOT_LEADER_OR_FOLLOWER).
   */
  private onLeadership(change: LeadershipChange): void {
    if (change.role === 'leader') return;
    const topicId = this.broker.cluster.topic(change.topic)?.topicId.toString('hex');
    if (topicId === undefined) return;
    for (const groupId of this.held.dropTopicPartition(topicId, change.partition)) this.waiters.wake(groupId);
  }

  /** The share partitions of a group held here, by topic name and partition. */
  private heldOf(groupId: string): HeldSharePartition[] {
    return this.held.of(groupId, (topicId) => this.topics.byId(topicId)?.name);
  }

  /**
   * Ends the session when its connection closes and gives back what its member
   * holds, as Kafka does: a consumer that died (its socket closed) need not
   * wait out the acquisition locks. A member that reconnects opens a new session.
   */
  private tieToConnection(session: ShareSession, connection: AbortSignal): void {
    session.connection = connection;
    if (this.watchedConnections.has(connection)) return;
    this.watchedConnections.add(connection);
    connection.addEventListener(
      'abort',
      () => {
        this.watchedConnections.delete(connection);
        for (const s of this.sessions.dropConnection(connection)) this.held.releaseMember(s.groupId, s.memberId);
      },
      { once: true },
    );
  }

  /** The partitions `groupId` has state for, loaded or only stored. */
  private statesOf(groupId: string): SessionPartition[] {
    const byKey = new Map<string, SessionPartition>();
    for (const p of [...this.held.partitionsOf(groupId), ...this.states.statesOf(groupId).map(({ key }) => key)]) {
      byKey.set(sessionPartitionKey(p), { topicId: p.topicId, partition: p.partition });
    }
    return [...byKey.values()];
  }

  /**
   * Replaces a partition's state (null: forgets it; the next fetch starts per
   * share.auto.offset.reset) and resolves once that is stored. A loaded
   * partition is unloaded, so the next fetch builds it from the new state.
   */
  private setState(groupId: string, p: SessionPartition, state: SharePartitionSnapshot | null): Promise<void> {
    this.held.forget(groupId, p);
    this.deadLetters.forget(partitionKey(groupId, p));
    // -1: written by no share-partition leader, so never fenced (share-state-coordinator.ts).
    return this.persister.write({ groupId, topicId: p.topicId, partition: p.partition }, state, -1);
  }

  /** A share partition from its stored state, or (none) starting per share.auto.offset.reset. */
  private newSharePartition(groupId: string, p: SessionPartition, partition: Partition, snapshot: SharePartitionSnapshot | null): SharePartition {
    const key = partitionKey(groupId, p);
    const setting = (name: string) => this.numericSetting(groupId, name);
    // Getters, as for the group: a changed lock duration applies to the next
    // acquisition (locks granted keep their deadline), a changed delivery limit
    // to the next release.
    const opts = {
      clock: this.clock,
      get lockDurationMs() {
        return setting('share.record.lock.duration.ms');
      },
      get deliveryCountLimit() {
        return setting('share.delivery.count.limit');
      },
      maxInFlightRecords: this.config.shareMaxInFlightRecords,
      onAvailable: () => this.waiters.wake(groupId),
      onArchived: (first: number, last: number, reason: DeadLetter['reason'], deliveryCount: number) => {
        const topic = this.topics.byId(p.topicId)?.name;
        if (topic) this.deadLetter(key, { groupId, topic, partition: p.partition, first, last, reason, deliveryCount });
      },
    };
    if (snapshot) return SharePartition.restore(snapshot, opts);
    const reset = parseShareAutoOffsetReset(groupConfigValue(this.broker.cluster.groupConfigs(groupId), 'share.auto.offset.reset'));
    // A stored value always parses: it was validated when set.
    return new SharePartition('reset' in reset ? shareStartOffset(partition, reset.reset, this.clock.now()) : partition.highWatermark, opts);
  }

  /** Copies archived records to the group's dead-letter topic, if it has one. */
  private deadLetter(key: string, letter: DeadLetter): void {
    const dlqTopic = groupConfigValue(this.broker.cluster.groupConfigs(letter.groupId), 'errors.deadletterqueue.topic.name');
    if (dlqTopic !== '') this.deadLetters.copy(key, letter, dlqTopic);
  }

  /** share.record.lock.duration.ms of the group (its config, else the default). */
  lockDurationMsOf(groupId: string): number {
    return this.numericSetting(groupId, 'share.record.lock.duration.ms');
  }

  /** A numeric group config of `groupId` as it is now (its override, else the default). */
  private numericSetting(groupId: string, name: string): number {
    return Number(groupConfigValue(this.broker.cluster.groupConfigs(groupId), name));
  }

  /** Waits until new data reaches one of `partitions`, records of the group are given back, a delay ends, `timeoutMs` passes or `stop` aborts. */
  private waitForRecords(groupId: string, partitions: SessionPartition[], timeoutMs: number, stop?: AbortSignal): Promise<void> {
    let wait = timeoutMs;
    const now = this.clock.now();
    const sources: Partition[] = [];
    for (const p of partitions) {
      const until = this.held.get(groupId, p)?.nextDelayEnd();
      if (until !== null && until !== undefined) wait = Math.min(wait, Math.max(until - now, 0));
      const topic = this.topics.byId(p.topicId);
      const partition = topic && this.broker.partition(topic.name, p.partition);
      if (partition) sources.push(partition);
    }
    return this.waiters.wait(groupId, sources, wait, stop);
  }
}
