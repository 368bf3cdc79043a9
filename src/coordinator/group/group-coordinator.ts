// The group coordinator: owns every group of this broker, classic (group.ts)
// and consumer-protocol (KIP-848, consumer/consumer-group.ts), and their
// committed offsets (through the OffsetStore), and answers the group APIs.
// A group is coordinated by the leader of its partition of __consumer_offsets:
// this broker loads a partition's groups and offsets when it becomes its
// leader (all of them at start-up on a single node) and drops them when it
// stops (members parked in a rebalance get NOT_COORDINATOR); requests for a
// group not loaded here answer NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS
// while loading), and clients find the new coordinator. One group id names one group
// of either type: an empty group changes type when a member of the other
// protocol joins it. Consumer-protocol groups live in memory only: after a
// restart their members get UNKNOWN_MEMBER_ID and rejoin; their offsets stay.
//
// Ownership: `groups` and everything inside a Group change only through this
// class's synchronous methods and the groups' own timers; the OffsetStore
// changes only when a write to __consumer_offsets commits. A group is in
// `groups` while it is alive; Dead groups are dropped at once.
//
// Offset retention (Kafka's offsets.retention.minutes, KIP-211): the offsets of
// an empty group expire offsetsRetentionMinutes after it became empty (for
// groups that never used group management: after each offset's commit), and
// the offsets of topics a Stable consumer group no longer subscribes to expire
// that long after their commit. An empty group left without offsets is deleted.

import type { Broker } from '../../broker/broker.js';
import type { TopicMetadata } from '../../cluster/control-plane.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { type Clock, systemClock } from '../../clock.js';
import { SERVER_ASSIGNORS, type ServerAssignor } from './consumer/assignor.js';
import { ConsumerGroup, type ConsumerGroupContext, type ConsumerMemberDescription, type NamedPartitions, namedPartitions } from './consumer/consumer-group.js';
import { type ConsumerHeartbeat, type ConsumerHeartbeatResult, heartbeatError, invalidHeartbeat } from './consumer/heartbeat-request.js';
import { encodeAssignment, encodeSubscription } from '../../protocol/consumer-protocol.js';
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js';
import { Group, type GroupContext, type GroupType, type JoinRequest, type MemberDescription, type SyncRequest } from './group.js';
import type { JoinResult, SyncResult } from './member.js';
import type { CommittedOffset, StoredGroup } from './offsets-log.js';
import { type OffsetEntry, OffsetStore } from './offset-store.js';
import { writeFailureCode } from '../not-coordinator-error.js';

/** Kafka's offset.metadata.max.bytes: longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
const MAX_METADATA_LENGTH = 4096;

export interface OffsetCommitEntry extends OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  /** Commit time (ms); -1 means now. */
  commitTimestamp: number;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface FetchedOffset extends OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  /** NONE, or UNSTABLE_OFFSET_COMMIT for a stable fetch of a partition with pending transactional offsets. */
  errorCode: number;
}

/** A group of either protocol; `type` tells which. */
export type AnyGroup = Group | ConsumerGroup;

/** Share groups (coordinator/share), which live beside these in one namespace of group ids. */
export interface ShareGroupsView {
  has(groupId: string): boolean;
  list(): { groupId: string; state: string }[];
}

const NO_SHARE_GROUPS: ShareGroupsView = { has: () => false, list: () => [] };

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  /** Classic states (Empty, PreparingRebalance, ...) or consumer-protocol ones (Empty, Assigning, Reconciling, Stable). */
  state: string;
  type: GroupType;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The chosen protocol (assignor) when Stable, else ""; a consumer-protocol group's server assignor. */
  protocolName: string;
  members: MemberDescription[];
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface ConsumerGroupDescription {
  groupId: string;
  /** NONE, or GROUP_ID_NOT_FOUND for an unknown or classic group. */
  errorCode: number;
  errorMessage: string | null;
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: (Omit<ConsumerMemberDescription, 'assignment' | 'targetAssignment'> & { assignment: NamedPartitions[]; targetAssignment: NamedPartitions[] })[];
}

export class GroupCoordinator {
  private readonly groups = new Map<string, AnyGroup>();
  private readonly offsets: OffsetStore;
  private readonly groupContext: GroupContext;
  private readonly consumerContext: ConsumerGroupContext;
  private readonly log: Logger;
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly config: BrokerConfig,
    log: Logger,
    clock: Clock = systemClock,
    private readonly shareGroups: ShareGroupsView = NO_SHARE_GROUPS,
  ) {
    this.log = log.child({ module: 'group-coordinator' });
    this.offsets = new OffsetStore(broker, config, this.log);
    this.groupContext = {
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      store: (group) => this.storeGroup(group),
      clock,
      log: this.log,
    };
    // resolveConfig accepts only names of SERVER_ASSIGNORS.
    const assignors = new Map<string, ServerAssignor>(config.groupConsumerAssignors.map((name) => [name, SERVER_ASSIGNORS.get(name)!]));
    const cluster = broker.cluster;
    const info = (t: TopicMetadata | undefined) => (t ? { topicId: t.topicId.toString('hex'), name: t.name, partitions: t.partitions.length } : undefined);
    this.consumerContext = {
      clock,
      heartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs,
      sessionTimeoutMs: config.groupConsumerSessionTimeoutMs,
      assignors,
      defaultAssignor: config.groupConsumerAssignors[0],
      topics: {
        byName: (name) => info(cluster.topic(name)),
        byId: (topicId) => info(cluster.topicById(Buffer.from(topicId, 'hex'))),
        all: () => cluster.topics().map((t) => info(t)!),
      },
      log: this.log,
    };
  }

  /**
   * Loads the groups of every partition of __consumer_offsets this broker
   * leads, and from now on follows their leadership; call before serving requests.
   */
  start(): void {
    // Per loading partition: the last group metadata record of each group (undefined: offsets only).
    const restoring = new Map<number, Map<string, StoredGroup | null | undefined>>();
    const restored = (partition: number) => {
      let stored = restoring.get(partition);
      if (!stored) restoring.set(partition, (stored = new Map()));
      return stored;
    };
    this.offsets.start({
      group: (partition, groupId, value) => void restored(partition).set(groupId, value),
      offsets: (partition, groupId) => {
        const stored = restored(partition);
        if (!stored.has(groupId)) stored.set(groupId, undefined);
      },
      loaded: (partition) => {
        for (const [groupId, value] of restoring.get(partition) ?? []) {
          if (value) this.groups.set(groupId, Group.restore(groupId, value, this.groupContext));
          // A group known by its offsets alone (its metadata deleted or never written) exists, empty.
          else if (this.offsets.offsetsOf(groupId).size > 0 && !this.groups.has(groupId)) this.createGroup(groupId);
        }
        restoring.delete(partition);
      },
      unload: (partition) => {
        restoring.delete(partition);
        for (const group of [...this.groups.values()]) {
          if (this.offsets.partitionOf(group.groupId) !== partition) continue;
          group.shutdown();
          this.groups.delete(group.groupId);
        }
      },
    });
    this.expiryTimer = setInterval(() => this.expireOffsets(), this.config.retentionCheckIntervalMs);
    this.expiryTimer.unref();
  }

  /**
   * Creates __consumer_offsets unless it exists. FindCoordinator calls this for
   * a group key, as Kafka creates the topic on the first group lookup; writes
   * call it too.
   */
  ensureOffsetsTopic(): Promise<void> {
    return this.offsets.ensureTopic();
  }

  /**
   * Stops every timer (requests still parked get NOT_COORDINATOR) and waits
   * for writes to __consumer_offsets in flight; call before closing the broker.
   */
  async close(): Promise<void> {
    this.offsets.stop();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.expiryTimer = null;
    for (const group of this.groups.values()) group.shutdown();
    this.groups.clear();
    await this.offsets.settle();
  }

  /** NONE when `groupId` is coordinated here, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  coordinatorError(groupId: string): number {
    return this.offsets.ownership(groupId);
  }

  // ---- membership -----------------------------------------------------------------------------

  join(groupId: string, req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number) =>
      Promise.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leaderId: '', memberId: req.memberId, members: [] });
    if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return fail(notHere);
    if (this.shareGroups.has(groupId)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.groups.get(groupId);
    // An empty consumer-protocol group becomes a classic one; a live one takes classic consumers as members (KIP-848).
    if (group?.type === 'consumer' && group.state === 'Empty') group = this.replaceGroup(group, new Group(groupId, this.groupContext));
    if (group?.type === 'consumer') {
      return Promise.resolve(req.protocolType === CONSUMER_PROTOCOL_TYPE && req.protocols.length > 0 ? group.classicJoin(req) : fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (!group) {
      if (req.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      group = this.createGroup(groupId);
    }
    return group.join(req);
  }

  sync(groupId: string, req: SyncRequest): Promise<SyncResult> {
    if (groupId === '') return Promise.resolve({ errorCode: ErrorCode.INVALID_GROUP_ID, assignment: Buffer.alloc(0) });
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return Promise.resolve({ errorCode: notHere, assignment: Buffer.alloc(0) });
    const group = this.groups.get(groupId);
    if (!group) return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    return group.type === 'classic' ? group.sync(req) : Promise.resolve(group.classicSync(req));
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    return group.type === 'classic' ? group.heartbeat(memberId, groupInstanceId, generationId) : group.classicHeartbeat(memberId, groupInstanceId, generationId);
  }

  /**
   * ConsumerGroupHeartbeat (KIP-848). A first heartbeat (epoch 0) creates the
   * group, or turns a classic group into a consumer-protocol one: an empty
   * one, or a Stable one of consumers, whose members stay as classic members
   * (online migration). Other classic groups answer GROUP_ID_NOT_FOUND, as
   * Kafka when it cannot migrate a group. Any other epoch for a group this
   * broker does not run under the consumer protocol answers UNKNOWN_MEMBER_ID,
   * so that members of a group lost in a restart rejoin.
   */
  consumerGroupHeartbeat(groupId: string, req: ConsumerHeartbeat, apiVersion: number): ConsumerHeartbeatResult {
    const invalid = invalidHeartbeat(groupId, req, apiVersion, this.consumerContext.assignors);
    if (invalid) return invalid;
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return heartbeatError(notHere, `This broker does not coordinate group ${groupId}.`, req);
    if (this.shareGroups.has(groupId)) return heartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is a share group, not a consumer group.`, req);
    let group = this.groups.get(groupId);
    if (group?.type !== 'consumer') {
      const upgradable = group?.state === 'Stable' && group.protocolType === CONSUMER_PROTOCOL_TYPE;
      if (group && group.state !== 'Empty' && !upgradable) return heartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`, req);
      if (req.memberEpoch !== 0) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${groupId}.`, req);
      const created = group && upgradable ? ConsumerGroup.fromClassic(group, this.consumerContext) : new ConsumerGroup(groupId, this.consumerContext);
      group = group ? this.replaceGroup(group, created) : created;
      this.groups.set(groupId, group);
    }
    return group.heartbeat(req);
  }

  /** ConsumerGroupDescribe (KIP-848) for one group. */
  describeConsumerGroup(groupId: string): ConsumerGroupDescription {
    const group = this.groups.get(groupId);
    const notHere = this.coordinatorError(groupId);
    if (group?.type !== 'consumer' || notHere !== ErrorCode.NONE) {
      const errorMessage = notHere !== ErrorCode.NONE ? `This broker does not coordinate group ${groupId}.` : group ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`;
      return { groupId, errorCode: notHere !== ErrorCode.NONE ? notHere : ErrorCode.GROUP_ID_NOT_FOUND, errorMessage, state: 'Dead', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] };
    }
    return {
      groupId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      state: group.state,
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      assignorName: group.assignorName,
      members: group.describeMembers().map((m) => ({
        ...m,
        assignment: namedPartitions(m.assignment, this.consumerContext.topics),
        targetAssignment: namedPartitions(m.targetAssignment, this.consumerContext.topics),
      })),
    };
  }

  /** LeaveGroup: a group-level error code, and one per member. */
  leave(groupId: string, members: MemberIdentity[]): { errorCode: number; members: (MemberIdentity & { errorCode: number })[] } {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, members: [] };
    const group = this.groups.get(groupId);
    return {
      errorCode: ErrorCode.NONE,
      members: members.map((m) => {
        let errorCode: number = ErrorCode.UNKNOWN_MEMBER_ID;
        if (group?.type === 'classic') errorCode = group.leave(m.memberId, m.groupInstanceId);
        else if (group?.type === 'consumer') errorCode = group.classicLeave(m.memberId, m.groupInstanceId);
        return { ...m, errorCode };
      }),
    };
  }

  // ---- offsets --------------------------------------------------------------------------------

  /** OffsetCommit: one error code per entry, in order. Resolves once the offsets are durable. */
  async commitOffsets(
    groupId: string,
    member: MemberIdentity & { generationId: number },
    entries: OffsetCommitEntry[],
  ): Promise<number[]> {
    const group = this.groups.get(groupId);
    let groupError: number = this.coordinatorError(groupId);
    if (groupError !== ErrorCode.NONE) return entries.map(() => groupError);
    if (group) groupError = this.commitError(group, member);
    // No group: a commit without group management creates one; a generation means the member is stale.
    else groupError = member.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (groupError !== ErrorCode.NONE) return entries.map(() => groupError);
    const { errors, valid } = this.checkEntries(entries);
    if (valid.length === 0) return errors;
    if (!group) this.createGroup(groupId);
    try {
      await this.offsets.commit(groupId, valid);
    } catch (err) {
      this.log.error({ err, group: groupId }, 'offset commit could not be written');
      return errors.map((e) => (e === ErrorCode.NONE ? writeFailureCode(err) : e));
    }
    // The group may have been deleted while the commit was written: its offsets bring it back, as on a restart.
    if (!this.groups.has(groupId)) this.createGroup(groupId);
    return errors;
  }

  /** One error code per entry (unknown partition, metadata too large) and the entries that may be stored. */
  private checkEntries(entries: OffsetCommitEntry[]): { errors: number[]; valid: (OffsetEntry & { value: CommittedOffset })[] } {
    const errors = entries.map((e) => {
      const topic = this.broker.cluster.topic(e.topic);
      if (!topic || e.partition < 0 || e.partition >= topic.partitions.length) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (e.metadata !== null && e.metadata.length > MAX_METADATA_LENGTH) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return ErrorCode.NONE;
    });
    const now = Date.now();
    const valid = entries
      .filter((_, i) => errors[i] === ErrorCode.NONE)
      .map((e) => ({
        topic: e.topic,
        partition: e.partition,
        value: { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata ?? '', commitTimestamp: e.commitTimestamp < 0 ? now : e.commitTimestamp },
      }));
    return { errors, valid };
  }

  /**
   * TxnOffsetCommit's check (KIP-447): when the producer names a generation,
   * it must be the group's current one for that member; NONE when it may commit.
   */
  transactionalCommitError(groupId: string, member: MemberIdentity & { generationId: number }): number {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const group = this.groups.get(groupId);
    if (!group || member.generationId < 0) return ErrorCode.NONE;
    return this.commitError(group, member);
  }

  /** A classic member's generation, or a consumer-protocol member's epoch (OffsetCommit v9+, KIP-848). */
  private commitError(group: AnyGroup, member: MemberIdentity & { generationId: number }): number {
    return group.type === 'classic'
      ? group.commitError(member.memberId, member.groupInstanceId, member.generationId)
      : group.memberEpochError(member.memberId, member.generationId);
  }

  /**
   * OffsetFetch v9+ from a consumer-protocol member (KIP-848): NONE when it may
   * read the group's offsets, else UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH. A
   * fetch without a member epoch (-1: admin tools, classic members) is always allowed.
   */
  fetchOffsetsError(groupId: string, memberId: string | null, memberEpoch: number): number {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const group = this.groups.get(groupId);
    if (group?.type !== 'consumer' || memberEpoch < 0) return ErrorCode.NONE;
    return group.memberEpochError(memberId ?? '', memberEpoch);
  }

  /**
   * TxnOffsetCommit: writes the offsets to the group's partition of
   * __consumer_offsets as a transactional batch of the producer (the
   * transaction coordinator checked that the partition is in its transaction).
   * One error code per entry, in order; resolves once the batch is committed.
   * The offsets become visible only when the transaction's COMMIT marker is
   * committed (writeTxnMarker, or replay at start-up).
   */
  async commitTransactionalOffsets(groupId: string, producerId: number, producerEpoch: number, entries: OffsetCommitEntry[]): Promise<number[]> {
    const { errors, valid } = this.checkEntries(entries);
    if (valid.length === 0) return errors;
    try {
      await this.offsets.commitTransactional(groupId, producerId, producerEpoch, valid);
    } catch (err) {
      this.log.error({ err, group: groupId }, 'transactional offset commit could not be written');
      return errors.map((e) => (e === ErrorCode.NONE ? writeFailureCode(err) : e));
    }
    return errors;
  }

  /** The partition of __consumer_offsets holding `groupId` (the topic must exist). */
  offsetsPartitionOf(groupId: string): number {
    return this.offsets.partitionOf(groupId);
  }

  /**
   * Appends a transaction marker to partition `index` of __consumer_offsets
   * (the transaction coordinator's EndTxn); resolves once it is committed and
   * the producer's pending offsets there are applied (commit) or dropped (abort).
   */
  async writeTxnMarker(index: number, batch: Buffer, producerId: number, commit: boolean): Promise<void> {
    const applied = await this.offsets.writeMarker(index, batch, producerId, commit);
    // Offsets bring their group back, as on a restart.
    for (const groupId of applied) if (!this.groups.has(groupId)) this.createGroup(groupId);
  }

  /**
   * Resolves once every offset write for `groupId` accepted so far is applied
   * or failed. OffsetFetch waits for it: Kafka handles a connection's requests
   * one at a time, so a client that sends OffsetFetch right behind its
   * OffsetCommit (librdkafka's commit() then committed()) reads that commit.
   */
  offsetWritesSettled(groupId: string): Promise<void> {
    return this.offsets.settled(groupId);
  }

  /**
   * OffsetFetch for one group: the requested partitions, or every committed
   * one when `topics` is null. With `requireStable` (v7+), a partition with
   * transactional offsets not yet committed or aborted gets
   * UNSTABLE_OFFSET_COMMIT (the client retries); otherwise the last committed
   * offset is returned, as Kafka.
   */
  fetchOffsets(groupId: string, topics: TopicPartitions[] | null, requireStable = false): FetchedOffset[] {
    const out: FetchedOffset[] = [];
    const found = (topic: string, partition: number, o: CommittedOffset | undefined) => {
      if (requireStable && this.offsets.hasPending(groupId, topic, partition)) {
        out.push({ topic, partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
      } else {
        out.push({ topic, partition, offset: o?.offset ?? -1, leaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE });
      }
    };
    if (topics === null) {
      for (const [topic, partitions] of this.offsets.offsetsOf(groupId)) {
        for (const [partition, o] of partitions) found(topic, partition, o);
      }
    } else {
      for (const t of topics) for (const p of t.partitions) found(t.topic, p, this.offsets.get(groupId, t.topic, p));
    }
    return out;
  }

  /** The groups with a committed offset, members or not. */
  groupsWithOffsets(): string[] {
    return [...this.offsets.groupIds()];
  }

  /** The groups with a committed offset on some partition of `topic`, sorted by id. */
  groupsWithOffsetsOn(topic: string): string[] {
    return [...this.offsets.groupIds()].filter((groupId) => this.offsets.offsetsOf(groupId).has(topic)).sort();
  }

  /**
   * OffsetDelete (KIP-496): only offsets of topics the group does not
   * subscribe to, or any offset of an empty group.
   */
  async deleteOffsets(groupId: string, topics: TopicPartitions[]): Promise<{ errorCode: number; results: (OffsetEntry & { errorCode: number })[] }> {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, results: [] };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, results: [] };
    const empty = group.state === 'Empty';
    const subscribed = group.subscribedTopics();
    if (!empty && subscribed === null) return { errorCode: ErrorCode.NON_EMPTY_GROUP, results: [] };
    const results: (OffsetEntry & { errorCode: number })[] = [];
    const doomed: OffsetEntry[] = [];
    for (const t of topics) {
      const exists = this.broker.cluster.topic(t.topic) !== undefined;
      for (const partition of t.partitions) {
        let errorCode: number = ErrorCode.NONE;
        if (!exists) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (!empty && subscribed!.has(t.topic)) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else if (this.offsets.get(groupId, t.topic, partition)) doomed.push({ topic: t.topic, partition });
        results.push({ topic: t.topic, partition, errorCode });
      }
    }
    try {
      await this.offsets.delete(groupId, doomed, false);
    } catch (err) {
      this.log.error({ err, group: groupId }, 'offset tombstones could not be written');
      return { errorCode: writeFailureCode(err), results: [] };
    }
    return { errorCode: ErrorCode.NONE, results };
  }

  // ---- admin ----------------------------------------------------------------------------------

  /** The rebalance protocol group `groupId` runs here, or null when there is no such group. */
  typeOf(groupId: string): 'classic' | 'consumer' | null {
    return this.groups.get(groupId)?.type ?? null;
  }

  /**
   * ListGroups: `states` (v4+, KIP-518) and `types` (v5+, KIP-848) each filter
   * by name, case-insensitively, when not empty; unknown names match nothing.
   */
  listGroups(states: string[] = [], types: string[] = []): GroupOverview[] {
    const wantedStates = new Set(states.map((s) => s.trim().toLowerCase()));
    const wantedTypes = new Set(types.map((t) => t.toLowerCase()));
    const all: GroupOverview[] = [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, type: g.type }));
    for (const g of this.shareGroups.list()) all.push({ groupId: g.groupId, protocolType: 'share', state: g.state, type: 'share' });
    return all.filter((g) => (wantedStates.size === 0 || wantedStates.has(g.state.toLowerCase())) && (wantedTypes.size === 0 || wantedTypes.has(g.type)));
  }

  /**
   * DescribeGroups for one group; an unknown group is described as Dead with no
   * members, as Kafka. A consumer-protocol group shows its server assignor as the
   * protocol and each member's subscription and assignment in the classic
   * consumer layouts.
   */
  describeGroup(groupId: string): GroupDescription {
    const g = this.groups.get(groupId);
    if (!g) return { groupId, state: 'Dead', protocolType: '', protocolName: '', members: [] };
    if (g.type === 'consumer') {
      return {
        groupId,
        state: g.state,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: g.assignorName,
        members: g.describeMembers().map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: m.classicMetadata ?? encodeSubscription({ version: 0, topics: m.subscribedTopicNames, userData: null, ownedPartitions: [] }),
          assignment: encodeAssignment({
            version: 0,
            partitions: namedPartitions(m.assignment, this.consumerContext.topics).map((t) => ({ topic: t.topicName, partitions: t.partitions })),
            userData: null,
          }),
        })),
      };
    }
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocolName: g.state === 'Stable' ? (g.protocolName ?? '') : '',
      members: g.describeMembers(),
    };
  }

  /** DeleteGroups for one group: only an empty group can go; its offsets and metadata get tombstones. */
  async deleteGroup(groupId: string): Promise<number> {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    group.shutdown();
    this.groups.delete(groupId);
    try {
      await this.offsets.delete(groupId, this.allOffsets(groupId), true);
    } catch (err) {
      this.log.error({ err, group: groupId }, 'group tombstones could not be written');
      return writeFailureCode(err);
    }
    this.log.info({ group: groupId }, 'group deleted');
    return ErrorCode.NONE;
  }

  // ---- retention ------------------------------------------------------------------------------

  /**
   * Writes tombstones for expired offsets as of `now` and deletes empty groups
   * left without offsets. Returns the number of offsets expired. Runs every
   * retentionCheckIntervalMs.
   */
  expireOffsets(now = Date.now()): number {
    const retentionMs = this.config.offsetsRetentionMinutes * 60_000;
    let expired = 0;
    for (const group of [...this.groups.values()]) {
      const doomed: OffsetEntry[] = [];
      let total = 0;
      const subscribed = group.state === 'Stable' && group.protocolType === CONSUMER_PROTOCOL_TYPE ? group.subscribedTopics() : null;
      for (const [topic, partitions] of this.offsets.offsetsOf(group.groupId)) {
        for (const [partition, o] of partitions) {
          total++;
          let since: number | null = null;
          if (group.state === 'Empty') since = group.protocolType !== null ? group.currentStateTimestamp : o.commitTimestamp;
          else if (subscribed !== null && !subscribed.has(topic)) since = o.commitTimestamp;
          if (since !== null && now - since >= retentionMs) doomed.push({ topic, partition });
        }
      }
      const dead = group.state === 'Empty' && doomed.length === total;
      if (doomed.length === 0 && !dead) continue;
      expired += doomed.length;
      if (dead) {
        group.shutdown();
        this.groups.delete(group.groupId);
      }
      this.offsets.delete(group.groupId, doomed, dead).then(
        () => this.log.info({ group: group.groupId, offsets: doomed.length, groupDeleted: dead }, 'expired committed offsets'),
        (err) => this.log.error({ err, group: group.groupId }, 'offset expiry could not write tombstones'),
      );
    }
    return expired;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A group changing protocol: the old one stops, the new one takes its id (offsets are the group id's, and stay). */
  private replaceGroup<G extends AnyGroup>(old: AnyGroup, next: G): G {
    old.shutdown();
    this.groups.set(old.groupId, next);
    this.log.info({ group: old.groupId, from: old.type, to: next.type }, 'empty group changes its rebalance protocol');
    return next;
  }

  private createGroup(groupId: string): Group {
    const group = new Group(groupId, this.groupContext);
    this.groups.set(groupId, group);
    return group;
  }

  private allOffsets(groupId: string): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const [topic, partitions] of this.offsets.offsetsOf(groupId)) for (const partition of partitions.keys()) out.push({ topic, partition });
    return out;
  }

  private storeGroup(group: Group): void {
    this.offsets
      .storeGroup(group.groupId, group.stored())
      .catch((err) => this.log.error({ err, group: group.groupId }, 'group metadata could not be written'));
  }
}
