// Membership of a share group (KIP-932) for one topic: ShareGroupHeartbeat to
// the group's coordinator, on a connection of its own.
//
//   join (epoch 0, subscribed topic) ─► heartbeat every heartbeatIntervalMs (epoch as given)
//        ▲                                   │ UNKNOWN_MEMBER_ID / FENCED_MEMBER_EPOCH
//        └───────────────────────────────────┘ (the coordinator forgot or fenced us)
//   leave (epoch -1) on close
//
// The member id is the client's own (a UUID, as Kafka 4.1's clients make it),
// kept across rejoins. The broker chooses the assignment; a heartbeat answer
// carries it only when it changed, and it applies at once (records, not
// partitions, are what a share member holds, so nothing is revoked first).
// Connection failures and retriable errors find the coordinator again after
// a backoff; any other error is fatal and reported through `onFatal`.

import { randomUUID } from 'node:crypto';
import { type Clock, type Timer } from '../../clock.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode, isRetriable } from '../../protocol/error-codes.js';
import { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../protocol/messages/share-group-heartbeat.js';
import { ClientError, KafkaError } from '../client-error.js';
import type { BrokerConnection } from '../connection.js';
import { findGroupCoordinator } from '../find-coordinator.js';
import type { KafkaClient } from '../kafka-client.js';

const SHARE_GROUP_HEARTBEAT = { request: ShareGroupHeartbeatRequest, response: ShareGroupHeartbeatResponse };
const LEAVE_EPOCH = -1;
/** Pause before a heartbeat after a failed one (ms). */
const RETRY_BACKOFF_MS = 200;

/** What a share-group membership needs, and where it reports. */
export interface ShareMembershipOptions {
  groupId: string;
  topic: string;
  /** The topic's id (metadata), to find it in assignments. */
  topicId: Buffer;
  clock: Clock;
  /** The partitions of `topic` this member may fetch from, each time they change. */
  onAssignment(partitions: number[]): void;
  /** A heartbeat failed in a way retrying cannot fix (e.g. the group id belongs to a consumer group). */
  onFatal(err: Error): void;
}

/** One member of a share group, heartbeating until it leaves (see the top of this file). */
export class ShareMembership {
  readonly memberId = randomUUID();
  private memberEpoch = 0;
  private intervalMs = RETRY_BACKOFF_MS;
  private coordinator: BrokerConnection | null = null;
  private timer: Timer | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  private resolveJoined!: () => void;
  /** Resolves once the first assignment arrived. */
  readonly joined = new Promise<void>((resolve) => (this.resolveJoined = resolve));

  constructor(
    private readonly client: KafkaClient,
    private readonly opts: ShareMembershipOptions,
  ) {}

  start(): void {
    this.beat();
  }

  /** Stops heartbeating and leaves the group (its records still held are given back by the broker). */
  async leave(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    await this.inFlight;
    if (this.memberEpoch <= 0 || !this.coordinator) return;
    try {
      await this.coordinator.send(SHARE_GROUP_HEARTBEAT, this.request(LEAVE_EPOCH));
    } catch {
      // The coordinator drops a silent member after its session timeout anyway.
    }
  }

  private beat(): void {
    this.timer = null;
    if (this.stopped) return;
    this.inFlight = this.heartbeat().then((nextMs) => {
      this.inFlight = null;
      if (!this.stopped && nextMs !== null) this.timer = this.opts.clock.schedule(nextMs, () => this.beat());
    });
  }

  /** One heartbeat; resolves with the delay before the next, or null after a fatal error. */
  private async heartbeat(): Promise<number | null> {
    let res: Message;
    try {
      this.coordinator ??= await this.findCoordinator();
      res = await this.coordinator.send(SHARE_GROUP_HEARTBEAT, this.request(this.memberEpoch));
    } catch (err) {
      // A closed client never answers again.
      if (this.stopped || (err instanceof ClientError && err.code === 'SLUICE_ERR_CLOSED')) return null;
      this.coordinator = null;
      return RETRY_BACKOFF_MS;
    }
    switch (res.errorCode) {
      case ErrorCode.NONE:
        break;
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.FENCED_MEMBER_EPOCH:
        this.memberEpoch = 0;
        return 0;
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
        this.coordinator = null;
        return RETRY_BACKOFF_MS;
      default:
        if (isRetriable(res.errorCode)) return RETRY_BACKOFF_MS;
        this.opts.onFatal(new KafkaError(res.errorCode, res.errorMessage ?? null, `share group '${this.opts.groupId}' heartbeat`));
        return null;
    }
    this.memberEpoch = res.memberEpoch;
    if (res.heartbeatIntervalMs > 0) this.intervalMs = res.heartbeatIntervalMs;
    if (res.assignment) {
      const mine = (res.assignment.topicPartitions as Message[]).find((t) => (t.topicId as Buffer).equals(this.opts.topicId));
      this.opts.onAssignment(mine ? [...(mine.partitions as number[])].sort((a, b) => a - b) : []);
      this.resolveJoined();
    }
    return this.intervalMs;
  }

  private request(memberEpoch: number): Message {
    return {
      groupId: this.opts.groupId,
      memberId: this.memberId,
      memberEpoch,
      rackId: null,
      // Sent when joining; null afterwards means "unchanged".
      subscribedTopicNames: memberEpoch === 0 ? [this.opts.topic] : null,
    };
  }

  private async findCoordinator(): Promise<BrokerConnection> {
    const c = await findGroupCoordinator(this.client, this.opts.groupId);
    return this.client.connect(c.host, c.port, 'group');
  }
}
