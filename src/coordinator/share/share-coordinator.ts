// Share groups (KIP-932) on this broker: their membership (share-group.ts),
// the state of every partition they read (share-partition.ts) and the share
// sessions of their members (share-sessions.ts). ShareFetch and
// ShareAcknowledge land here: acknowledgements first, then acquisition from
// each session partition's log, waiting (long-poll) while nothing can be
// acquired. Group ids are one namespace with classic and consumer groups:
// `otherGroupType` says when an id belongs to one of those.
//
// A partition's state is written to __share_group_state (share-state-store.ts)
// after each acknowledgement, and the answer waits for that write: a restart
// keeps acknowledged records acknowledged, and records held at the time come
// back available. Membership is not stored: after a restart members rejoin.
//
// Records a group archives are copied to its dead-letter topic when it names
// one (dead-letters.ts).
//
// A topic's delivery.delay.ms keeps its records from share groups until that
// long after their timestamp (share-acquisition.ts).
//
// Not yet: read_committed, per-record delivery times and filters.

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { groupConfigValue } from '../../metadata/group-configs.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { Clock } from '../../clock.js';
import type { TopicInfo, TopicView } from '../group/consumer/consumer-group.js';
import { type DeadLetter, copyToDeadLetterTopic } from './dead-letters.js';
import { acquireFromLog } from './share-acquisition.js';
import { ShareGroup, type ShareHeartbeat, type ShareHeartbeatResult } from './share-group.js';
import { type AcknowledgementBatch, type AcquiredRecords, SharePartition, type SharePartitionFigures } from './share-partition.js';
import { OPEN_SESSION_EPOCH, type SessionPartition, type ShareSession, ShareSessions, sessionPartitionKey } from './share-sessions.js';
import type { SharePartitionSnapshot } from './share-partition.js';
import { ShareStateStore } from './share-state-store.js';

export interface SharePartitionRequest extends SessionPartition {
  acknowledgements: AcknowledgementBatch[];
}

export interface ShareFetchInput {
  groupId: string;
  memberId: string;
  sessionEpoch: number;
  maxWaitMs: number;
  maxBytes: number;
  maxRecords: number;
  partitions: SharePartitionRequest[];
  forgotten: SessionPartition[];
  /** The requesting connection, aborted when it closes: a session it opens ends then. */
  connection: AbortSignal;
}

export interface SharePartitionResult extends SessionPartition {
  errorCode: number;
  acknowledgeErrorCode: number;
  leaderEpoch: number;
  records: Buffer;
  acquired: AcquiredRecords[];
}

export interface ShareFetchOutput {
  errorCode: number;
  errorMessage: string | null;
  lockDurationMs: number;
  partitions: SharePartitionResult[];
}

/** One partition of a share group as `sluice queue stats` shows it. */
export interface SharePartitionStats extends SharePartitionFigures {
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

const NO_RECORDS = Buffer.alloc(0);

export class ShareCoordinator {
  private readonly groups = new Map<string, ShareGroup>();
  private readonly partitions = new Map<string, SharePartition>();
  private readonly sessions = new ShareSessions();
  /** Connections whose closing ends the sessions they opened (one listener each). */
  private readonly watchedConnections = new Set<AbortSignal>();
  /** Long-polling fetches of each group, woken when records become available again. */
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly topics: TopicView;
  private readonly store: ShareStateStore;
  /** Records copied to dead-letter topics, by partition key. */
  private readonly deadLettered = new Map<string, number>();
  /** Per dead-letter topic, the last copy: copies run one after another, in the order records were archived. */
  private readonly deadLetterChains = new Map<string, Promise<void>>();
  /** Stored states not loaded yet, by partition key: a partition is restored when first read. */
  private readonly stored = new Map<string, SharePartitionSnapshot>();

  constructor(
    private readonly broker: Broker,
    private readonly config: BrokerConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly otherGroupType: (groupId: string) => string | null,
  ) {
    const info = (t: { topicId: Buffer; name: string; partitions: unknown[] } | undefined): TopicInfo | undefined =>
      t ? { topicId: t.topicId.toString('hex'), name: t.name, partitions: t.partitions.length } : undefined;
    const cluster = broker.cluster;
    this.topics = {
      byName: (name) => info(cluster.topic(name)),
      byId: (topicId) => info(cluster.topicById(Buffer.from(topicId, 'hex'))),
      all: () => cluster.topics().map((t) => info(t)!),
    };
    this.store = new ShareStateStore(broker, config, log);
  }

  /** Replays __share_group_state (when it exists); call before serving requests. */
  start(): void {
    this.store.open((key, snapshot) => {
      const k = partitionKey(key.groupId, key);
      if (snapshot === null) this.stored.delete(k);
      else this.stored.set(k, snapshot);
    });
  }

  /** Whether `groupId` is a share group here. */
  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  heartbeat(groupId: string, req: ShareHeartbeat): ShareHeartbeatResult {
    const fail = (errorCode: number, errorMessage: string): ShareHeartbeatResult => ({ errorCode, errorMessage, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null });
    if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID, 'the group id is empty');
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
    const prefix = `${groupId}\u0000`;
    const keys = new Set([...this.partitions.keys(), ...this.stored.keys()].filter((k) => k.startsWith(prefix)));
    for (const key of keys) {
      this.partitions.get(key)?.close();
      this.partitions.delete(key);
      this.stored.delete(key);
      this.deadLettered.delete(key);
    }
    try {
      await Promise.all(
        [...keys].map((key) => {
          const [topicId, partition] = key.slice(prefix.length).split(':');
          return this.store.write({ groupId, topicId, partition: Number(partition) }, null, -1);
        }),
      );
    } catch (err) {
      this.log.error({ err, group: groupId }, 'share group state tombstones could not be written');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    this.log.info({ group: groupId, partitions: keys.size }, 'share group deleted');
    return ErrorCode.NONE;
  }

  /** Per-partition figures of a share group, for the partitions it has read. */
  stats(groupId: string): SharePartitionStats[] {
    const prefix = `${groupId}\u0000`;
    const out: SharePartitionStats[] = [];
    for (const [key, share] of this.partitions) {
      if (!key.startsWith(prefix)) continue;
      const [topicId, partition] = key.slice(prefix.length).split(':');
      out.push({
        topic: this.topics.byId(topicId)?.name ?? topicId,
        partition: Number(partition),
        startOffset: share.startOffset,
        endOffset: share.endOffset,
        deadLettered: this.deadLettered.get(key) ?? 0,
        ...share.figures(),
      });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
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
      this.releaseAll(req.groupId, req.memberId);
      this.tieToConnection(step.session, req.connection);
    }

    const results = new Map<string, SharePartitionResult>();
    const resultFor = (p: SessionPartition): SharePartitionResult => {
      const key = sessionPartitionKey(p);
      let r = results.get(key);
      if (!r) results.set(key, (r = { ...p, errorCode: ErrorCode.NONE, acknowledgeErrorCode: ErrorCode.NONE, leaderEpoch: -1, records: NO_RECORDS, acquired: [] }));
      return r;
    };
    const acknowledged = mergeRequested(req.partitions)
      .filter((p) => p.acknowledgements.length > 0)
      .map(async (p) => (resultFor(p).acknowledgeErrorCode = await this.acknowledgePartition(req.groupId, req.memberId, p)));
    await Promise.all(acknowledged);
    if (step.final) {
      this.releaseAll(req.groupId, req.memberId);
      return { errorCode: ErrorCode.NONE, errorMessage: null, lockDurationMs, partitions: [...results.values()] };
    }
    // The first answer of a session names every partition it fetches from.
    if (step.opened) for (const p of step.session.partitions.values()) resultFor(p);

    const deadline = this.clock.now() + Math.min(Math.max(req.maxWaitMs, 0), this.config.fetchMaxWaitMs);
    for (;;) {
      const acquiredAny = this.acquireRound(req, [...step.session.partitions.values()], resultFor);
      const remaining = deadline - this.clock.now();
      if (acquiredAny || remaining <= 0 || req.maxRecords <= 0) break;
      await this.waitForRecords(req.groupId, [...step.session.partitions.values()], remaining);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, lockDurationMs, partitions: [...results.values()] };
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
    if (step.final) this.releaseAll(groupId, memberId);
    return { errorCode: ErrorCode.NONE, errorMessage: null, partitions: out };
  }

  /** Stops every timer, waits for state writes in flight and forgets all state (the broker is closing). */
  async close(): Promise<void> {
    for (const g of this.groups.values()) g.shutdown();
    for (const p of this.partitions.values()) p.close();
    this.groups.clear();
    this.partitions.clear();
    this.sessions.clear();
    for (const waiters of this.waiting.values()) for (const wake of waiters) wake();
    await Promise.all([this.store.settle(), ...this.deadLetterChains.values()]);
  }

  // ---- internals ------------------------------------------------------------------------------

  private createGroup(groupId: string): ShareGroup {
    const configs = this.broker.cluster.groupConfigs(groupId);
    const group = new ShareGroup(groupId, {
      clock: this.clock,
      heartbeatIntervalMs: Number(groupConfigValue(configs, 'share.heartbeat.interval.ms')),
      sessionTimeoutMs: Number(groupConfigValue(configs, 'share.session.timeout.ms')),
      topics: this.topics,
      log: this.log,
      onMemberGone: (gid, memberId, why) => {
        // A member that leaves still closes its session (librdkafka acknowledges after its leave heartbeat); a dead one never will.
        if (why === 'timed out') this.sessions.drop(gid, memberId);
        this.releaseAll(gid, memberId);
      },
    });
    this.groups.set(groupId, group);
    this.log.info({ group: groupId }, 'share group created');
    return group;
  }

  private acquireRound(req: ShareFetchInput, partitions: SessionPartition[], resultFor: (p: SessionPartition) => SharePartitionResult): boolean {
    let records = req.maxRecords;
    let bytes = req.maxBytes;
    let acquiredAny = false;
    for (const p of partitions) {
      if (records <= 0 || bytes <= 0) break;
      const topic = this.topics.byId(p.topicId);
      const partition = topic ? this.broker.partition(topic.name, p.partition) : undefined;
      if (!topic || !partition) {
        resultFor(p).errorCode = topic ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID;
        continue;
      }
      const share = this.sharePartition(req.groupId, p, partition);
      const got = acquireFromLog(partition, share, req.memberId, records, bytes, this.broker.cluster.topic(topic.name)?.configs ?? {});
      if (got.errorCode !== ErrorCode.NONE) {
        resultFor(p).errorCode = got.errorCode;
        continue;
      }
      if (got.acquired.length === 0) continue;
      const r = resultFor(p);
      r.leaderEpoch = partition.leaderEpoch;
      r.records = r.records.length === 0 ? got.records : Buffer.concat([r.records, got.records]);
      r.acquired.push(...got.acquired);
      for (const a of got.acquired) records -= a.lastOffset - a.firstOffset + 1;
      bytes -= got.records.length;
      acquiredAny = true;
    }
    return acquiredAny;
  }

  /** Applies one partition's acknowledgements and resolves once the new state is stored. */
  private async acknowledgePartition(groupId: string, memberId: string, p: SharePartitionRequest): Promise<number> {
    const share = this.partitions.get(partitionKey(groupId, p));
    if (!share) return ErrorCode.INVALID_RECORD_STATE;
    const errorCode = share.acknowledge(memberId, p.acknowledgements);
    if (errorCode !== ErrorCode.NONE) return errorCode;
    const topic = this.topics.byId(p.topicId);
    const leaderEpoch = (topic && this.broker.partition(topic.name, p.partition)?.leaderEpoch) ?? -1;
    try {
      await this.store.write({ groupId, topicId: p.topicId, partition: p.partition }, share.snapshot(), leaderEpoch);
      return ErrorCode.NONE;
    } catch (err) {
      this.log.error({ err, group: groupId, topicId: p.topicId, partition: p.partition }, 'share-partition state could not be stored; the acknowledgement may be lost in a restart');
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  /** Gives back whatever `memberId` holds in any partition of the group. */
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
        for (const s of this.sessions.dropConnection(connection)) this.releaseAll(s.groupId, s.memberId);
      },
      { once: true },
    );
  }

  private releaseAll(groupId: string, memberId: string): void {
    const prefix = `${groupId}\u0000`;
    for (const [key, share] of this.partitions) if (key.startsWith(prefix)) share.releaseMember(memberId);
  }

  private sharePartition(groupId: string, p: SessionPartition, partition: { logStartOffset: number; highWatermark: number }): SharePartition {
    const key = partitionKey(groupId, p);
    let share = this.partitions.get(key);
    if (share) return share;
    const configs = this.broker.cluster.groupConfigs(groupId);
    const opts = {
      clock: this.clock,
      lockDurationMs: this.lockDurationMsOf(groupId),
      deliveryCountLimit: Number(groupConfigValue(configs, 'share.delivery.count.limit')),
      maxInFlightRecords: this.config.shareMaxInFlightRecords,
      onAvailable: () => this.wake(groupId),
      onArchived: (first: number, last: number, reason: DeadLetter['reason'], deliveryCount: number) => {
        const topic = this.topics.byId(p.topicId)?.name;
        if (topic) this.deadLetter(key, { groupId, topic, partition: p.partition, first, last, reason, deliveryCount });
      },
    };
    const snapshot = this.stored.get(key);
    if (snapshot) {
      this.stored.delete(key);
      share = SharePartition.restore(snapshot, opts);
    } else {
      const reset = groupConfigValue(configs, 'share.auto.offset.reset');
      share = new SharePartition(reset === 'earliest' ? partition.logStartOffset : partition.highWatermark, opts);
    }
    this.partitions.set(key, share);
    return share;
  }

  /** Copies archived records to the group's dead-letter topic, if it has one. */
  private deadLetter(key: string, letter: DeadLetter): void {
    const dlqTopic = groupConfigValue(this.broker.cluster.groupConfigs(letter.groupId), 'errors.deadletterqueue.topic.name');
    if (dlqTopic === '') return;
    const copy = (this.deadLetterChains.get(dlqTopic) ?? Promise.resolve())
      .then(() => copyToDeadLetterTopic(this.broker, this.log, letter, dlqTopic))
      .then(
        (copied) => void this.deadLettered.set(key, (this.deadLettered.get(key) ?? 0) + copied),
        (err) => this.log.error({ err, ...letter, deadLetterTopic: dlqTopic }, 'archived records could not be copied to the dead-letter topic'),
      );
    this.deadLetterChains.set(dlqTopic, copy);
  }

  /** share.record.lock.duration.ms of the group (its config, else the default). */
  lockDurationMsOf(groupId: string): number {
    return Number(groupConfigValue(this.broker.cluster.groupConfigs(groupId), 'share.record.lock.duration.ms'));
  }

  /** Waits until new data reaches one of `partitions`, records of the group are given back, a delay ends, or `timeoutMs` passes. */
  private waitForRecords(groupId: string, partitions: SessionPartition[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancels: (() => void)[] = [];
      let waiters = this.waiting.get(groupId);
      if (!waiters) this.waiting.set(groupId, (waiters = new Set()));
      const done = () => {
        timer.cancel();
        for (const cancel of cancels) cancel();
        waiters.delete(done);
        resolve();
      };
      let wait = timeoutMs;
      const now = this.clock.now();
      for (const p of partitions) {
        const until = this.partitions.get(partitionKey(groupId, p))?.nextDelayEnd();
        if (until !== null && until !== undefined) wait = Math.min(wait, Math.max(until - now, 0));
        const topic = this.topics.byId(p.topicId);
        const partition = topic && this.broker.partition(topic.name, p.partition);
        if (partition) cancels.push(partition.onData(done));
      }
      const timer = this.clock.schedule(wait, done);
      waiters.add(done);
    });
  }

  private wake(groupId: string): void {
    for (const wake of [...(this.waiting.get(groupId) ?? [])]) wake();
  }
}

const partitionKey = (groupId: string, p: SessionPartition): string => `${groupId}\u0000${sessionPartitionKey(p)}`;

/** One entry per partition: a request may name a topic, or a partition, more than once (librdkafka 2.15 does). */
function mergeRequested(partitions: SharePartitionRequest[]): SharePartitionRequest[] {
  const merged = new Map<string, SharePartitionRequest>();
  for (const p of partitions) {
    const key = sessionPartitionKey(p);
    const seen = merged.get(key);
    if (seen) seen.acknowledgements = [...seen.acknowledgements, ...p.acknowledgements];
    else merged.set(key, { ...p, acknowledgements: [...p.acknowledgements] });
  }
  return [...merged.values()];
}
