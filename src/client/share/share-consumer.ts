// A member of a share group (KIP-932) reading one topic: membership
// (share-membership.ts), one share session per partition leader
// (leader-session.ts) and a prefetch window.
//
//   held + reserved <= prefetch
//     held:     records the broker handed us that are not settled yet
//               (buffered here, or taken by the application)
//     reserved: MaxRecords of the ShareFetches in flight
//
// Each leader's loop keeps at most one ShareFetch and one ShareAcknowledge
// in flight on the leader's 'fetch' connection: a ShareFetch asking for the
// room left whenever there is room (at most an even share of the window per
// leader, so that one leader's long poll never holds the whole window while
// the others have records), and a ShareAcknowledge with the
// acknowledgements settled since the last one. Both are built once the
// current turn of the event loop is over, so the settles it made go
// together, and the ShareFetch goes first: the broker answers a connection in
// order, and an acknowledgement is answered only once it is stored (an
// fsync), which the next records need not wait for. So the broker may, for a
// moment, count as ours both the records whose acknowledgements are on their
// way and the next ones; what we hold stays within `prefetch`. A
// ShareAcknowledge sent while a ShareFetch long-polls is applied at once and
// answered after it.
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
import type { Api, BrokerConnection } from '../connection.js';
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
    const inFlight = { fetch: null as Promise<void> | null, acknowledge: null as Promise<void> | null, backoff: null as Promise<void> | null };
    const track = (key: 'fetch' | 'acknowledge', request: Promise<void>) => {
      inFlight[key] = request.finally(() => {
        inFlight[key] = null;
        this.changed.notify();
      });
    };
    // A failed request ended the session; the loop waits this long before opening another. The broker
    // may be gone: the topic's leaders are asked again, so its partitions go to their new leaders' loops.
    const failed = () => {
      if (this.closing) return;
      this.client.invalidate(this.opts.topic);
      inFlight.backoff ??= sleep(this.clock, RETRY_BACKOFF_MS).finally(() => (inFlight.backoff = null));
    };
    while (!this.closing && !this.fatal) {
      if (inFlight.backoff) await inFlight.backoff;
      const topic = await this.currentTopic();
      const wanted = topic ? this.assigned.filter((p) => topic.partitions[p]?.leader === s.leaderId) : [];
      const canFetch = () => inFlight.fetch === null && wanted.length > 0 && this.room() > 0;
      const canAcknowledge = () => inFlight.acknowledge === null && s.pending.size > 0;
      if (!canFetch() && !canAcknowledge()) {
        await this.changed.wait();
        continue;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      const conn = await this.client.node(s.leaderId, 'fetch').catch(() => null);
      if (this.closing) break;
      if (!conn) {
        this.endSession(s);
        failed();
        continue;
      }
      if (canFetch()) track('fetch', this.fetch(s, conn, wanted, this.fetchRoom(), failed));
      if (canAcknowledge()) track('acknowledge', this.acknowledge(s, conn, failed));
    }
    await Promise.all([inFlight.fetch, inFlight.acknowledge]);
  }

  /** Records we may still ask for: the window less what we hold and what requests in flight may bring. */
  private room(): number {
    return this.opts.prefetch - this.held - this.reserved;
  }

  /** What one leader's ShareFetch asks for: the room, at most the window shared evenly among the leaders (the whole window with one). */
  private fetchRoom(): number {
    return Math.min(this.room(), Math.max(1, Math.floor(this.opts.prefetch / this.sessions.size)));
  }

  private async fetch(s: LeaderSession, conn: BrokerConnection, wanted: number[], room: number, failed: () => void): Promise<void> {
    const generation = s.generation;
    const sentAt = this.clock.now();
    this.reserved += room;
    const res = await this.send(s, conn, SHARE_FETCH, s.fetchRequest(wanted, room, this.opts.maxWaitMs), this.opts.maxWaitMs + this.client.requestTimeoutMs).finally(() => (this.reserved -= room));
    if (!res) return failed();
    // The session ended meanwhile (another request failed): what this brought is no longer ours.
    if (s.generation !== generation) return;
    const { records, errors } = s.records(res, this.opts.topic);
    this.reportErrors(errors);
    const lockedUntil = sentAt + res.acquisitionLockTimeoutMs;
    for (const record of records) this.buffer.push({ record, session: s, generation, lockedUntil });
    this.held += records.length;
    if (records.length > 0) this.arrived.notify();
  }

  private async acknowledge(s: LeaderSession, conn: BrokerConnection, failed: () => void): Promise<void> {
    const generation = s.generation;
    const res = await this.send(s, conn, SHARE_ACKNOWLEDGE, s.acknowledgeRequest(false));
    if (!res) return failed();
    if (s.generation !== generation) return;
    this.reportErrors((res.responses as Message[]).flatMap((t) => (t.partitions as Message[]).map((p) => ({ partition: p.partitionIndex, errorCode: ErrorCode.NONE, acknowledgeErrorCode: p.errorCode }))));
  }

  /** Sends a session request; on a lost connection or a session error, ends the session (once) and resolves null. */
  private async send(s: LeaderSession, conn: BrokerConnection, api: Api, body: Message, timeoutMs?: number): Promise<Message | null> {
    const generation = s.generation;
    try {
      const res = await conn.send(api, body, { timeoutMs });
      if (res.errorCode === ErrorCode.NONE) return res;
    } catch {
      // As a session error: what the session held is given back by the broker.
    }
    // Requests sent after the one that failed fail too: the session ends once.
    if (s.generation === generation) this.endSession(s);
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
