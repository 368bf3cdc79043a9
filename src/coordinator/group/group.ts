// One group under Kafka's classic rebalance protocol: members and their
// protocols (assignors), generations, the leader's assignment fan-out, static
// membership (KIP-345), "member id required" (KIP-394), and the timers that
// evict silent members and bound each rebalance.
//
//                first JoinGroup                    everyone rejoined, or the
//    Empty ─────────────────────► PreparingRebalance ──── rebalance timeout ───► CompletingRebalance
//      ▲   (no member left)          ▲        │                                   │
//      └─────────────────────────────┼────────┘                leader's SyncGroup │
//                                    │                                            ▼
//                                    └─── a member joins, leaves, times out ── Stable
//    Dead: deleted or expired; the coordinator forgets it.
//
// Every method is synchronous; JoinGroup and SyncGroup park their response on
// the member (a resolver) until the transition that answers them. Timers call
// back into the same synchronous transitions. Invariants:
//   - a member is parked on at most one JoinGroup and one SyncGroup;
//   - in PreparingRebalance the join completes once every member (and every
//     KIP-394 pending member) has rejoined, or when the rebalance timeout fires;
//     the first rebalance of an empty group instead ends when the initial delay
//     does (group.initial.rebalance.delay.ms, a timer even at 0), or early when a
//     removal leaves only members that have rejoined;
//   - members of a generation that have not sent SyncGroup within the
//     rebalance timeout of its join's completion are removed, Stable or not;
//   - generationId only grows, by one per completed join.

import { randomUUID } from 'node:crypto';
import diagnostics_channel from 'node:diagnostics_channel';
import type { Logger } from '../../logger.js';
import type { Clock, Timer } from '../../clock.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { CONSUMER_PROTOCOL_TYPE, EMPTY_CONSUMER_ASSIGNMENT, subscribedTopics } from './consumer-protocol.js';
import { type JoinResult, Member, type Protocol, type SyncResult } from './member.js';
import type { StoredGroup } from './offsets-log.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The rebalance protocol a group runs (ListGroups v5+, KIP-848): 'consumer' and 'share' groups are other classes. */
export type GroupType = 'classic' | 'consumer' | 'share';

/** Published when a rebalance starts and when it ends: `{ groupId, state, generationId, members, reason }`. */
export const rebalanceChannel = diagnostics_channel.channel('sluice:group:rebalance');

const VALID_PREVIOUS: Record<GroupState, GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'CompletingRebalance', 'Stable'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

const EMPTY = Buffer.alloc(0);

export interface GroupContext {
  /** group.initial.rebalance.delay.ms (ms). */
  initialRebalanceDelayMs: number;
  /** Writes the group's metadata record; called when a generation completes or the group empties. */
  store(group: Group): void;
  /** Session, join, sync and pending-member timers run on it. */
  clock: Clock;
  log: Logger;
}

export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  /** JoinGroup v4+ (KIP-394): a new dynamic member first gets its id back with MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  /** The leader's assignments by member id; empty from followers. */
  assignments: Map<string, Buffer>;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leaderId: '', memberId, members: [] };
}

export class Group {
  /** Which rebalance protocol the group runs (KIP-848 groups are ConsumerGroups). */
  readonly type = 'classic' as const;
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** When the group entered its current state (ms). */
  currentStateTimestamp: number;
  readonly members = new Map<string, Member>();
  /** group.instance.id -> member id of the static member that holds it. */
  private readonly staticMembers = new Map<string, string>();
  /** KIP-394: ids handed out with MEMBER_ID_REQUIRED, expiring after the session timeout. */
  private readonly pendingMembers = new Map<string, Timer>();
  private joinTimer: Timer | null = null;
  /**
   * Members of the current generation that have not sent SyncGroup yet, as
   * Kafka's pending-sync set: the sync timer, started when the join completes,
   * removes those still here after the rebalance timeout, also once the
   * leader's SyncGroup has made the group Stable (KAFKA-12890).
   */
  private readonly pendingSync = new Set<string>();
  private syncTimer: Timer | null = null;
  /** Set while the first rebalance of an empty group waits for more members. */
  private initialDelay: { newMemberAdded: boolean; remainingMs: number } | null = null;

  constructor(
    readonly groupId: string,
    private readonly ctx: GroupContext,
  ) {
    this.currentStateTimestamp = ctx.clock.now();
  }

  /** Rebuilds a group from its last metadata record; members come back with fresh session timers. */
  static restore(groupId: string, stored: StoredGroup, ctx: GroupContext): Group {
    const g = new Group(groupId, ctx);
    g.protocolType = stored.protocolType === '' ? null : stored.protocolType;
    g.generationId = stored.generationId;
    g.protocolName = stored.protocolName;
    if (stored.currentStateTimestamp >= 0) g.currentStateTimestamp = stored.currentStateTimestamp;
    if (stored.protocolName === null || stored.members.length === 0) return g;
    for (const s of stored.members) {
      const m = new Member(s.memberId, s.groupInstanceId, s.clientId, s.clientHost, s.rebalanceTimeoutMs, s.sessionTimeoutMs, [
        { name: stored.protocolName, metadata: s.subscription },
      ]);
      m.assignment = s.assignment;
      g.members.set(m.memberId, m);
      if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
      g.touch(m);
    }
    g.leaderId = stored.leaderId !== null && g.members.has(stored.leaderId) ? stored.leaderId : g.members.keys().next().value!;
    g.state = 'Stable';
    return g;
  }

  // ---- requests -------------------------------------------------------------------------------

  join(req: JoinRequest): Promise<JoinResult> {
    if (this.state === 'Dead') return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId));
    if (!this.supportsProtocols(req.protocolType, req.protocols)) return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    if (req.memberId === '') return this.joinNewMember(req);
    if (this.pendingMembers.has(req.memberId)) return this.addMemberAndRebalance(req.memberId, req);
    const error = this.memberError(req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return Promise.resolve(joinError(error, req.memberId));
    const member = this.members.get(req.memberId)!;
    switch (this.state) {
      case 'PreparingRebalance': {
        this.updateMember(member, req);
        const parked = this.parkJoin(member);
        this.maybeCompleteJoin();
        return parked;
      }
      case 'CompletingRebalance':
      case 'Stable': {
        // A follower that rejoins unchanged (e.g. after a lost response) gets the current generation back.
        const unchanged = member.offersSame(req.protocols);
        if (unchanged && (this.state === 'CompletingRebalance' || member.memberId !== this.leaderId)) {
          this.touch(member);
          return Promise.resolve(this.joinResultFor(member));
        }
        this.updateMember(member, req);
        const parked = this.parkJoin(member);
        this.prepareRebalance(unchanged ? `leader ${member.memberId} rejoined` : `member ${member.memberId} changed its protocols`);
        return parked;
      }
      default:
        return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
    }
  }

  sync(req: SyncRequest): Promise<SyncResult> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: EMPTY });
    if (this.state === 'Dead') return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const error = this.memberError(req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return fail(error);
    if (req.generationId !== this.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    const member = this.members.get(req.memberId)!;
    switch (this.state) {
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance': {
        const parked = new Promise<SyncResult>((resolve) => {
          member.awaitingSync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
          member.awaitingSync = resolve;
        });
        this.markSynced(member);
        if (member.memberId === this.leaderId) this.completeSync(req.assignments);
        return parked;
      }
      case 'Stable':
        this.markSynced(member);
        this.touch(member);
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: this.assignmentFor(member) });
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.memberError(memberId, groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(this.members.get(memberId)!);
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** One member of a LeaveGroup request; static members may be named by instance id alone (v3+). */
  leave(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const owner = this.staticMembers.get(groupInstanceId);
      if (owner === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (memberId !== '' && memberId !== owner) return ErrorCode.FENCED_INSTANCE_ID;
      this.removeAndRebalance(this.members.get(owner)!, `static member ${groupInstanceId} left`);
      return ErrorCode.NONE;
    }
    const pending = this.pendingMembers.get(memberId);
    if (pending) {
      pending.cancel();
      this.pendingMembers.delete(memberId);
      this.maybeCompleteJoin(true);
      return ErrorCode.NONE;
    }
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeAndRebalance(member, `member ${memberId} left`);
    return ErrorCode.NONE;
  }

  /**
   * Whether an OffsetCommit from this member and generation may be stored.
   * generationId < 0 on an empty group is a "simple" commit (no group management).
   */
  commitError(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupInstanceId !== null && this.staticMembers.has(groupInstanceId) && this.staticMembers.get(groupInstanceId) !== memberId) {
      return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (generationId < 0 && this.state === 'Empty') return ErrorCode.NONE;
    // The member has its JoinGroup response but not its assignment yet: let it rejoin gracefully.
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    // A commit proves the member alive, as a heartbeat does (commits are allowed while preparing a rebalance).
    this.touch(member);
    return ErrorCode.NONE;
  }

  // ---- views ----------------------------------------------------------------------------------

  /** DescribeGroups' view: metadata and assignments only once Stable, as Kafka. */
  describeMembers(): MemberDescription[] {
    const stable = this.state === 'Stable';
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? m.metadataFor(this.protocolName) : EMPTY,
      assignment: stable ? this.assignmentFor(m) : EMPTY,
    }));
  }

  /** The record written to __consumer_offsets: members only when Stable (a rejoin is needed otherwise). */
  stored(): StoredGroup {
    const stable = this.state === 'Stable';
    return {
      protocolType: this.protocolType ?? '',
      generationId: this.generationId,
      protocolName: this.protocolName,
      leaderId: this.leaderId,
      currentStateTimestamp: this.currentStateTimestamp,
      members: stable
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            rebalanceTimeoutMs: m.rebalanceTimeoutMs,
            sessionTimeoutMs: m.sessionTimeoutMs,
            subscription: m.metadataFor(this.protocolName),
            assignment: m.assignment,
          }))
        : [],
    };
  }

  /**
   * Topics the members subscribe to (consumer protocol only): the empty set
   * for an empty consumer group, null when unknown (other protocols, or
   * metadata that does not parse). Used by OffsetDelete and offset expiry.
   */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const t = subscribedTopics(m.metadataFor(this.protocolName));
      if (t === null) return null;
      for (const name of t) topics.add(name);
    }
    return topics;
  }

  /** Marks the group Dead and stops every timer; parked requests get NOT_COORDINATOR. */
  shutdown(): void {
    this.clearTimers();
    for (const timer of this.pendingMembers.values()) timer.cancel();
    this.pendingMembers.clear();
    for (const m of this.members.values()) {
      if (m.sessionTimer) m.sessionTimer.cancel();
      this.answerParked(m, ErrorCode.NOT_COORDINATOR);
    }
    this.transition('Dead');
  }

  // ---- membership -----------------------------------------------------------------------------

  private joinNewMember(req: JoinRequest): Promise<JoinResult> {
    if (req.groupInstanceId !== null) {
      const newId = `${req.groupInstanceId}-${randomUUID()}`;
      const current = this.staticMembers.get(req.groupInstanceId);
      if (current !== undefined) return this.replaceStaticMember(this.members.get(current)!, newId, req);
      return this.addMemberAndRebalance(newId, req);
    }
    const newId = `${req.clientId}-${randomUUID()}`;
    if (req.requireKnownMemberId) {
      const timer = this.timer(() => {
        this.pendingMembers.delete(newId);
        this.maybeCompleteJoin(true);
      }, req.sessionTimeoutMs);
      this.pendingMembers.set(newId, timer);
      return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, newId));
    }
    return this.addMemberAndRebalance(newId, req);
  }

  private addMemberAndRebalance(memberId: string, req: JoinRequest): Promise<JoinResult> {
    const pending = this.pendingMembers.get(memberId);
    if (pending) pending.cancel();
    this.pendingMembers.delete(memberId);
    const member = new Member(memberId, req.groupInstanceId, req.clientId, req.clientHost, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocols);
    if (this.members.size === 0) this.protocolType = req.protocolType;
    this.members.set(memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, memberId);
    if (this.leaderId === null) this.leaderId = memberId;
    const parked = this.parkJoin(member);
    if (this.initialDelay) this.initialDelay.newMemberAdded = true;
    if (this.state === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance(`member ${memberId} joined`);
    return parked;
  }

  /**
   * A static member rejoined with an unknown member id (a restarted process):
   * it takes over its instance's membership under a new id, and the old id is
   * fenced. A Stable group whose chosen protocol stays the same does not
   * rebalance: the member gets the current generation and, through SyncGroup,
   * its old assignment (KIP-345).
   */
  private replaceStaticMember(member: Member, newId: string, req: JoinRequest): Promise<JoinResult> {
    const oldId = member.memberId;
    const oldLeader = this.leaderId;
    this.answerParked(member, ErrorCode.FENCED_INSTANCE_ID);
    this.members.delete(oldId);
    member.memberId = newId;
    this.members.set(newId, member);
    this.staticMembers.set(req.groupInstanceId!, newId);
    if (this.leaderId === oldId) this.leaderId = newId;
    // The new id syncs in the old one's place.
    if (this.pendingSync.delete(oldId)) this.pendingSync.add(newId);
    this.updateMember(member, req);
    if (this.state === 'Stable' && this.selectProtocol() === this.protocolName) {
      this.touch(member);
      this.ctx.store(this);
      // The old leader id, so that a returning leader does not compute an assignment a Stable group would not send.
      return Promise.resolve({ ...this.joinResultFor(member), leaderId: oldLeader ?? '', members: [] });
    }
    const parked = this.parkJoin(member);
    if (this.state === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance(`static member ${req.groupInstanceId} rejoined`);
    return parked;
  }

  private updateMember(member: Member, req: JoinRequest): void {
    member.protocols = req.protocols;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
  }

  private removeAndRebalance(member: Member, reason: string): void {
    this.dropMember(member, ErrorCode.UNKNOWN_MEMBER_ID);
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance(reason);
    else this.maybeCompleteJoin(true);
  }

  private dropMember(member: Member, answer: number): void {
    this.answerParked(member, answer);
    if (member.sessionTimer) member.sessionTimer.cancel();
    this.members.delete(member.memberId);
    this.pendingSync.delete(member.memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === member.memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === member.memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID when the (member id, instance id) pair is not a current member. */
  private memberError(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const owner = this.staticMembers.get(groupInstanceId);
      if (owner === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (owner !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  private supportsProtocols(protocolType: string, protocols: Protocol[]): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) => this.offeredByAll(p.name));
  }

  private offeredByAll(name: string): boolean {
    for (const m of this.members.values()) if (!m.protocols.some((p) => p.name === name)) return false;
    return true;
  }

  /** Among protocols every member offers, the one most members rank first among those. */
  private selectProtocol(): string | null {
    const first = this.members.values().next().value;
    if (!first) return null;
    const candidates = first.protocols.map((p) => p.name).filter((name) => this.offeredByAll(name));
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice) votes.set(choice.name, votes.get(choice.name)! + 1);
    }
    let best: string | null = null;
    for (const [name, count] of votes) if (best === null || count > votes.get(best)!) best = name;
    return best;
  }

  // ---- rebalance ------------------------------------------------------------------------------

  private prepareRebalance(reason: string): void {
    if (this.state === 'CompletingRebalance') {
      for (const m of this.members.values()) {
        m.assignment = EMPTY;
        this.answerSync(m, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
    this.clearTimers();
    this.pendingSync.clear();
    const wasEmpty = this.state === 'Empty';
    this.transition('PreparingRebalance');
    const rebalanceTimeoutMs = this.rebalanceTimeoutMs();
    if (wasEmpty) {
      // The first rebalance of an empty group ends only when the initial delay does, even a
      // delay of 0 (a timer, so joins already on their way count), as Kafka's
      // (GroupMetadataManager.prepareRebalance); members that rejoin cannot end it sooner.
      const delay = this.ctx.initialRebalanceDelayMs;
      this.initialDelay = { newMemberAdded: false, remainingMs: Math.max(rebalanceTimeoutMs - delay, 0) };
      this.joinTimer = this.timer(() => this.onInitialDelayEnd(), delay);
    } else {
      this.joinTimer = this.timer(() => this.completeJoin(), rebalanceTimeoutMs);
    }
    this.ctx.log.info({ group: this.groupId, generation: this.generationId, reason }, 'preparing rebalance');
    this.publish(reason);
    this.maybeCompleteJoin();
  }

  /**
   * group.initial.rebalance.delay.ms: wait again while new members keep
   * arriving, within the rebalance timeout; then complete the join with
   * whoever has joined, without waiting for KIP-394 pending members.
   */
  private onInitialDelayEnd(): void {
    const d = this.initialDelay!;
    if (d.newMemberAdded && d.remainingMs > 0) {
      const delay = Math.min(this.ctx.initialRebalanceDelayMs, d.remainingMs);
      d.remainingMs -= delay;
      d.newMemberAdded = false;
      this.joinTimer = this.timer(() => this.onInitialDelayEnd(), delay);
      return;
    }
    this.initialDelay = null;
    this.completeJoin();
  }

  /**
   * Completes the join once every member (and every KIP-394 pending member)
   * has rejoined. Not during the initial delay, unless a member has just been
   * removed (it left or timed out), which Kafka lets end the join early too.
   */
  private maybeCompleteJoin(afterRemoval = false): void {
    if (this.state !== 'PreparingRebalance' || (this.initialDelay !== null && !afterRemoval)) return;
    if (this.pendingMembers.size > 0) return;
    for (const m of this.members.values()) if (m.awaitingJoin === null) return;
    this.completeJoin();
  }

  /** Ends PreparingRebalance: dynamic members that did not rejoin are dropped, the next generation starts. */
  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    this.clearTimers();
    for (const m of [...this.members.values()]) {
      if (m.awaitingJoin === null && !m.isStatic) this.dropMember(m, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    if (this.members.size === 0) {
      this.generationId++;
      this.protocolName = null;
      this.leaderId = null;
      this.transition('Empty');
      this.ctx.log.info({ group: this.groupId, generation: this.generationId }, 'group is empty');
      this.ctx.store(this);
      this.publish('no members left');
      return;
    }
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    if (!leader || leader.awaitingJoin === null) {
      this.leaderId = [...this.members.values()].find((m) => m.awaitingJoin !== null)?.memberId ?? null;
    }
    if (this.leaderId === null) {
      // Only static members that have not rejoined are left: keep waiting for them.
      this.joinTimer = this.timer(() => this.completeJoin(), this.rebalanceTimeoutMs());
      return;
    }
    this.generationId++;
    this.protocolName = this.selectProtocol();
    this.transition('CompletingRebalance');
    for (const m of this.members.values()) {
      const resolve = m.awaitingJoin;
      if (resolve === null) continue;
      m.awaitingJoin = null;
      this.touch(m);
      resolve(this.joinResultFor(m));
    }
    for (const id of this.members.keys()) this.pendingSync.add(id);
    const generation = this.generationId;
    this.syncTimer = this.timer(() => this.onSyncTimeout(generation), this.rebalanceTimeoutMs());
    this.ctx.log.info({ group: this.groupId, generation, protocol: this.protocolName, members: this.members.size, leader: this.leaderId }, 'rebalance completed; awaiting the leader\'s assignment');
    this.publish('joined');
  }

  /** The leader's SyncGroup: store its assignments and answer every parked SyncGroup. */
  private completeSync(assignments: Map<string, Buffer>): void {
    for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY;
    // The sync timer keeps running for members that have not sent SyncGroup yet.
    this.transition('Stable');
    for (const m of this.members.values()) {
      if (m.awaitingSync === null) continue;
      this.touch(m);
      this.answerSync(m, { errorCode: ErrorCode.NONE, assignment: this.assignmentFor(m) });
    }
    this.ctx.store(this);
    this.publish('synced');
  }

  /** A member's SyncGroup for this generation: it is no longer pending, and the sync timer stops once none is. */
  private markSynced(member: Member): void {
    this.pendingSync.delete(member.memberId);
    if (this.pendingSync.size > 0 || this.syncTimer === null) return;
    this.syncTimer.cancel();
    this.syncTimer = null;
  }

  /**
   * Members that did not send SyncGroup within the rebalance timeout of the
   * join's completion are dropped, whether or not the leader's assignment has
   * made the group Stable meanwhile, and the group rebalances (as Kafka).
   */
  private onSyncTimeout(generation: number): void {
    this.syncTimer = null;
    if (this.generationId !== generation || (this.state !== 'CompletingRebalance' && this.state !== 'Stable')) return;
    if (this.pendingSync.size === 0) return;
    for (const id of [...this.pendingSync]) this.dropMember(this.members.get(id)!, ErrorCode.UNKNOWN_MEMBER_ID);
    this.prepareRebalance('members did not send SyncGroup within the rebalance timeout');
  }

  // ---- helpers --------------------------------------------------------------------------------

  private joinResultFor(member: Member): JoinResult {
    const isLeader = member.memberId === this.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leaderId: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(this.protocolName) }))
        : [],
    };
  }

  /** Some clients cannot decode zero bytes; a consumer-protocol member with nothing assigned gets an empty assignment. */
  private assignmentFor(member: Member): Buffer {
    return member.assignment.length === 0 && this.protocolType === CONSUMER_PROTOCOL_TYPE ? EMPTY_CONSUMER_ASSIGNMENT : member.assignment;
  }

  private parkJoin(member: Member): Promise<JoinResult> {
    return new Promise((resolve) => {
      // A newer JoinGroup from the same member supersedes one still parked.
      member.awaitingJoin?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
      member.awaitingJoin = resolve;
    });
  }

  private answerSync(member: Member, result: SyncResult): void {
    const resolve = member.awaitingSync;
    member.awaitingSync = null;
    resolve?.(result);
  }

  private answerParked(member: Member, errorCode: number): void {
    const join = member.awaitingJoin;
    member.awaitingJoin = null;
    join?.(joinError(errorCode, member.memberId));
    this.answerSync(member, { errorCode, assignment: EMPTY });
  }

  /** (Re)starts the member's session timer: it is evicted unless heard from within its session timeout. */
  private touch(member: Member): void {
    if (member.sessionTimer) member.sessionTimer.cancel();
    member.sessionTimer = this.timer(() => this.onSessionTimeout(member), member.sessionTimeoutMs);
  }

  private onSessionTimeout(member: Member): void {
    if (this.members.get(member.memberId) !== member) return;
    // A member parked on JoinGroup or SyncGroup is waiting on us; the rebalance timeout bounds that wait.
    if (member.awaitingJoin !== null || member.awaitingSync !== null) {
      this.touch(member);
      return;
    }
    this.ctx.log.info({ group: this.groupId, member: member.memberId, sessionTimeoutMs: member.sessionTimeoutMs }, 'member session timed out');
    this.removeAndRebalance(member, `member ${member.memberId} session timed out`);
  }

  private rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Timers are cleared by shutdown(), which the coordinator calls for every group on close. */
  private timer(fn: () => void, ms: number): Timer {
    return this.ctx.clock.schedule(ms, fn);
  }

  private clearTimers(): void {
    if (this.joinTimer) this.joinTimer.cancel();
    if (this.syncTimer) this.syncTimer.cancel();
    this.joinTimer = null;
    this.syncTimer = null;
    this.initialDelay = null;
  }

  private transition(to: GroupState): void {
    if (!VALID_PREVIOUS[to].includes(this.state)) throw new Error(`group ${this.groupId}: cannot go from ${this.state} to ${to}`);
    this.state = to;
    this.currentStateTimestamp = this.ctx.clock.now();
  }

  private publish(reason: string): void {
    if (!rebalanceChannel.hasSubscribers) return;
    rebalanceChannel.publish({ groupId: this.groupId, state: this.state, generationId: this.generationId, members: this.members.size, reason });
  }
}
