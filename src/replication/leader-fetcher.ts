// The follower's side of replication for every partition it follows from one
// leader broker: one connection to that broker's replication address and one
// Fetch loop for all of them, as Kafka's ReplicaFetcherThread.
//
//   follow(p) -> truncating: OffsetForLeaderEpoch until the divergence point
//                (divergence.ts), cut the log there
//             -> fetching:  Fetch(replica id = this broker, current leader
//                epoch = the one followed, offset = the log end) -> append
//                the batches as sent -> under group-commit, wait for their
//                fsync before the next fetch, so the offset the leader hears
//                (and counts towards its high watermark) is durable here
//
// The replica's log start follows the leader's (DeleteRecords, retention); a
// replica whose log ends before the leader's log start is emptied and goes on
// from there, since the records between are gone at the leader.
// A partition whose leader answers FENCED_LEADER_EPOCH waits for the control
// plane's next state (the broker calls follow() again); other partition
// errors are retried after a backoff; a lost connection is re-made with
// backoff; a storage error takes the partition offline and out of the loop.

import type { BrokerInfo } from '../cluster/control-plane.js';
import { BrokerConnection } from '../client/connection.js';
import type { InterBrokerSecurity } from '../cluster/inter-broker-security.js';
import { ReconnectBackoff } from '../client/reconnect-backoff.js';
import type { Logger } from '../logger.js';
import type { Partition } from '../broker/partition.js';
import type { BufferPool } from '../protocol/buffer-pool.js';
import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../protocol/messages/offset-for-leader-epoch.js';
import { divergencePoint } from './divergence.js';
import type { ReplicationThrottle } from './replication-throttle.js';

const FETCH = { request: FetchRequest, response: FetchResponse };
const OFFSET_FOR_LEADER_EPOCH = { request: OffsetForLeaderEpochRequest, response: OffsetForLeaderEpochResponse };
/** Fetch v12: topics by name, current leader epoch (KIP-320). */
const FETCH_VERSION = 12;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 4;
/** Kafka's replica.fetch.max.bytes and replica.fetch.response.max.bytes. */
const PARTITION_MAX_BYTES = 1024 * 1024;
const RESPONSE_MAX_BYTES = 10 * 1024 * 1024;
/** Pause after a round in which a partition failed (Kafka's replica.fetch.backoff.ms). */
const ERROR_BACKOFF_MS = 1000;

type FollowState = 'truncating' | 'fetching' | 'fenced';

interface Followed {
  partition: Partition;
  /** The leader epoch this broker follows the partition at. */
  leaderEpoch: number;
  state: FollowState;
}

export interface LeaderFetcherOptions {
  nodeId: number;
  maxWaitMs: number;
  log: Logger;
  /** Called after records were cut from a partition's log: what was derived from the removed records is rebuilt. */
  onTruncated: (p: Partition) => void;
  /** The follower replication throttle of this broker, and whether a partition's replica here is throttled. */
  throttle: ReplicationThrottle;
  throttled: (p: Partition) => boolean;
  /** Where the leader's answers land: each goes back once its records are appended. */
  buffers: BufferPool;
  /** TLS and SASL of the leader's inter-broker listener (cluster/inter-broker-security.ts). */
  security: InterBrokerSecurity;
}

export class LeaderFetcher {
  private readonly followed = new Map<Partition, Followed>();
  private connection: BrokerConnection | null = null;
  private readonly backoff = new ReconnectBackoff();
  private running: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private leader: BrokerInfo,
    private readonly options: LeaderFetcherOptions,
  ) {}

  get isIdle(): boolean {
    return this.followed.size === 0;
  }

  /** Follows `p` at its current leader epoch, from truncation on. */
  follow(p: Partition, leader: BrokerInfo): void {
    if (leader.replicationHost !== this.leader.replicationHost || leader.replicationPort !== this.leader.replicationPort) {
      this.leader = leader;
      this.connection?.close();
    }
    this.followed.set(p, { partition: p, leaderEpoch: p.leaderEpoch, state: 'truncating' });
    this.wake?.();
    this.running ??= this.run().finally(() => (this.running = null));
  }

  unfollow(p: Partition): void {
    this.followed.delete(p);
  }

  /** Stops the loop and closes the connection; resolves once the loop has ended. */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.connection?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    let failedRound = false;
    while (!this.stopped && this.followed.size > 0) {
      if (failedRound) await this.pause(ERROR_BACKOFF_MS);
      failedRound = false;
      try {
        const conn = await this.connect();
        if (conn === null) continue;
        for (const f of [...this.followed.values()]) if (f.state === 'truncating') failedRound = (await this.truncate(conn, f)) || failedRound;
        const fetching = [...this.followed.values()].filter((f) => f.state === 'fetching');
        if (fetching.length === 0) {
          if (!failedRound) await this.pause(this.options.maxWaitMs);
          continue;
        }
        failedRound = (await this.fetchOnce(conn, fetching)) || failedRound;
      } catch (err) {
        if (this.stopped) break;
        this.options.log.warn({ err, leader: this.leader.nodeId }, 'replica fetch failed; reconnecting');
        this.connection?.close();
        this.connection = null;
        failedRound = true;
      }
    }
  }

  private async connect(): Promise<BrokerConnection | null> {
    if (this.connection && !this.connection.closed) return this.connection;
    const { replicationHost: host, replicationPort: port } = this.leader;
    const address = `${host}:${port}`;
    const delay = this.backoff.delayFor(address);
    if (delay > 0) {
      await this.pause(delay);
      return null;
    }
    try {
      this.connection = await BrokerConnection.connect(host, port, { clientId: `sluice-replica-${this.options.nodeId}`, buffers: this.options.buffers, ...this.options.security });
      this.backoff.succeeded(address);
      return this.connection;
    } catch (err) {
      this.backoff.failed(address);
      this.options.log.debug({ err, leader: this.leader.nodeId, address }, 'cannot reach the leader to fetch from');
      return null;
    }
  }

  /** Cuts the partition's log where it diverged from the leader's. Returns true when it must be tried again later. */
  private async truncate(conn: BrokerConnection, f: Followed): Promise<boolean> {
    const p = f.partition;
    let failure = ErrorCode.NONE;
    const cut = await divergencePoint(p.log, p.highWatermark, async (epoch) => {
      const body = { replicaId: this.options.nodeId, topics: [{ topic: p.topic, partitions: [{ partition: p.index, currentLeaderEpoch: f.leaderEpoch, leaderEpoch: epoch }] }] };
      const answer = (await conn.sendVersion(OFFSET_FOR_LEADER_EPOCH, OFFSET_FOR_LEADER_EPOCH_VERSION, body)).topics[0].partitions[0];
      failure = answer.errorCode;
      // An error stops the search where it is; nothing is cut then.
      return failure === ErrorCode.NONE ? { epoch: answer.leaderEpoch, endOffset: answer.endOffset } : { epoch: -1, endOffset: -1 };
    });
    if (this.followed.get(p) !== f) return false;
    if (failure !== ErrorCode.NONE) return this.partitionFailed(f, failure);
    const end = p.logEndOffset;
    if (cut < end) this.options.log.info({ topic: p.topic, partition: p.index, from: cut, to: end, leaderEpoch: f.leaderEpoch }, 'truncating the records the leader does not have');
    try {
      p.truncateTo(Math.max(cut, p.logStartOffset));
      if (p.logEndOffset < end) this.options.onTruncated(p);
    } catch (err) {
      this.options.log.error({ err, topic: p.topic, partition: p.index }, 'truncation failed; the partition stops following');
      this.followed.delete(p);
      return false;
    }
    f.state = 'fetching';
    return false;
  }

  /**
   * One Fetch for every partition in `fetching`; throttled ones are left out
   * while the throttle is in debt. Returns true when one of them failed.
   */
  private async fetchOnce(conn: BrokerConnection, fetching: Followed[]): Promise<boolean> {
    const { throttle, throttled } = this.options;
    const held = throttle.waitMs();
    const asked = held > 0 ? fetching.filter((f) => !throttled(f.partition)) : fetching;
    if (asked.length === 0) {
      await this.pause(held);
      return false;
    }
    const byTopic = new Map<string, Message[]>();
    for (const f of asked) {
      const p = f.partition;
      const partitions = byTopic.get(p.topic) ?? [];
      const partitionMaxBytes = throttled(p) ? throttle.partitionMaxBytes(PARTITION_MAX_BYTES) : PARTITION_MAX_BYTES;
      partitions.push({ partition: p.index, currentLeaderEpoch: f.leaderEpoch, fetchOffset: p.logEndOffset, lastFetchedEpoch: -1, logStartOffset: p.logStartOffset, partitionMaxBytes });
      byTopic.set(p.topic, partitions);
    }
    const body = {
      replicaId: this.options.nodeId,
      maxWaitMs: this.options.maxWaitMs,
      minBytes: 1,
      maxBytes: RESPONSE_MAX_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      forgottenTopicsData: [],
      rackId: '',
    };
    const response = await conn.sendVersion(FETCH, FETCH_VERSION, body, { timeoutMs: this.options.maxWaitMs + 30_000 });
    let failed = false;
    const durable: Promise<unknown>[] = [];
    for (const t of response.responses) {
      for (const r of t.partitions) {
        const f = asked.find((x) => x.partition.topic === t.topic && x.partition.index === r.partitionIndex);
        // Dropped or followed anew (another epoch) while the fetch was out: its answer is stale.
        if (!f || this.followed.get(f.partition) !== f) continue;
        if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && r.logStartOffset > f.partition.logEndOffset) {
          this.startAtLeaderLogStart(f, r.logStartOffset);
          continue;
        }
        if (r.errorCode !== ErrorCode.NONE) {
          failed = this.partitionFailed(f, r.errorCode) || failed;
          continue;
        }
        if (throttled(f.partition)) throttle.record((r.records as Buffer | null)?.length ?? 0);
        const appended = this.append(f, r.records as Buffer | null);
        if (appended !== null) durable.push(appended);
        f.partition.followLeaderHighWatermark(r.highWatermark);
        this.followLogStart(f, r.logStartOffset);
      }
    }
    // Appended (written or copied): the answer's block is free; one view of it gives it back.
    const frame = anyRecords(response);
    if (frame) this.options.buffers.give(frame);
    // The next fetch offsets are what this broker holds durably: the leader counts them towards its high watermark.
    await Promise.all(durable);
    return failed;
  }

  /** Appends what the leader sent; returns the wait for its durability, null when nothing was appended. */
  private append(f: Followed, records: Buffer | null): Promise<unknown> | null {
    if (records === null || records.length === 0) return null;
    const p = f.partition;
    try {
      const { lastOffset } = p.appendReplicated(records);
      return p.log.awaitDurable(lastOffset).catch((err) => {
        this.options.log.error({ err, topic: p.topic, partition: p.index }, 'replica flush failed; the partition stops following');
        this.followed.delete(p);
      });
    } catch (err) {
      this.options.log.error({ err, topic: p.topic, partition: p.index }, 'replica append failed; the partition stops following');
      this.followed.delete(p);
      return null;
    }
  }

  /** The leader no longer has the records after this replica's log end (retention, DeleteRecords): the replica goes on from the leader's log start. */
  private startAtLeaderLogStart(f: Followed, leaderLogStart: number): void {
    const p = f.partition;
    this.options.log.warn({ topic: p.topic, partition: p.index, logEndOffset: p.logEndOffset, leaderLogStartOffset: leaderLogStart }, "the replica's log ends before its leader's log start; it is emptied and goes on from there");
    try {
      p.startAt(leaderLogStart);
      this.options.onTruncated(p);
    } catch (err) {
      this.options.log.error({ err, topic: p.topic, partition: p.index }, 'emptying the replica failed; the partition stops following');
      this.followed.delete(p);
    }
  }

  /** Records the leader deleted (DeleteRecords, retention) go here too, as far as this replica holds them. */
  private followLogStart(f: Followed, leaderLogStart: number): void {
    const p = f.partition;
    if (leaderLogStart <= p.logStartOffset || !this.followed.has(p)) return;
    try {
      p.log.advanceLogStart(Math.min(leaderLogStart, p.logEndOffset));
    } catch (err) {
      this.options.log.warn({ err, topic: p.topic, partition: p.index }, "could not follow the leader's log start; kept as it was");
    }
  }

  /** FENCED_LEADER_EPOCH: this broker's epoch is old, the control plane's next state will bring the new one. Others: try again after a backoff (returns true). */
  private partitionFailed(f: Followed, errorCode: number): boolean {
    const p = f.partition;
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      // The leader's log no longer has (or not yet has) this offset: find the divergence again.
      f.state = 'truncating';
      return true;
    }
    if (errorCode === ErrorCode.FENCED_LEADER_EPOCH) {
      f.state = 'fenced';
      this.options.log.info({ topic: p.topic, partition: p.index, leaderEpoch: f.leaderEpoch }, 'fenced by a newer leader epoch; waiting for the next state');
      return false;
    }
    this.options.log.debug({ topic: p.topic, partition: p.index, errorCode, leader: this.leader.nodeId }, 'replica fetch answered an error; retrying');
    return true;
  }

  /** Waits `ms`, or less when follow() or close() wakes the loop. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}

/** A view of the answer's frame: any partition's records, or null when none carries any. */
function anyRecords(response: Message): Buffer | null {
  for (const t of response.responses) for (const r of t.partitions) if (r.records) return r.records as Buffer;
  return null;
}
