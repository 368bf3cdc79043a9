// Drains closed batches into Produce requests: all ready batches whose
// partitions one broker leads go in one request (one batch per partition, up
// to maxRequestBytes), with at most maxInFlight requests per broker
// connection. The broker answers a connection's requests in order and
// appends in arrival order, so batches of a partition land in the order
// they were closed.
//
// Retries: a batch that fails with a retriable error (connection lost,
// NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, ...) goes
// back into its partition's queue in its place and is sent again after
// retryBackoffMs (after a metadata refresh when the leader may have moved),
// until deliveryTimeoutMs after its creation. While a partition has a batch
// to retry it has one batch in flight at a time, so order holds. With
// idempotence each batch gets its sequence numbers when first sent and keeps
// them on every retry, so the broker recognises a resend of a batch it
// already wrote; an OUT_OF_ORDER_SEQUENCE_NUMBER behind a retried batch is
// just that batch's successor arriving first, and is retried too.

import type { Clock } from '../../clock.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode, isRetriable } from '../../protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import { Codec } from '../../protocol/record-batch.js';
import { ClientError, KafkaError } from '../client-error.js';
import type { KafkaClient } from '../kafka-client.js';
import type { ProducerBatch } from './producer-batch.js';
import type { ProducerIdentity } from './producer-identity.js';
import type { PartitionQueue, RecordAccumulator } from './record-accumulator.js';
import type { TransactionManager } from './transaction-manager.js';

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };

/** Errors after which the partition's leader may have moved: metadata is refreshed before the retry. */
const STALE_METADATA = new Set<number>([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

export interface SenderOptions {
  acks: 0 | 1 | -1;
  codec: Codec;
  timeoutMs: number;
  maxInFlight: number;
  maxRequestBytes: number;
  retryBackoffMs: number;
  deliveryTimeoutMs: number;
  clock: Clock;
  /** Producer id, epoch and sequences; null without idempotence. */
  identity: ProducerIdentity | null;
  /** A transactional producer's transaction state; null otherwise. */
  transactions: TransactionManager | null;
  /** The partition's leader as last known; -1 when it has none. */
  leaderOf: (topic: string, partition: number) => number;
  /** Fetches fresh metadata for `topic`. */
  refreshMetadata: (topic: string) => Promise<void>;
  /** A batch was answered (after its records were told); `err` when it failed. */
  onBatchDone: (batch: ProducerBatch, err: Error | null) => void;
}

export class Sender {
  private readonly inFlight = new Map<number, number>();
  private requestsInFlight = 0;
  private drainQueued = false;
  /** When a drain is scheduled for a batch waiting out its retry backoff; Infinity when none is. */
  private backoffWakeAt = Number.POSITIVE_INFINITY;
  /** The producer's id must be (re)initialised before anything more is sent (KIP-360 epoch bump). */
  private identityWanted: boolean;
  private initialising = false;
  private readonly identityWaiters: (() => void)[] = [];

  constructor(
    private readonly client: KafkaClient,
    private readonly accumulator: RecordAccumulator,
    private readonly options: SenderOptions,
  ) {
    this.identityWanted = options.identity !== null;
  }

  /** Drains once the current synchronous work is done, so batches closed together share requests. */
  wake(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    queueMicrotask(() => {
      this.drainQueued = false;
      this.drain();
    });
  }

  /** Resolves once the producer has its id (InitProducerId answered). */
  async ensureIdentity(): Promise<void> {
    while (this.identityWanted) {
      this.wake();
      await new Promise<void>((resolve) => this.identityWaiters.push(resolve));
    }
  }

  /** Puts the closed batches in requests now, as far as maxInFlight allows (a sendBatch call does not wait for the next microtask). */
  drain(): void {
    if (this.identityWanted) {
      // An epoch bump waits until nothing is in flight: every sequence is then settled.
      if (!this.initialising && this.requestsInFlight === 0) void this.initIdentity();
      return;
    }
    const { clock, maxInFlight, maxRequestBytes, identity, transactions } = this.options;
    const now = clock.now();
    let backoffEnds = Number.POSITIVE_INFINITY;
    for (;;) {
      const requests = new Map<number, { batches: ProducerBatch[]; bytes: number }>();
      for (const q of this.accumulator.readyQueues()) {
        const batch = q.ready[0];
        if (now >= batch.createdAt + this.options.deliveryTimeoutMs) {
          q.ready.shift();
          this.fail(q, batch, batch.lastError ?? new ClientError('SLUICE_ERR_DELIVERY_TIMEOUT', `no answer for ${q.topic}-${q.partition} within deliveryTimeoutMs`));
          continue;
        }
        if (batch.notBefore > now) {
          backoffEnds = Math.min(backoffEnds, batch.notBefore);
          continue;
        }
        if (q.inFlight >= maxInFlight || (q.retries > 0 && q.inFlight > 0)) continue;
        if (transactions?.failure) {
          q.ready.shift();
          this.fail(q, batch, transactions.failure);
          continue;
        }
        if (transactions && !transactions.canSend(q.topic, q.partition)) continue;
        const leader = this.options.leaderOf(q.topic, q.partition);
        if (leader < 0) {
          q.ready.shift();
          this.retryOrFail(q, batch, new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, null, `produce to ${q.topic}-${q.partition}`));
          continue;
        }
        if ((this.inFlight.get(leader) ?? 0) >= maxInFlight) continue;
        let request = requests.get(leader);
        if (!request) requests.set(leader, (request = { batches: [], bytes: 0 }));
        const size = batch.sizeInBytes;
        if (request.batches.length > 0 && request.bytes + size > maxRequestBytes) continue;
        q.ready.shift();
        q.inFlight++;
        if (identity && batch.baseSequence < 0) batch.baseSequence = identity.nextSequence(q.topic, q.partition, batch.recordCount);
        request.batches.push(batch);
        request.bytes += size;
      }
      if (requests.size === 0) return this.wakeWhenBackoffEnds(backoffEnds, now);
      for (const [leader, { batches }] of requests) {
        this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1);
        this.requestsInFlight++;
        void this.produce(leader, batches);
      }
    }
  }

  /**
   * A retry's own timer may fire a millisecond before the clock reaches its
   * notBefore (timers count from the event loop's cached time), finding it not
   * yet due: the batch would then wait for a wake that never comes.
   */
  private wakeWhenBackoffEnds(at: number, now: number): void {
    if (at === Number.POSITIVE_INFINITY || at >= this.backoffWakeAt) return;
    this.backoffWakeAt = at;
    this.options.clock.schedule(Math.max(1, at - now), () => {
      this.backoffWakeAt = Number.POSITIVE_INFINITY;
      this.wake();
    });
  }

  private async initIdentity(): Promise<void> {
    const identity = this.options.identity as ProducerIdentity;
    this.initialising = true;
    try {
      const bump = identity.initialized;
      await identity.init();
      if (bump) this.resequence(identity);
      this.identityWanted = false;
    } catch {
      // The broker may be unreachable for now; batches keep their delivery timeout.
      this.options.clock.schedule(this.options.retryBackoffMs, () => this.wake());
      this.expireWaiting();
    } finally {
      this.initialising = false;
      for (const resolve of this.identityWaiters.splice(0)) resolve();
      this.wake();
    }
  }

  /** After an epoch bump every sequence starts at 0: batches already numbered get new numbers, in their order. */
  private resequence(identity: ProducerIdentity): void {
    for (const q of this.accumulator.readyQueues()) {
      for (const b of q.ready) {
        if (b.baseSequence >= 0) b.restamp(identity.producerId, identity.producerEpoch, identity.nextSequence(q.topic, q.partition, b.recordCount));
      }
    }
  }

  /** Fails batches past their delivery timeout while nothing can be sent. */
  private expireWaiting(): void {
    const now = this.options.clock.now();
    for (const q of this.accumulator.readyQueues()) {
      while (q.ready.length > 0 && now >= q.ready[0].createdAt + this.options.deliveryTimeoutMs) {
        const batch = q.ready.shift() as ProducerBatch;
        this.fail(q, batch, batch.lastError ?? new ClientError('SLUICE_ERR_DELIVERY_TIMEOUT', `no producer id for ${q.topic}-${q.partition} within deliveryTimeoutMs`));
      }
    }
  }

  private async produce(leader: number, batches: ProducerBatch[]): Promise<void> {
    const { acks, codec, timeoutMs, identity, transactions } = this.options;
    const byTopic = new Map<string, { name: string; partitionData: { index: number; records: Buffer }[] }>();
    for (const b of batches) {
      let t = byTopic.get(b.topic);
      if (!t) byTopic.set(b.topic, (t = { name: b.topic, partitionData: [] }));
      const records = identity
        ? b.records({ codec, producerId: identity.producerId, producerEpoch: identity.producerEpoch, baseSequence: b.baseSequence, transactional: transactions !== null })
        : b.records({ codec });
      t.partitionData.push({ index: b.partition, records });
    }
    const body = { transactionalId: transactions?.transactionalId ?? null, acks, timeoutMs, topicData: [...byTopic.values()] };
    const outcomes: [ProducerBatch, Error | null, number, number][] = [];
    try {
      const conn = await this.client.node(leader, 'produce');
      if (acks === 0) {
        conn.sendNoResponse(PRODUCE, body);
        for (const b of batches) outcomes.push([b, null, -1, -1]);
      } else {
        const res = await conn.send(PRODUCE, body);
        const byPartition = new Map(batches.map((b) => [`${b.topic}\0${b.partition}`, b]));
        for (const t of res.responses as Message[]) {
          for (const p of t.partitionResponses as Message[]) {
            const key = `${t.name}\0${p.index}`;
            const batch = byPartition.get(key);
            if (!batch) continue;
            byPartition.delete(key);
            const err = p.errorCode === ErrorCode.NONE ? null : new KafkaError(p.errorCode, p.errorMessage ?? null, `produce to ${t.name}-${p.index}`);
            outcomes.push([batch, err, p.baseOffset, p.logAppendTimeMs ?? -1]);
          }
        }
        for (const b of byPartition.values()) {
          outcomes.push([b, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'partition missing from the response', `produce to ${b.topic}-${b.partition}`), -1, -1]);
        }
      }
    } catch (err) {
      for (const b of batches) outcomes.push([b, err as Error, -1, -1]);
    }
    this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1);
    this.requestsInFlight--;
    for (const [batch, err, baseOffset, logAppendTime] of outcomes) {
      const q = this.accumulator.queue(batch.topic, batch.partition);
      q.inFlight--;
      if (err) this.retryOrFail(q, batch, err);
      else this.succeed(q, batch, baseOffset, logAppendTime);
    }
    this.wake();
  }

  private succeed(q: PartitionQueue, batch: ProducerBatch, baseOffset: number, logAppendTime: number): void {
    if (batch.retrying) q.retries--;
    batch.succeed(baseOffset, logAppendTime);
    this.options.onBatchDone(batch, null);
  }

  private fail(q: PartitionQueue, batch: ProducerBatch, err: Error): void {
    if (batch.retrying) q.retries--;
    batch.fail(err);
    this.options.onBatchDone(batch, err);
  }

  private retryOrFail(q: PartitionQueue, batch: ProducerBatch, err: Error): void {
    const { clock, retryBackoffMs, deliveryTimeoutMs, identity } = this.options;
    const code = err instanceof KafkaError ? err.errorCode : null;
    let retriable = code === null ? !(err instanceof ClientError) || err.code === 'SLUICE_ERR_CONNECTION' : isRetriable(code);
    if (identity && (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID)) {
      // Behind a batch being retried, a gap is expected; otherwise the broker lost our state: bump the epoch (KIP-360).
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID || q.retries === 0 || (batch.retrying && q.retries === 1)) this.identityWanted = true;
      retriable = true;
    }
    const now = clock.now();
    if (!retriable || now + retryBackoffMs >= batch.createdAt + deliveryTimeoutMs) return this.fail(q, batch, err);
    if (!batch.retrying) {
      batch.retrying = true;
      q.retries++;
    }
    batch.lastError = err;
    batch.notBefore = now + retryBackoffMs;
    let at = 0;
    while (at < q.ready.length && q.ready[at].serial < batch.serial) at++;
    q.ready.splice(at, 0, batch);
    const staleMetadata = code === null || STALE_METADATA.has(code);
    clock.schedule(retryBackoffMs, () => {
      if (!staleMetadata) return this.wake();
      this.options.refreshMetadata(batch.topic).finally(() => this.wake());
    });
  }
}
