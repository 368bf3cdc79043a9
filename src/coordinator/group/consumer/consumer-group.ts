// One group under the consumer rebalance protocol (KIP-848): the coordinator
// assigns partitions itself and each member converges on its share through
// its own heartbeats; there is no group-wide barrier as in the classic protocol.
//
// Epochs:
//   groupEpoch       grows whenever membership, a subscription or the partitions
//                    of a subscribed topic change;
//   assignmentEpoch  the group epoch the target assignment was computed for; a
//                    heartbeat that finds groupEpoch > assignmentEpoch recomputes it;
//   memberEpoch      the target epoch a member has reconciled to (reconciliation.ts).
//
// State (derived, as Kafka): Empty (no members), Assigning (target behind the
// group epoch), Reconciling (some member not yet at the target), Stable.
//
// Invariants:
//   - `owners` maps every partition some member holds (assigned or pending
//     revocation) to that member, and no partition has two holders;
//   - every member has an entry in `target` once an assignment was computed with it;
//   - a member in unrevoked-partitions has a revocation timer; every member has
//     a session timer (fired timers remove the member and bump the group epoch).
// Every method is synchronous; timers call back into the same transitions.
//
// Classic members (KIP-848 online migration): consumers still on the classic
// protocol may be members too. Their JoinGroup is a full heartbeat (the
// subscription and, from cooperative clients, the owned partitions come from
// the ConsumerProtocolSubscription) answered at once with the member epoch as
// the generation and no leader; SyncGroup hands out the assignment in the
// classic layout; Heartbeat answers REBALANCE_IN_PROGRESS whenever the member
// must rejoin to move on (a newer group epoch, partitions to revoke, or
// partitions it waited for now free). A live classic group of consumers
// becomes a consumer-protocol group when a consumer-protocol member joins it
// (fromClassic); its members carry on as classic members.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../logger.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, type TopicPartitions } from '../../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import type { Clock } from '../../../clock.js';
import type { Group, JoinRequest, SyncRequest } from '../group.js';
import type { JoinResult, SyncResult } from '../member.js';
import type { ServerAssignor } from './assignor.js';
import { ConsumerMember, LEAVE_EPOCH, STATIC_LEAVE_EPOCH } from './consumer-member.js';
import { type ConsumerHeartbeat, type ConsumerHeartbeatResult, heartbeatError, topicRegex } from './heartbeat-request.js';
import { type PartitionSet, add, entries, equals, has, isSubset, toList, union } from './partition-set.js';
import { reconcile } from './reconciliation.js';

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

export interface TopicInfo {
  topicId: string;
  name: string;
  partitions: number;
}

/** The topics of the cluster as the group needs them; read on every heartbeat, so new topics and partitions are seen. */
export interface TopicView {
  byName(name: string): TopicInfo | undefined;
  byId(topicId: string): TopicInfo | undefined;
  all(): Iterable<TopicInfo>;
}

export interface ConsumerGroupContext {
  clock: Clock;
  /** group.consumer.heartbeat.interval.ms, sent to every member. */
  heartbeatIntervalMs: number;
  /** group.consumer.session.timeout.ms. */
  sessionTimeoutMs: number;
  /** The assignors the group may use by name; `defaultAssignor` when no member names one. */
  assignors: ReadonlyMap<string, ServerAssignor>;
  defaultAssignor: string;
  topics: TopicView;
  log: Logger;
}

/** Partitions of one topic, by id and by name. */
export interface NamedPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

/** `set` with topic names beside the ids; partitions of topics deleted since are left out. */
export function namedPartitions(set: PartitionSet, topics: TopicView): NamedPartitions[] {
  const out: NamedPartitions[] = [];
  for (const t of toList(set)) {
    const topic = topics.byId(t.topicId);
    if (topic) out.push({ topicId: t.topicId, topicName: topic.name, partitions: t.partitions });
  }
  return out;
}

export interface ConsumerMemberDescription {
  memberId: string;
  /** The subscription a classic member sent in JoinGroup; null for consumer-protocol members. */
  classicMetadata: Buffer | null;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: PartitionSet;
  targetAssignment: PartitionSet;
}

export class ConsumerGroup {
  readonly type = 'consumer' as const;
  readonly protocolType = 'consumer';
  groupEpoch = 0;
  assignmentEpoch = 0;
  /** The assignor of the last target computed. */
  assignorName: string;
  /** When the group last became empty (or was created), for offset retention (ms). */
  currentStateTimestamp: number;
  private dead = false;
  readonly members = new Map<string, ConsumerMember>();
  /** instance id -> member id of the static member holding it. */
  private readonly staticMembers = new Map<string, string>();
  private target = new Map<string, PartitionSet>();
  /** "topicId:partition" -> member id holding it. */
  private readonly owners = new Map<string, string>();
  /** The subscribed topics and their partition counts the current group epoch was computed with. */
  private subscriptionSignature = '';
  /** Every topic name and regex some member subscribes to; null after a membership or subscription change. */
  private subscriptions: { names: Set<string>; regexes: RegExp[] } | null = null;

  constructor(
    readonly groupId: string,
    private readonly ctx: ConsumerGroupContext,
  ) {
    this.assignorName = ctx.defaultAssignor;
    this.currentStateTimestamp = ctx.clock.now();
  }

  /**
   * The consumer-protocol group a Stable classic group of consumers becomes
   * when a consumer-protocol member joins it: its members stay, as classic
   * members at the group's generation, with the assignment its leader gave
   * them as their target. The caller shuts the classic group down.
   */
  static fromClassic(classic: Group, ctx: ConsumerGroupContext): ConsumerGroup {
    const group = new ConsumerGroup(classic.groupId, ctx);
    group.groupEpoch = group.assignmentEpoch = classic.generationId;
    for (const m of classic.members.values()) {
      const member = new ConsumerMember(m.memberId, m.groupInstanceId);
      member.classic = { protocols: m.protocols, sessionTimeoutMs: m.sessionTimeoutMs };
      member.clientId = m.clientId;
      member.clientHost = m.clientHost;
      member.rebalanceTimeoutMs = m.rebalanceTimeoutMs;
      member.subscribedTopicNames = [...new Set(decodeSubscription(m.metadataFor(classic.protocolName)).topics)].sort();
      const assigned = group.byTopicId(m.assignment.length === 0 ? [] : decodeAssignment(m.assignment).partitions);
      member.assignment = { state: 'stable', memberEpoch: classic.generationId, assigned, pendingRevocation: new Map() };
      group.members.set(member.memberId, member);
      if (member.instanceId !== null) group.staticMembers.set(member.instanceId, member.memberId);
      group.target.set(member.memberId, assigned);
      group.setHoldings(member, new Map(), assigned);
      group.scheduleSession(member);
    }
    group.subscriptionSignature = group.computeSubscriptionSignature();
    ctx.log.info({ group: group.groupId, members: group.members.size, generation: classic.generationId }, 'classic group upgraded to the consumer protocol');
    return group;
  }

  get state(): ConsumerGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) {
      if (m.assignment.state !== 'stable' || m.memberEpoch !== this.assignmentEpoch) return 'Reconciling';
    }
    return 'Stable';
  }

  // ---- heartbeat ------------------------------------------------------------------------------

  /**
   * One ConsumerGroupHeartbeat, already validated on its own (heartbeat-request.ts).
   * A v0 member joining without an id gets one from the coordinator (from v1 the member makes its own, KIP-1082).
   */
  heartbeat(request: ConsumerHeartbeat): ConsumerHeartbeatResult {
    const req = request.memberId === '' ? { ...request, memberId: randomUUID() } : request;
    if (this.dead) return heartbeatError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The group is being deleted.', req);
    if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(req);

    const found = this.findOrCreateMember(req);
    if ('errorCode' in found) return found;
    const { member, fresh } = found;
    const before = member.assignment.assigned;
    this.updateMember(member, req);
    this.advance(member, this.setSubscription(member, req.subscribedTopicNames, req.subscribedTopicRegex) || fresh, req.ownedPartitions);

    const full = req.memberEpoch === 0 || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.ownedPartitions !== null);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.ctx.heartbeatIntervalMs,
      assignment: full || !equals(before, member.assignment.assigned) ? toList(member.assignment.assigned) : null,
    };
  }

  /**
   * After a member's update: a new group epoch when it is new or its
   * subscription changed or the subscribed topics' partitions changed, a new
   * target when the group epoch passed it, then the member's reconciliation.
   */
  private advance(member: ConsumerMember, changed: boolean, owned: PartitionSet | null): void {
    const signature = this.computeSubscriptionSignature();
    if (changed || signature !== this.subscriptionSignature) this.groupEpoch++;
    this.subscriptionSignature = signature;
    if (this.groupEpoch > this.assignmentEpoch) this.computeTarget();
    this.reconcileMember(member, owned);
    this.scheduleSession(member);
  }

  /**
   * The member the heartbeat is from: existing (its epoch checked), new
   * (epoch 0), or a static member taking over its instance id from a
   * previous member that left temporarily (epoch -2). `fresh`: new or taking over.
   */
  private findOrCreateMember(req: ConsumerHeartbeat): { member: ConsumerMember; fresh: boolean } | ConsumerHeartbeatResult {
    if (req.instanceId !== null) {
      const holderId = this.staticMembers.get(req.instanceId);
      const holder = holderId === undefined ? undefined : this.members.get(holderId);
      // A new instance, or the same one back from a temporary leave, takes over the holder's place.
      if (req.memberEpoch === 0 && holder !== undefined && (holder.memberId !== req.memberId || holder.memberEpoch === STATIC_LEAVE_EPOCH)) {
        if (holder.memberEpoch !== STATIC_LEAVE_EPOCH) {
          return heartbeatError(ErrorCode.UNRELEASED_INSTANCE_ID, `Instance id ${req.instanceId} is owned by member ${holder.memberId}.`, req);
        }
        return { member: this.replaceStaticMember(holder, req.memberId), fresh: true };
      }
      if (req.memberEpoch !== 0) {
        if (holder === undefined) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`, req);
        if (holder.memberId !== req.memberId) return heartbeatError(ErrorCode.FENCED_INSTANCE_ID, `Instance id ${req.instanceId} was fenced by member ${holder.memberId}.`, req);
      }
    }
    const member = this.members.get(req.memberId);
    if (member === undefined) {
      if (req.memberEpoch !== 0) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.groupId}.`, req);
      return { member: this.addMember(req.memberId, req.instanceId), fresh: true };
    }
    if (member.classic !== null) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} uses the classic protocol.`, req);
    const error = this.epochError(member, req.memberEpoch, req.ownedPartitions);
    return error === null ? { member, fresh: false } : heartbeatError(ErrorCode.FENCED_MEMBER_EPOCH, error, req);
  }

  private addMember(memberId: string, instanceId: string | null): ConsumerMember {
    const member = new ConsumerMember(memberId, instanceId);
    this.members.set(memberId, member);
    this.subscriptions = null;
    if (instanceId !== null) this.staticMembers.set(instanceId, memberId);
    this.ctx.log.info({ group: this.groupId, member: memberId, instanceId }, 'member joins the consumer group');
    return member;
  }

  /**
   * A heartbeat's epoch must be the member's; the previous one is accepted while
   * the member owns no more than it is assigned, since the response that carried
   * the new epoch may have been lost.
   */
  private epochError(member: ConsumerMember, epoch: number, owned: PartitionSet | null): string | null {
    if (epoch > member.memberEpoch) return `The member has a greater epoch (${epoch}) than the coordinator's (${member.memberEpoch}); it must rejoin.`;
    if (epoch < member.memberEpoch && (epoch !== member.previousMemberEpoch || owned === null || !isSubset(owned, member.assignment.assigned))) {
      return `The member has a smaller epoch (${epoch}) than the coordinator's (${member.memberEpoch}); it must rejoin.`;
    }
    return null;
  }

  /** A restarted static member takes over the leaving one's subscription, assignment and target (KIP-848). */
  private replaceStaticMember(old: ConsumerMember, memberId: string): ConsumerMember {
    const member = new ConsumerMember(memberId, old.instanceId);
    member.subscribedTopicNames = old.subscribedTopicNames;
    member.subscribedTopicRegex = old.subscribedTopicRegex;
    member.serverAssignor = old.serverAssignor;
    member.rackId = old.rackId;
    member.assignment = { state: 'stable', memberEpoch: 0, assigned: old.assignment.assigned, pendingRevocation: new Map() };
    old.cancelTimers();
    this.members.delete(old.memberId);
    this.members.set(memberId, member);
    this.subscriptions = null;
    this.staticMembers.set(old.instanceId!, memberId);
    const target = this.target.get(old.memberId);
    this.target.delete(old.memberId);
    if (target) this.target.set(memberId, target);
    this.setHoldings(old, ConsumerGroup.holdings(old), new Map());
    this.setHoldings(member, new Map(), member.assignment.assigned);
    this.ctx.log.info({ group: this.groupId, member: memberId, replaced: old.memberId, instanceId: old.instanceId }, 'static member rejoins the consumer group');
    return member;
  }

  /** Applies the fields the heartbeat carries (those it leaves null or -1 stay). */
  private updateMember(member: ConsumerMember, req: ConsumerHeartbeat): void {
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    if (req.rackId !== null) member.rackId = req.rackId;
    if (req.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.serverAssignor !== null) member.serverAssignor = req.serverAssignor;
  }

  /** Sets what is not null; true when the subscription changed (a new group epoch). An empty regex clears it, as in Kafka. */
  private setSubscription(member: ConsumerMember, topicNames: string[] | null, topicRegex: string | null): boolean {
    let changed = false;
    if (topicNames !== null) {
      const names = [...new Set(topicNames)].sort();
      if (names.join('\0') !== member.subscribedTopicNames.join('\0')) changed = true;
      member.subscribedTopicNames = names;
    }
    if (topicRegex !== null) {
      const regex = topicRegex === '' ? null : topicRegex;
      if (regex !== member.subscribedTopicRegex) changed = true;
      member.subscribedTopicRegex = regex;
    }
    if (changed) this.subscriptions = null;
    return changed;
  }

  // ---- leaving --------------------------------------------------------------------------------

  /**
   * Epoch -1: the member leaves and its partitions are free at once. Epoch -2
   * (static members): it keeps its assignment for a session timeout, so a
   * restarted instance picks it up without a rebalance.
   */
  private leave(req: ConsumerHeartbeat): ConsumerHeartbeatResult {
    const member = req.instanceId !== null ? this.members.get(this.staticMembers.get(req.instanceId) ?? '') : this.members.get(req.memberId);
    if (member === undefined) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${this.groupId}.`, req);
    if (member.memberId !== req.memberId) return heartbeatError(ErrorCode.FENCED_INSTANCE_ID, `Instance id ${req.instanceId} was fenced by member ${member.memberId}.`, req);
    const result = { errorCode: ErrorCode.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
    if (req.memberEpoch === STATIC_LEAVE_EPOCH) {
      member.previousMemberEpoch = member.memberEpoch;
      member.assignment = { ...member.assignment, memberEpoch: STATIC_LEAVE_EPOCH };
      member.revocationTimer?.cancel();
      member.revocationTimer = null;
      this.scheduleSession(member);
      this.ctx.log.info({ group: this.groupId, member: member.memberId, instanceId: member.instanceId }, 'static member leaves the consumer group temporarily');
      return result;
    }
    this.removeMember(member, 'left the group');
    return result;
  }

  /** Drops a member (left, session expired, or did not revoke in time): its partitions are free and the group epoch grows. */
  removeMember(member: ConsumerMember, reason: string): void {
    if (this.members.get(member.memberId) !== member) return;
    member.cancelTimers();
    this.setHoldings(member, ConsumerGroup.holdings(member), new Map());
    this.members.delete(member.memberId);
    this.subscriptions = null;
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === member.memberId) this.staticMembers.delete(member.instanceId);
    this.target.delete(member.memberId);
    this.groupEpoch++;
    if (this.members.size === 0) this.currentStateTimestamp = this.ctx.clock.now();
    this.ctx.log.info({ group: this.groupId, member: member.memberId, groupEpoch: this.groupEpoch, reason }, 'member removed from the consumer group');
  }

  // ---- assignment -----------------------------------------------------------------------------

  /** The topics a member subscribes to that exist, by name and by regex (internal topics never match a regex). */
  private subscribedTopicsOf(member: ConsumerMember): TopicInfo[] {
    const out = new Map<string, TopicInfo>();
    for (const name of member.subscribedTopicNames) {
      const t = this.ctx.topics.byName(name);
      if (t) out.set(t.topicId, t);
    }
    const regex = member.subscribedTopicRegex === null ? null : topicRegex(member.subscribedTopicRegex);
    if (regex !== null) {
      for (const t of this.ctx.topics.all()) if (!t.name.startsWith('__') && regex.test(t.name)) out.set(t.topicId, t);
    }
    return [...out.values()];
  }

  /** Runs on every heartbeat, so that new topics and partitions are seen: it looks up each subscribed name once, not once per member. */
  private computeSubscriptionSignature(): string {
    if (this.subscriptions === null) {
      const names = new Set<string>();
      const regexes = new Map<string, RegExp>();
      for (const m of this.members.values()) {
        for (const name of m.subscribedTopicNames) names.add(name);
        const regex = m.subscribedTopicRegex === null ? null : topicRegex(m.subscribedTopicRegex);
        if (regex !== null) regexes.set(m.subscribedTopicRegex!, regex);
      }
      this.subscriptions = { names, regexes: [...regexes.values()] };
    }
    const { names, regexes } = this.subscriptions;
    const topics = new Map<string, number>();
    for (const name of names) {
      const t = this.ctx.topics.byName(name);
      if (t) topics.set(t.topicId, t.partitions);
    }
    if (regexes.length > 0) {
      for (const t of this.ctx.topics.all()) if (!t.name.startsWith('__') && regexes.some((r) => r.test(t.name))) topics.set(t.topicId, t.partitions);
    }
    return [...topics].map(([id, n]) => `${id}:${n}`).sort().join(',');
  }

  /** A new target for the current group epoch, by the assignor most members ask for (else the default). */
  private computeTarget(): void {
    const votes = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let name = this.ctx.defaultAssignor;
    for (const [candidate, n] of votes) if (n > (votes.get(name) ?? 0)) name = candidate;
    const members = new Map<string, { topics: Set<string>; current: PartitionSet }>();
    const partitionCounts = new Map<string, number>();
    for (const m of this.members.values()) {
      const topics = this.subscribedTopicsOf(m);
      for (const t of topics) partitionCounts.set(t.topicId, t.partitions);
      members.set(m.memberId, { topics: new Set(topics.map((t) => t.topicId)), current: this.target.get(m.memberId) ?? new Map() });
    }
    this.target = this.ctx.assignors.get(name)!.assign({ members, partitionCounts });
    this.assignorName = name;
    this.assignmentEpoch = this.groupEpoch;
    this.ctx.log.info({ group: this.groupId, groupEpoch: this.groupEpoch, assignor: name, members: members.size }, 'computed a new target assignment');
  }

  private reconcileMember(member: ConsumerMember, owned: PartitionSet | null): void {
    const next = reconcile({
      current: member.assignment,
      targetEpoch: this.assignmentEpoch,
      target: this.target.get(member.memberId) ?? new Map(),
      owned,
      heldByOther: (topicId, p) => {
        const holder = this.owners.get(`${topicId}:${p}`);
        return holder !== undefined && holder !== member.memberId;
      },
    });
    if (next === member.assignment) return;
    if (next.memberEpoch !== member.memberEpoch) member.previousMemberEpoch = member.memberEpoch;
    const wasRevoking = member.assignment.state === 'unrevoked-partitions';
    const before = ConsumerGroup.holdings(member);
    member.assignment = next;
    this.setHoldings(member, before, ConsumerGroup.holdings(member));
    if (next.state === 'unrevoked-partitions' && !wasRevoking) {
      // The member has its rebalance timeout to revoke; then it is fenced, releasing the partitions.
      member.revocationTimer = this.ctx.clock.schedule(member.rebalanceTimeoutMs, () => this.removeMember(member, 'did not revoke its partitions within the rebalance timeout'));
    } else if (next.state !== 'unrevoked-partitions' && wasRevoking) {
      member.revocationTimer?.cancel();
      member.revocationTimer = null;
    }
  }

  /** Moves `member`'s entries in `owners` from the partitions it held (`before`) to `after`. */
  private setHoldings(member: ConsumerMember, before: PartitionSet, after: PartitionSet): void {
    for (const [topicId, p] of entries(before)) if (this.owners.get(`${topicId}:${p}`) === member.memberId) this.owners.delete(`${topicId}:${p}`);
    for (const [topicId, p] of entries(after)) this.owners.set(`${topicId}:${p}`, member.memberId);
  }

  private static holdings(member: ConsumerMember): PartitionSet {
    return union(member.assignment.assigned, member.assignment.pendingRevocation);
  }

  private scheduleSession(member: ConsumerMember): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.ctx.clock.schedule(member.classic?.sessionTimeoutMs ?? this.ctx.sessionTimeoutMs, () => this.removeMember(member, 'session timed out'));
  }

  /** Topic name lists (classic layouts) as a PartitionSet; topics that do not exist are left out. */
  private byTopicId(list: readonly TopicPartitions[]): PartitionSet {
    const out: PartitionSet = new Map();
    for (const t of list) {
      const topic = this.ctx.topics.byName(t.topic);
      if (topic) for (const p of t.partitions) add(out, topic.topicId, p);
    }
    return out;
  }

  // ---- classic members ------------------------------------------------------------------------

  /**
   * JoinGroup from a consumer on the classic protocol. A new dynamic member
   * first gets its id with MEMBER_ID_REQUIRED (JoinGroup v4+, KIP-394); a
   * static member with a new id takes over its instance (KIP-345).
   */
  classicJoin(req: JoinRequest): JoinResult {
    const fail = (errorCode: number, memberId = req.memberId): JoinResult => ({ errorCode, generationId: -1, protocolType: null, protocolName: null, leaderId: '', memberId, members: [] });
    if (this.dead) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    let topics: string[];
    let owned: TopicPartitions[];
    try {
      ({ topics, ownedPartitions: owned } = decodeSubscription(req.protocols[0].metadata));
    } catch {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (req.memberId === '' && req.groupInstanceId === null && req.requireKnownMemberId) return fail(ErrorCode.MEMBER_ID_REQUIRED, `${req.clientId}-${randomUUID()}`);
    const memberId = req.memberId !== '' ? req.memberId : `${req.clientId}-${randomUUID()}`;
    let member = this.members.get(memberId);
    let fresh = false;
    if (member === undefined) {
      const holder = req.groupInstanceId === null ? undefined : this.members.get(this.staticMembers.get(req.groupInstanceId) ?? '');
      member = holder ? this.replaceStaticMember(holder, memberId) : this.addMember(memberId, req.groupInstanceId);
      fresh = true;
    } else if (member.classic === null) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    member.classic = { protocols: req.protocols, sessionTimeoutMs: req.sessionTimeoutMs };
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    this.advance(member, this.setSubscription(member, topics, null) || fresh, this.byTopicId(owned));
    return {
      errorCode: ErrorCode.NONE,
      generationId: member.memberEpoch,
      protocolType: this.protocolType,
      protocolName: req.protocols[0].name,
      leaderId: '',
      memberId,
      members: [],
    };
  }

  /** SyncGroup from a classic member: its assignment, in the classic layout. */
  classicSync(req: SyncRequest): SyncResult {
    const fail = (errorCode: number): SyncResult => ({ errorCode, assignment: Buffer.alloc(0) });
    const member = this.classicMember(req.memberId, req.groupInstanceId);
    if (typeof member === 'number') return fail(member);
    if (req.generationId !== member.memberEpoch) return fail(ErrorCode.ILLEGAL_GENERATION);
    this.scheduleSession(member);
    const partitions = namedPartitions(member.assignment.assigned, this.ctx.topics).map((t) => ({ topic: t.topicName, partitions: t.partitions }));
    return { errorCode: ErrorCode.NONE, assignment: encodeAssignment({ version: 0, partitions, userData: null }) };
  }

  /**
   * Heartbeat from a classic member: REBALANCE_IN_PROGRESS while it must
   * rejoin to move on: the group epoch passed its epoch, it has partitions to
   * revoke, or partitions it waits for have been released.
   */
  classicHeartbeat(memberId: string, instanceId: string | null, generationId: number): number {
    const member = this.classicMember(memberId, instanceId);
    if (typeof member === 'number') return member;
    if (generationId !== member.memberEpoch) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleSession(member);
    const { state } = member.assignment;
    const released = state === 'unreleased-partitions' && this.hasReleasedTarget(member);
    return member.memberEpoch < this.groupEpoch || state === 'unrevoked-partitions' || released ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** LeaveGroup from a classic member (static ones may be named by instance id alone). */
  classicLeave(memberId: string, instanceId: string | null): number {
    const id = instanceId === null ? memberId : (this.staticMembers.get(instanceId) ?? '');
    const member = this.classicMember(id, null);
    if (typeof member === 'number') return member;
    if (instanceId !== null && memberId !== '' && memberId !== member.memberId) return ErrorCode.FENCED_INSTANCE_ID;
    this.removeMember(member, 'left the group');
    return ErrorCode.NONE;
  }

  /** The classic member, or UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID. */
  private classicMember(memberId: string, instanceId: string | null): ConsumerMember | number {
    if (this.dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const member = this.members.get(memberId);
    if (member === undefined || member.classic === null) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (instanceId !== null && member.instanceId !== instanceId) return ErrorCode.FENCED_INSTANCE_ID;
    return member;
  }

  /** Whether a partition of the member's target that it still lacks is now free. */
  private hasReleasedTarget(member: ConsumerMember): boolean {
    for (const [topicId, p] of entries(this.target.get(member.memberId) ?? new Map())) {
      if (has(member.assignment.assigned, topicId, p)) continue;
      const holder = this.owners.get(`${topicId}:${p}`);
      if (holder === undefined || holder === member.memberId) return true;
    }
    return false;
  }

  // ---- offsets and views ----------------------------------------------------------------------

  /**
   * Whether an OffsetCommit (or OffsetFetch, KIP-848) from this member and
   * epoch is allowed: NONE, UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH (an older
   * epoch) or FENCED_MEMBER_EPOCH (a newer one). An epoch below zero on an
   * empty group is a commit without group management.
   */
  memberEpochError(memberId: string, memberEpoch: number): number {
    if (this.dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (memberEpoch < 0 && this.members.size === 0) return ErrorCode.NONE;
    const member = this.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    // Classic members commit with their generation, and hear ILLEGAL_GENERATION as from a classic group.
    if (member.classic !== null) return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (memberEpoch > member.memberEpoch) return ErrorCode.FENCED_MEMBER_EPOCH;
    if (memberEpoch < member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /** Names of the topics the members subscribe to (for OffsetDelete and offset expiry). */
  subscribedTopics(): Set<string> {
    const out = new Set<string>();
    for (const m of this.members.values()) {
      for (const name of m.subscribedTopicNames) out.add(name);
      for (const t of this.subscribedTopicsOf(m)) out.add(t.name);
    }
    return out;
  }

  describeMembers(): ConsumerMemberDescription[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      classicMetadata: m.classic?.protocols[0].metadata ?? null,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: m.assignment.assigned,
      targetAssignment: this.target.get(m.memberId) ?? new Map(),
    }));
  }

  /** Stops every timer and marks the group Dead. */
  shutdown(): void {
    for (const m of this.members.values()) m.cancelTimers();
    this.dead = true;
  }
}
