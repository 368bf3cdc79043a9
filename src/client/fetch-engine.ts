// The consumers' fetch engine (AssignedConsumer and GroupConsumer): fetches
// each partition from its leader, keeps what came as bytes per partition, and
// hands records out one at a time as the application takes them.
//
//   assign / seek / pause / resume ──► partitions (PartitionState by partitionKey)
//   take(max): records from the queues, round robin over unpaused partitions,
//              then pump(): per leader without a fetch in flight, one Fetch of
//              its fetchable partitions, sized to the room under maxBufferedBytes
//   a response ──► FetchedRecords queued per partition (bytes, decoded on take)
//
// Fetches start only from take(), as in Kafka's consumer: the fetch sent while
// the records just taken are being handled is the prefetch, and a consumer the
// application stops polling sends nothing more.
//
// Invariant: bufferedBytes (queued batches not yet reached) + the max_bytes of
// the fetches in flight <= maxBufferedBytes. A broker still sends a
// partition's first batch whole past max_bytes (KIP-74), so the buffer can
// exceed the limit by at most one batch per fetch.

import diagnostics_channel from 'node:diagnostics_channel';
import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import { ClientError, KafkaError } from './client-error.js';
import { AbortedTransactions } from './aborted-transactions.js';
import { type ConsumedRecord, FetchedRecords } from './fetched-records.js';
import type { KafkaClient, TopicInfo } from './kafka-client.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';

export interface FetchOptions {
  /** How long the broker may hold a fetch that finds nothing (ms). Default 500. */
  maxWaitMs?: number;
  /** Bytes per partition per fetch. Default 1 MiB. */
  partitionMaxBytes?: number;
  /** Bytes per fetch response. Default 50 MiB. */
  maxBytes?: number;
  /** Fetched bytes held for the application, plus those asked for in flight (see fetch-engine.ts). Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Pause before asking for metadata again after a fetch error that calls for it (ms). Default 100. */
  retryBackoffMs?: number;
  /** 'read_committed': only committed transactions' records, up to the last stable offset (KIP-98). Default 'read_uncommitted'. */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
}

/** How the engine treats a fetch position outside the log (OFFSET_OUT_OF_RANGE). */
export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';

export interface FetchPosition {
  topic: string;
  partition: number;
  /** Next offset to read. */
  offset: number;
}

/**
 * Published on every Fetch the engine sends, when someone subscribes:
 * `{ nodeId, maxBytes, partitions: [{ topic, partition, fetchOffset, currentLeaderEpoch }] }`.
 */
export const fetchChannel = diagnostics_channel.channel('sluice:client:fetch');

/** Fetch errors after which the topic's metadata is asked again and the partition fetched from the leader it names. */
const REFRESH_METADATA = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
]);

const FETCH = { request: FetchRequest, response: FetchResponse };

/** What waitForData() saw: records or an empty fetch ('data'), nothing for maxWaitMs ('idle'), or metadata / positions changed ('changed'). */
export type WaitOutcome = 'data' | 'idle' | 'changed';

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Offset after the last record taken: what a commit stores. */
  position: number;
  /** Next offset to fetch: after the queued batches. */
  fetchOffset: number;
  readonly queue: FetchedRecords[];
  paused: boolean;
  /** A fetch naming this partition is in flight. */
  inFlight: boolean;
  /** Finding the reset offset after OFFSET_OUT_OF_RANGE. */
  resetting: boolean;
  /** Grows on every seek: a response to a fetch sent before it is dropped. */
  epoch: number;
  /** Where lag is counted to: the high watermark (read_committed: the last stable offset) of the last fetch response; -1 before one. */
  readableEnd: number;
}

/** A partition as named in a fetch in flight, with what it was asked for. */
interface Sent {
  state: PartitionState;
  epoch: number;
  fetchOffset: number;
  /** From the metadata the fetch was routed by. */
  topicId: Buffer;
  leaderEpoch: number;
}

export class FetchEngine {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly topics = new Map<string, TopicInfo>();
  private readonly refreshing = new Set<string>();
  private readonly busyLeaders = new Set<number>();
  private readonly waiters = new Set<(outcome: WaitOutcome) => void>();
  private bufferedBytes = 0;
  private reservedBytes = 0;
  private error: Error | null = null;
  private turn = 0;
  private closed = false;
  private readonly maxWaitMs: number;
  private readonly maxBytes: number;
  private readonly partitionMaxBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly retryBackoffMs: number;
  private readonly readCommitted: boolean;

  constructor(
    private readonly client: KafkaClient,
    options: FetchOptions,
    private readonly resetPolicy: OffsetResetPolicy,
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
    this.partitionMaxBytes = options.partitionMaxBytes ?? 1024 * 1024;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.readCommitted = options.isolationLevel === 'read_committed';
  }

  /**
   * Replaces the partitions read with `list`. A partition already read keeps its
   * position and buffered records (a cooperative rebalance keeps them); a new
   * one starts at its offset; what is buffered or in flight for a partition no
   * longer in the list is dropped.
   */
  assign(list: FetchPosition[]): void {
    const kept = new Map<string, PartitionState>();
    for (const { topic, partition } of list) {
      const key = partitionKey(topic, partition);
      const state = this.partitions.get(key);
      if (state) kept.set(key, state);
    }
    for (const [key, state] of this.partitions) if (!kept.has(key)) this.dropQueue(state);
    this.partitions.clear();
    for (const { topic, partition, offset } of list) {
      const key = partitionKey(topic, partition);
      const state = kept.get(key);
      if (state) {
        this.partitions.set(key, state);
        continue;
      }
      this.partitions.set(key, {
        topic,
        partition,
        position: offset,
        fetchOffset: offset,
        queue: [],
        paused: false,
        inFlight: false,
        resetting: false,
        epoch: 0,
        readableEnd: -1,
      });
    }
    this.notify('changed');
  }

  /** The next offset take() reads from the partition; undefined when it is not assigned. */
  position(topic: string, partition: number): number | undefined {
    return this.partitions.get(partitionKey(topic, partition))?.position;
  }

  /** Records after the position up to the high watermark (read_committed: last stable offset) of the last fetch response; undefined before one. */
  lag(topic: string, partition: number): number | undefined {
    const state = this.partitions.get(partitionKey(topic, partition));
    if (!state || state.readableEnd < 0) return undefined;
    return Math.max(0, state.readableEnd - state.position);
  }

  /** Reads the partition from `offset` on; what was buffered or is in flight for it is dropped. */
  seek(topic: string, partition: number, offset: number): void {
    const state = this.assigned(topic, partition);
    this.dropQueue(state);
    state.epoch++;
    state.position = offset;
    state.fetchOffset = offset;
    this.notify('changed');
  }

  /** Stops fetching the partitions and handing out their records; what is buffered stays for resume(). */
  pause(list: { topic: string; partition: number }[]): void {
    for (const { topic, partition } of list) this.assigned(topic, partition).paused = true;
  }

  resume(list: { topic: string; partition: number }[]): void {
    for (const { topic, partition } of list) this.assigned(topic, partition).paused = false;
    this.notify('changed');
  }

  /** Bytes of fetched batches held and not yet reached by take(). */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /**
   * Up to `maxRecords` buffered records, in offset order per partition, then
   * starts the fetches there is room for. Throws the error a fetch met since
   * the last call (once; the next call fetches again).
   */
  take(maxRecords = Infinity): ConsumedRecord[] {
    if (this.error) {
      const err = this.error;
      this.error = null;
      throw err;
    }
    const out: ConsumedRecord[] = [];
    const ready = [...this.partitions.values()].filter((s) => !s.paused && s.queue.length > 0);
    const first = ready.length === 0 ? 0 : this.turn++ % ready.length;
    for (let i = 0; i < ready.length && out.length < maxRecords; i++) this.takeFrom(ready[(first + i) % ready.length], out, maxRecords);
    this.pump();
    return out;
  }

  /**
   * Resolves once a fetch answered ('data', records or not) or something the
   * fetching depends on changed ('changed'), at once when records are
   * buffered; with no fetch in flight, after maxWaitMs ('idle').
   */
  waitForData(): Promise<WaitOutcome> {
    if (this.closed || this.error || [...this.partitions.values()].some((s) => !s.paused && s.queue.length > 0)) return Promise.resolve('data');
    return new Promise((resolve) => {
      const timer = this.busyLeaders.size === 0 ? setTimeout(() => done('idle'), this.maxWaitMs) : null;
      const done = (outcome: WaitOutcome) => {
        if (timer) clearTimeout(timer);
        this.waiters.delete(done);
        resolve(outcome);
      };
      this.waiters.add(done);
    });
  }

  /** take(), waiting for a fetch when nothing is buffered: returns [] after one that found nothing. */
  async poll(maxRecords = Infinity): Promise<ConsumedRecord[]> {
    for (;;) {
      const records = this.take(maxRecords);
      if (records.length > 0 || this.closed) return records;
      if ((await this.waitForData()) !== 'changed') return this.take(maxRecords);
    }
  }

  /** Stops fetching; a waitForData() in progress resolves. Responses still in flight are dropped. */
  close(): void {
    this.closed = true;
    this.assign([]);
  }

  // ---- fetching --------------------------------------------------------------------------------

  private pump(): void {
    if (this.closed || this.error) return;
    const byLeader = new Map<number, Sent[]>();
    for (const state of this.partitions.values()) {
      if (state.paused || state.inFlight || state.resetting) continue;
      const info = this.topics.get(state.topic);
      const meta = info?.partitions.find((p) => p.partition === state.partition);
      const leader = meta?.leader ?? -1;
      if (!info || !meta || leader < 0) {
        // Known without a leader for the partition (an election under way): ask again after the backoff.
        this.refresh(state.topic, this.topics.has(state.topic) ? this.retryBackoffMs : 0);
        continue;
      }
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push({ state, epoch: state.epoch, fetchOffset: state.fetchOffset, topicId: info.topicId, leaderEpoch: meta.leaderEpoch });
    }
    const idle = [...byLeader].filter(([leader]) => !this.busyLeaders.has(leader));
    idle.forEach(([leader, list], i) => {
      // The room is shared among the leaders asked now, so that one cannot take it all.
      const share = Math.floor((this.maxBufferedBytes - this.bufferedBytes - this.reservedBytes) / (idle.length - i));
      const maxBytes = Math.min(this.maxBytes, list.length * this.partitionMaxBytes, share);
      if (maxBytes > 0) void this.fetchFrom(leader, list, maxBytes);
    });
  }

  private async fetchFrom(leader: number, sent: Sent[], maxBytes: number): Promise<void> {
    for (const s of sent) s.state.inFlight = true;
    this.busyLeaders.add(leader);
    this.reservedBytes += maxBytes;
    let res: Message | null = null;
    try {
      const request = this.request(sent, maxBytes);
      if (fetchChannel.hasSubscribers) fetchChannel.publish({ nodeId: leader, maxBytes, partitions: request.topics.flatMap((t: Message) => t.partitions.map((p: Message) => ({ topic: t.topic, ...p }))) });
      // A long poll may take maxWaitMs before the broker answers at all.
      res = await (await this.client.node(leader, 'fetch')).send(FETCH, request, { timeoutMs: this.maxWaitMs + this.client.requestTimeoutMs });
    } catch (err) {
      if (!this.closed) this.error ??= err as Error;
    } finally {
      for (const s of sent) s.state.inFlight = false;
      this.busyLeaders.delete(leader);
      this.reservedBytes -= maxBytes;
    }
    if (res && !this.closed) this.apply(sent, res);
    this.notify('data');
  }

  private request(sent: Sent[], maxBytes: number): Message {
    const byTopic = new Map<string, { topicId: Buffer; partitions: Message[] }>();
    for (const { state, fetchOffset, topicId, leaderEpoch } of sent) {
      let topic = byTopic.get(state.topic);
      if (!topic) byTopic.set(state.topic, (topic = { topicId, partitions: [] }));
      topic.partitions.push({
        partition: state.partition,
        // Fenced by a leader that knows a newer epoch (KIP-320, Fetch v9+).
        currentLeaderEpoch: leaderEpoch,
        fetchOffset,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: Math.min(this.partitionMaxBytes, maxBytes),
      });
    }
    return {
      replicaId: -1,
      maxWaitMs: this.maxWaitMs,
      minBytes: 1,
      maxBytes,
      isolationLevel: this.readCommitted ? 1 : 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, { topicId, partitions }]) => ({ topic, topicId, partitions })),
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  private apply(sent: Sent[], res: Message): void {
    const byKey = new Map(sent.map((s) => [partitionKey(s.state.topic, s.state.partition), s]));
    // v13+ answers by topic id, without the name.
    const names = new Map(sent.map((s) => [s.topicId.toString('hex'), s.state.topic]));
    for (const t of res.responses as Message[]) {
      const topic: string = t.topic || names.get((t.topicId as Buffer).toString('hex')) || '';
      for (const p of t.partitions as Message[]) {
        const key = partitionKey(topic, p.partitionIndex);
        const s = byKey.get(key);
        // A partition unassigned or sought since the fetch went out: its answer is stale.
        if (!s || this.partitions.get(key) !== s.state || s.state.epoch !== s.epoch) continue;
        this.applyPartition(s, p);
      }
    }
  }

  private applyPartition({ state, fetchOffset }: Sent, p: Message): void {
    const code: number = p.errorCode;
    if (code === ErrorCode.NONE) {
      state.readableEnd = this.readCommitted ? p.lastStableOffset : p.highWatermark;
      if (!p.records || p.records.length === 0) return;
      const aborted = this.readCommitted && p.abortedTransactions?.length ? new AbortedTransactions(p.abortedTransactions) : null;
      const fetched = new FetchedRecords(state.topic, state.partition, p.records, fetchOffset, aborted);
      if (fetched.nextOffset <= fetchOffset) return;
      state.queue.push(fetched);
      state.fetchOffset = fetched.nextOffset;
      this.bufferedBytes += fetched.pendingBytes;
    } else if (code === ErrorCode.OFFSET_OUT_OF_RANGE && this.resetPolicy !== 'none') {
      this.reset(state);
    } else if (REFRESH_METADATA.has(code)) {
      this.refresh(state.topic, this.retryBackoffMs);
    } else {
      this.error ??= new KafkaError(code, null, `fetch ${state.topic}-${state.partition} at offset ${fetchOffset}`);
    }
  }

  /** Seeks a partition whose position left the log to its earliest or latest offset, by the reset policy. */
  private reset(state: PartitionState): void {
    state.resetting = true;
    const epoch = state.epoch;
    const timestamp = this.resetPolicy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
    listOffsets(this.client, [{ topic: state.topic, partitions: [state.partition] }], timestamp, this.readCommitted ? 1 : 0)
      .then(
        (offsets) => {
          const offset = offsets.get(partitionKey(state.topic, state.partition));
          if (offset !== undefined && this.partitions.get(partitionKey(state.topic, state.partition)) === state && state.epoch === epoch) {
            this.seek(state.topic, state.partition, offset);
          }
        },
        (err: Error) => {
          this.error ??= err;
        },
      )
      .finally(() => {
        state.resetting = false;
        this.notify('changed');
      });
  }

  /** Asks for `topic`'s metadata again (after `delayMs`); its partitions wait for it. */
  private refresh(topic: string, delayMs = 0): void {
    if (this.refreshing.has(topic) || this.closed) return;
    this.refreshing.add(topic);
    this.topics.delete(topic);
    const wait = delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve();
    wait
      .then(() => this.client.topic(topic))
      .then(
        (info) => {
          this.topics.set(topic, info);
        },
        (err: Error) => {
          // A topic not there (yet) is asked for again at the next take(), after the backoff.
          if (err instanceof KafkaError && REFRESH_METADATA.has(err.errorCode)) return new Promise((resolve) => setTimeout(resolve, this.retryBackoffMs));
          this.error ??= err;
        },
      )
      .finally(() => {
        this.refreshing.delete(topic);
        this.notify('changed');
      });
  }

  // ---- buffer ----------------------------------------------------------------------------------

  private takeFrom(state: PartitionState, out: ConsumedRecord[], maxRecords: number): void {
    while (out.length < maxRecords && state.queue.length > 0) {
      const head = state.queue[0];
      const before = head.pendingBytes;
      let record: ConsumedRecord | null = null;
      try {
        while (out.length < maxRecords && (record = head.take()) !== null) out.push(record);
      } catch (err) {
        // A batch that cannot be decoded: reported at the next take(), and fetched again from after the records taken.
        this.error ??= err as Error;
        this.bufferedBytes -= before - head.pendingBytes;
        state.position = head.position;
        this.dropQueue(state);
        state.epoch++;
        state.fetchOffset = state.position;
        return;
      }
      this.bufferedBytes -= before - head.pendingBytes;
      state.position = head.position;
      if (record !== null) return;
      state.queue.shift();
    }
  }

  private dropQueue(state: PartitionState): void {
    for (const fetched of state.queue) this.bufferedBytes -= fetched.pendingBytes;
    state.queue.length = 0;
  }

  private assigned(topic: string, partition: number): PartitionState {
    const state = this.partitions.get(partitionKey(topic, partition));
    if (!state) throw new ClientError('SLUICE_ERR_NOT_ASSIGNED', `partition ${topic}-${partition} is not assigned to this consumer`);
    return state;
  }

  private notify(outcome: WaitOutcome): void {
    for (const wake of [...this.waiters]) wake(outcome);
  }
}
