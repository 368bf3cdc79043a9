// The HTTP API's member of one share group: every HTTP client receiving from
// the group's queue does so through it, as one consumer with many hands. It
// joins at the first receive, subscribes to each topic received from, and
// heartbeats on the share clock every heartbeat interval (and at every
// receive, which also brings its assignment up to date), so that the records
// it holds stay locked for as long as their locks say. It leaves when the HTTP
// API closes, giving back what it held, and when no receive or settlement came
// for IDLE_LEAVE_MS: an idle member would keep the group from ever being empty
// and take partitions from the group's other members. A member the group dropped (silent
// past share.session.timeout.ms, or the group deleted) joins again under a new
// id: the receipts of the old one are foreign to it.

import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from '../clock.js';
import type { ShareCoordinator } from '../coordinator/share/share-coordinator.js';
import type { ShareHeartbeatResult } from '../coordinator/share/share-group.js';
import { SHARE_LEAVE_EPOCH } from '../coordinator/share/share-group.js';
import type { SessionPartition } from '../coordinator/share/share-sessions.js';
import type { Logger } from '../logger.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { HttpApiError, kafkaError } from './errors.js';

const CLIENT_ID = 'sluice-http';
/** Time without a receive or settlement after which the member leaves: twice the longest lock (share.record.lock.duration.ms at most 60 s), so no lock outlives it. */
export const IDLE_LEAVE_MS = 120_000;

export class QueueMember {
  memberId = randomUUID();
  private memberEpoch = 0;
  private readonly topics = new Set<string>();
  private subscriptionChanged = false;
  /** Topic id → partitions, as the last heartbeat that carried an assignment gave them. */
  private assignment = new Map<string, number[]>();
  private timer: Timer | null = null;
  private lastUsed = 0;

  constructor(
    readonly groupId: string,
    private readonly shares: ShareCoordinator,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The partitions of `topic` this member may take records from, after a heartbeat that subscribes it to `topic`. */
  partitionsOf(topic: string, topicId: string): SessionPartition[] {
    this.touch();
    if (!this.topics.has(topic)) {
      this.topics.add(topic);
      this.subscriptionChanged = true;
    }
    this.heartbeat();
    return (this.assignment.get(topicId) ?? []).map((partition) => ({ topicId, partition }));
  }

  /** Notes a use of the member (a receive or a settlement), which keeps it in the group. */
  touch(): void {
    this.lastUsed = this.clock.now();
  }

  /** Leaves the group: what the member holds goes back at once. */
  leave(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.memberEpoch === 0) return;
    this.shares.heartbeat(this.groupId, { ...this.identity(), memberEpoch: SHARE_LEAVE_EPOCH, subscribedTopicNames: null });
    this.memberEpoch = 0;
  }

  private heartbeat(): void {
    this.timer?.cancel();
    this.timer = null;
    let result = this.beat();
    if (result.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || result.errorCode === ErrorCode.FENCED_MEMBER_EPOCH) {
      this.log.info({ group: this.groupId, member: this.memberId, errorCode: result.errorCode }, 'the HTTP API joins its share group again');
      this.memberId = randomUUID();
      this.memberEpoch = 0;
      result = this.beat();
    }
    if (result.errorCode !== ErrorCode.NONE) throw this.joinError(result);
    this.memberEpoch = result.memberEpoch;
    this.subscriptionChanged = false;
    if (result.assignment) this.assignment = new Map(result.assignment.topicPartitions.map((t) => [t.topicId, t.partitions]));
    this.timer = this.clock.schedule(result.heartbeatIntervalMs, () => {
      if (this.clock.now() - this.lastUsed >= IDLE_LEAVE_MS) return this.leave();
      try {
        this.heartbeat();
      } catch (err) {
        // The next receive tries again, and answers the error.
        this.log.warn({ err, group: this.groupId }, 'the HTTP API could not heartbeat in its share group');
      }
    });
  }

  private beat(): ShareHeartbeatResult {
    const joining = this.memberEpoch === 0;
    return this.shares.heartbeat(this.groupId, {
      ...this.identity(),
      memberEpoch: this.memberEpoch,
      subscribedTopicNames: joining || this.subscriptionChanged ? [...this.topics] : null,
    });
  }

  private identity() {
    return { memberId: this.memberId, rackId: null, clientId: CLIENT_ID, clientHost: '' };
  }

  private joinError(result: ShareHeartbeatResult): HttpApiError {
    switch (result.errorCode) {
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
        return new HttpApiError(503, 'SLUICE_HTTP_NOT_COORDINATOR', `this broker does not coordinate group '${this.groupId}' now`, "receive through the HTTP API of the broker that coordinates the group (FindCoordinator names it), or try again once this one is loaded");
      case ErrorCode.GROUP_ID_NOT_FOUND:
        return new HttpApiError(409, 'SLUICE_HTTP_NOT_A_QUEUE', result.errorMessage ?? `group '${this.groupId}' is not a share group`, 'a queue needs a group id that no consumer group uses');
      default:
        return kafkaError(result.errorCode, result.errorMessage, `joining share group '${this.groupId}'`);
    }
  }
}
