// One member of a consumer-protocol group (KIP-848): who it is, what it
// subscribes to, its epoch and its reconciliation state, and its timers.
// Owned by its ConsumerGroup; nothing else mutates a member.

import type { Timer } from '../../../clock.js';
import type { Protocol } from '../member.js';
import type { MemberAssignment } from './reconciliation.js';

/** Member epoch of a static member that left for a while and may come back (KIP-848). */
export const STATIC_LEAVE_EPOCH = -2;
/** Member epoch of a member leaving the group. */
export const LEAVE_EPOCH = -1;

/** What a member speaking the classic protocol (JoinGroup/SyncGroup/Heartbeat) brings to a consumer-protocol group. */
export interface ClassicMembership {
  /** The protocols (client-side assignor names) and their metadata from its last JoinGroup. */
  protocols: Protocol[];
  /** Its own session timeout, from JoinGroup, used instead of the group's. */
  sessionTimeoutMs: number;
}

export class ConsumerMember {
  /** The epoch before the last change, accepted once more in case the response carrying the new one was lost. */
  previousMemberEpoch = 0;
  assignment: MemberAssignment = { state: 'stable', memberEpoch: 0, assigned: new Map(), pendingRevocation: new Map() };
  rackId: string | null = null;
  rebalanceTimeoutMs = -1;
  subscribedTopicNames: string[] = [];
  subscribedTopicRegex: string | null = null;
  serverAssignor: string | null = null;
  clientId = '';
  clientHost = '';
  /** Set for members that speak the classic protocol (KIP-848 online migration); null for consumer-protocol members. */
  classic: ClassicMembership | null = null;
  /** Fires when the member has not heartbeated within the session timeout. */
  sessionTimer: Timer | null = null;
  /** Fires when the member has not revoked its partitions within its rebalance timeout. */
  revocationTimer: Timer | null = null;

  constructor(
    readonly memberId: string,
    readonly instanceId: string | null,
  ) {}

  get memberEpoch(): number {
    return this.assignment.memberEpoch;
  }

  cancelTimers(): void {
    this.sessionTimer?.cancel();
    this.revocationTimer?.cancel();
    this.sessionTimer = null;
    this.revocationTimer = null;
  }
}
