// Membership of one share group (KIP-932): members heartbeat with the topics
// they subscribe to and get the partitions they may fetch from. There is no
// revocation step as in consumer groups: records, not partitions, are what a
// member holds (share-partition.ts), so a new assignment applies at once.
//
// Epochs: groupEpoch grows when a member joins, leaves or changes its
// subscription, or a subscribed topic's partition count changes; the
// assignment (share-assignor.ts) is recomputed when a heartbeat finds it
// behind; a member's epoch is the group epoch of the assignment it was last
// given, and a heartbeat must carry it (else FENCED_MEMBER_EPOCH).
// A member not heard from for the session timeout is removed; `onMemberGone`
// lets the share partitions give back what it held. Synchronous transitions
// on an injected clock.

import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { Clock, Timer } from '../../clock.js';
import type { TopicView } from '../group/consumer/consumer-group.js';
import { type ShareAssignment, assignShares } from './share-assignor.js';

/** A member's epoch in a heartbeat that leaves the group. */
export const SHARE_LEAVE_EPOCH = -1;

/** Settings are read each time they are used (at each heartbeat), so changed group configs apply from then on. */
export interface ShareGroupContext {
  clock: Clock;
  /** group.share.heartbeat.interval.ms, sent to every member. */
  heartbeatIntervalMs: number;
  /** group.share.session.timeout.ms. */
  sessionTimeoutMs: number;
  topics: TopicView;
  log: Logger;
  /** A member left or timed out: the records it holds go back. */
  onMemberGone(groupId: string, memberId: string, why: 'left' | 'timed out'): void;
}

export interface ShareHeartbeat {
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  /** Null: unchanged since the last heartbeat. */
  subscribedTopicNames: string[] | null;
  clientId: string;
  clientHost: string;
}

export interface ShareHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** Sent when the member's assignment is new to it; null otherwise. */
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null;
}

export interface ShareMember {
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  /** Topic id → partitions. */
  assignment: Map<string, number[]>;
  sessionTimer: Timer | null;
}

export type ShareGroupState = 'Empty' | 'Stable' | 'Dead';

export class ShareGroup {
  readonly type = 'share' as const;
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ShareMember>();
  private target: ShareAssignment = new Map();
  /** Partition counts of the subscribed topics when the group epoch last moved. */
  private topicsSeen = '';
  private dead = false;

  constructor(
    readonly groupId: string,
    private readonly ctx: ShareGroupContext,
  ) {}

  get state(): ShareGroupState {
    if (this.dead) return 'Dead';
    return this.members.size === 0 ? 'Empty' : 'Stable';
  }

  heartbeat(req: ShareHeartbeat): ShareHeartbeatResult {
    if (this.dead) return this.error(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'the group is being unloaded', req);
    if (req.memberEpoch === SHARE_LEAVE_EPOCH) return this.leave(req);
    let member = this.members.get(req.memberId);
    if (req.memberEpoch === 0) {
      if (req.subscribedTopicNames === null || req.subscribedTopicNames.length === 0) {
        return this.error(ErrorCode.INVALID_REQUEST, 'a joining member must name the topics it subscribes to', req);
      }
      member = this.join(req, req.subscribedTopicNames);
    } else {
      if (!member) return this.error(ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not in group ${this.groupId}`, req);
      if (req.memberEpoch !== member.memberEpoch) {
        return this.error(ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${req.memberEpoch} is not the current ${member.memberEpoch}`, req);
      }
      if (req.subscribedTopicNames !== null && !sameTopics(req.subscribedTopicNames, member.subscribedTopicNames)) {
        member.subscribedTopicNames = [...req.subscribedTopicNames];
        this.bumpEpoch(`member ${member.memberId} changed its subscription`);
      }
    }
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    member.rackId = req.rackId ?? member.rackId;
    this.touch(member);
    this.noticeTopicChanges();
    if (this.assignmentEpoch < this.groupEpoch) this.computeAssignment();
    const fresh = member.memberEpoch !== this.assignmentEpoch || req.memberEpoch === 0;
    if (fresh) {
      member.memberEpoch = this.assignmentEpoch;
      member.assignment = this.target.get(member.memberId) ?? new Map();
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.ctx.heartbeatIntervalMs,
      assignment: fresh ? { topicPartitions: [...member.assignment].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] })) } : null,
    };
  }

  /** Whether `memberId` is a member assigned `topicId`/`partition` (ShareFetch checks it). */
  isAssigned(memberId: string, topicId: string, partition: number): boolean {
    return this.members.get(memberId)?.assignment.get(topicId)?.includes(partition) ?? false;
  }

  /** Stops every timer; the group answers nothing more. */
  shutdown(): void {
    for (const m of this.members.values()) m.sessionTimer?.cancel();
    this.dead = true;
  }

  // ---- transitions ----------------------------------------------------------------------------

  private join(req: ShareHeartbeat, topics: string[]): ShareMember {
    const memberId = req.memberId === '' ? randomUUID() : req.memberId;
    const existing = this.members.get(memberId);
    if (existing) {
      // A member that rejoins with epoch 0 (after an error) starts over with the same id.
      existing.subscribedTopicNames = [...topics];
      existing.memberEpoch = 0;
      this.bumpEpoch(`member ${memberId} rejoined`);
      return existing;
    }
    const member: ShareMember = {
      memberId,
      memberEpoch: 0,
      rackId: req.rackId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      subscribedTopicNames: [...topics],
      assignment: new Map(),
      sessionTimer: null,
    };
    this.members.set(memberId, member);
    this.bumpEpoch(`member ${memberId} joined`);
    return member;
  }

  private leave(req: ShareHeartbeat): ShareHeartbeatResult {
    const member = this.members.get(req.memberId);
    if (!member) return this.error(ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not in group ${this.groupId}`, req);
    this.remove(member, 'left');
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: SHARE_LEAVE_EPOCH, heartbeatIntervalMs: 0, assignment: null };
  }

  private remove(member: ShareMember, why: 'left' | 'timed out'): void {
    member.sessionTimer?.cancel();
    this.members.delete(member.memberId);
    this.bumpEpoch(`member ${member.memberId} ${why}`);
    this.ctx.onMemberGone(this.groupId, member.memberId, why);
  }

  private touch(member: ShareMember): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.ctx.clock.schedule(this.ctx.sessionTimeoutMs, () => {
      if (this.members.get(member.memberId) !== member) return;
      this.ctx.log.info({ group: this.groupId, member: member.memberId }, 'share group member session timed out');
      this.remove(member, 'timed out');
    });
  }

  private bumpEpoch(reason: string): void {
    this.groupEpoch++;
    this.topicsSeen = this.topicSignature();
    this.ctx.log.debug({ group: this.groupId, groupEpoch: this.groupEpoch, reason }, 'share group epoch bumped');
  }

  private noticeTopicChanges(): void {
    if (this.topicSignature() !== this.topicsSeen) this.bumpEpoch('subscribed topics changed');
  }

  private topicSignature(): string {
    const names = [...new Set([...this.members.values()].flatMap((m) => m.subscribedTopicNames))].sort();
    return names.map((n) => `${n}:${this.ctx.topics.byName(n)?.topicId ?? '-'}:${this.ctx.topics.byName(n)?.partitions ?? 0}`).join(',');
  }

  private computeAssignment(): void {
    const subscribers = [...this.members.values()].map((m) => ({ memberId: m.memberId, topics: m.subscribedTopicNames }));
    this.target = assignShares(subscribers, (name) => this.ctx.topics.byName(name));
    this.assignmentEpoch = this.groupEpoch;
  }

  private error(errorCode: number, errorMessage: string, req: ShareHeartbeat): ShareHeartbeatResult {
    return { errorCode, errorMessage, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
  }
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((t, i) => t === [...b].sort()[i]);
}
