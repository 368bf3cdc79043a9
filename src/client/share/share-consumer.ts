// A member of a share group (KIP-932) reading one topic: membership
// (share-membership.ts), one share session per partition leader
// (leader-session.ts) and a prefetch window.
//
//   held + reserved <= prefetch
//     held:     records the broker handed us that are not settled yet
//               (buffered here, or taken by the application)
//     reserved: MaxRecords of the ShareFetches in flight
//
// Each leader's loop sends one request at a time on the leader's 'fetch'
// connection: a ShareFetch asking for the room left, carrying the
// acknowledgements settled since the last request (the broker applies them
// first, so it never holds more than `prefetch` records for us), or, when
// the window is full, a ShareAcknowledge with them. With nothing to ask and
// nothing to say it waits for a settle or an assignment change. So a settle
// made while a ShareFetch long-polls is sent at most maxWaitMs later.
//
// Each record knows when its acquisition lock ends at the latest; past it the
// broker has given it back, so it is neither handed out nor acknowledged
// (the broker refuses a partition's acknowledgements all together when one
// names a record the member no longer holds).
//
// close(): the loops stop after their request in flight, buffered records
// are released, each session is closed with ShareAcknowledge epoch -1 (the
// last acknowledgements; the broker gives back what is still held), then the
// member leaves the group.

import diagnostics_channel from 'node:diagnostics_channel';
import { type Clock, sleep, systemClock } from '../../clock.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { Message } from '../../protocol/codec.js';
import type { Api } from '../connection.js';
import type { KafkaClient, TopicInfo } from '../kafka-client.js';
import { refreshesMetadata } from '../retriable.js';
import { AcknowledgeType } from './acknowledgements.js';
import { LeaderSession, type PartitionErrors, SHARE_ACKNOWLEDGE, SHARE_FETCH, type ShareRecord } from './leader-session.js';
import { ShareMembership } from './share-membership.js';

export type { ShareRecord } from './leader-session.js';

/** Published when the broker refuses acknowledgements: `{ groupId, topic, partition, errorCode }`. */
export const acknowledgeFailureChannel = diagnostics_channel.channel('sluice:queue:acknowledge-failed');

/** Pause after a failed request before the loop tries again (ms). */
const RETRY_BACKOFF_MS = 200;

/** Options of a ShareConsumer. */
export interface ShareConsumerOptions {
  groupId: string;
  topic: string;
  /** Most records held unsettled at once. */
  prefetch: number;
  /** How long the broker may hold a ShareFetch that found nothing (ms). */
  maxWaitMs: number;
  /**
   * Time for heartbeats, backoffs and lock deadlines. Default: the system
   * clock, its timers keeping the process alive: a queue waiting for its
   * next message (its assignment, or a backoff after a lost broker) is work in
   * progress until it is closed, as a server is.
   */
  clock?: Clock;
}

/** A record as handed out: settle it once with `settle`. */
export interface Delivery {
  record: ShareRecord;
  session: LeaderSession;
  generation: number;
  /** When the broker's acquisition lock ends at the latest (the request's send time plus the lock it answered). */
  lockedUntil: number;
}

/** Wakes every waiter at once; waiters check their condition again. */
class Signal {
  private waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** A share-group member reading one topic: take() records, settle() each (see the top of this file). */
export class ShareConsumer {
  private readonly clock: Clock;
  private membership: ShareMembership | null = null;
  private assigned: number[] = [];
  private readonly sessions = new Map<number, { session: LeaderSession; loop: Promise<void> }>();
  private buffer: Delivery[] = [];
  private held = 0;
  private reserved = 0;
  private readonly changed = new Signal();
  private readonly arrived = new Signal();
  private fatal: Error | null = null;
  private closing = false;
  private topicId: Buffer | null = null;

  constructor(
    private readonly client: KafkaClient,
    private readonly opts: ShareConsumerOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Joins the group; resolves once the broker gave the member its partitions. */
  async start(): Promise<void> {
    const topic = await this.client.topic(this.opts.topic);
    if (this.closing) return;
    this.topicId = topic.topicId;
    const membership = new ShareMembership(this.client, {
      groupId: this.opts.groupId,
      topic: this.opts.topic,
      topicId: topic.topicId,
      clock: this.clock,
      onAssignment: (partitions) => {
        this.assigned = partitions;
        void this.startSessions();
        this.changed.notify();
      },
      onFatal: (err) => {
        this.fatal = err;
        this.arrived.notify();
        this.changed.notify();
      },
    });
    this.membership = membership;
    membership.start();
    await Promise.race([membership.joined, this.arrived.wait()]);
    if (this.fatal) throw this.fatal;
  }

  /** The next record, waiting for one; null once closing. Throws the membership's fatal error. */
  async take(): Promise<Delivery | null> {
    for (;;) {
      if (this.fatal) throw this.fatal;
      if (this.closing) return null;
      const next = this.buffer.shift();
      if (!next) await this.arrived.wait();
      // One whose lock ended while it waited here has gone back to the group: handing it out would deliver it twice.
      else if (this.clock.now() >= next.lockedUntil) this.held--;
      else return next;
    }
  }

  /** Settles a record taken with take(): acknowledged with the next request to its leader. */
  settle(d: Delivery, type: AcknowledgeType, delayMs = 0): void {
    // A record of an ended session, or past its lock, is no longer ours: the broker has given it back, and
    // would refuse its acknowledgement together with every other one of its partition in the same request.
    if (d.generation === d.session.generation && this.clock.now() < d.lockedUntil) d.session.pending.add(d.record.partition, d.record.offset, type, delayMs);
    this.held--;
    this.changed.notify();
  }

  /**
   * Stops fetching, waits for `handled` (records taken and still being
   * handled get settled meanwhile), releases what is buffered, closes the
   * share sessions with the last acknowledgements and leaves the group.
   */
  async close(handled: Promise<unknown> = Promise.resolve()): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.changed.notify();
    this.arrived.notify();
    await Promise.all([...this.sessions.values()].map((s) => s.loop));
    await handled;
    for (const d of this.buffer) this.settle(d, AcknowledgeType.Release);
    this.buffer = [];
    await Promise.all([...this.sessions.values()].map(({ session }) => this.closeSession(session)));
    await this.membership?.leave();
  }

  // ---- sessions -------------------------------------------------------------------------------

  /** Starts a loop for each leader of an assigned partition that has none. */
  private async startSessions(): Promise<void> {
    const topic = await this.currentTopic();
    if (!topic || this.closing) return;
    for (const p of this.assigned) {
      const leader = topic.partitions[p]?.leader;
      if (leader === undefined || leader < 0 || this.sessions.has(leader)) continue;
      const session = new LeaderSession(leader, this.opts.groupId, this.membership!.memberId, this.topicId!);
      this.sessions.set(leader, { session, loop: this.runSession(session) });
    }
  }

  private async runSession(s: LeaderSession): Promise<void> {
    while (!this.closing && !this.fatal) {
      const topic = await this.currentTopic();
      const wanted = topic ? this.assigned.filter((p) => topic.partitions[p]?.leader === s.leaderId) : [];
      const room = wanted.length > 0 ? this.opts.prefetch - this.held - this.reserved : 0;
      if (room > 0) await this.fetch(s, wanted, room);
      else if (s.pending.size > 0) await this.acknowledge(s);
      else await this.changed.wait();
    }
  }

  private async fetch(s: LeaderSession, wanted: number[], room: number): Promise<void> {
    const generation = s.generation;
    const sentAt = this.clock.now();
    this.reserved += room;
    const res = await this.send(s, SHARE_FETCH, s.fetchRequest(wanted, room, this.opts.maxWaitMs), this.opts.maxWaitMs + this.client.requestTimeoutMs).finally(() => (this.reserved -= room));
    if (!res) return;
    s.advance(wanted);
    const { records, errors } = s.records(res, this.opts.topic);
    this.reportErrors(errors);
    const lockedUntil = sentAt + res.acquisitionLockTimeoutMs;
    for (const record of records) this.buffer.push({ record, session: s, generation, lockedUntil });
    this.held += records.length;
    if (records.length > 0) this.arrived.notify();
  }

  private async acknowledge(s: LeaderSession): Promise<void> {
    const res = await this.send(s, SHARE_ACKNOWLEDGE, s.acknowledgeRequest(false));
    if (!res) return;
    s.advance(null);
    this.reportErrors((res.responses as Message[]).flatMap((t) => (t.partitions as Message[]).map((p) => ({ partition: p.partitionIndex, errorCode: ErrorCode.NONE, acknowledgeErrorCode: p.errorCode }))));
  }

  /** Sends a session request to its leader; on a lost connection or a session error, ends the session, backs off and resolves null. */
  private async send(s: LeaderSession, api: Api, body: Message, timeoutMs?: number): Promise<Message | null> {
    try {
      const conn = await this.client.node(s.leaderId, 'fetch');
      const res = await conn.send(api, body, { timeoutMs });
      if (res.errorCode === ErrorCode.NONE) return res;
    } catch {
      // As a session error: what the session held is given back by the broker.
    }
    this.endSession(s);
    if (!this.closing) await sleep(this.clock, RETRY_BACKOFF_MS);
    return null;
  }

  private async closeSession(s: LeaderSession): Promise<void> {
    if (!s.open) return;
    try {
      const conn = await this.client.node(s.leaderId, 'fetch');
      await conn.send(SHARE_ACKNOWLEDGE, s.acknowledgeRequest(true));
    } catch {
      // The broker gives the records back when the member leaves or its locks expire.
    }
    s.reset();
  }

  /** The session is gone: its buffered records are no longer ours. */
  private endSession(s: LeaderSession): void {
    const generation = s.generation;
    s.reset();
    const kept = this.buffer.filter((d) => d.session !== s || d.generation !== generation);
    this.held -= this.buffer.length - kept.length;
    this.buffer = kept;
  }

  private reportErrors(errors: PartitionErrors[]): void {
    if (errors.some((e) => refreshesMetadata(e.errorCode))) {
      this.client.invalidate(this.opts.topic);
      void this.startSessions();
    }
    for (const e of errors) {
      if (e.acknowledgeErrorCode !== ErrorCode.NONE && acknowledgeFailureChannel.hasSubscribers) {
        acknowledgeFailureChannel.publish({ groupId: this.opts.groupId, topic: this.opts.topic, partition: e.partition, errorCode: e.acknowledgeErrorCode });
      }
    }
  }

  private async currentTopic(): Promise<TopicInfo | null> {
    try {
      return await this.client.cachedTopic(this.opts.topic);
    } catch {
      if (!this.closing) await sleep(this.clock, RETRY_BACKOFF_MS);
      return null;
    }
  }
}
