// Producer: records go into per-partition batches (RecordAccumulator) that the
// Sender ships, one Produce request per leader, once they are full or have
// lingered lingerMs. Every record gets a promise of its RecordMetadata.
//
//   send(topic, record)        ─┐    partition: explicit, murmur2(key), or sticky
//   sendBatch(topic, records)  ─┴─►  BufferLimit (waits while bufferBytes are held)
//                                    ─► RecordAccumulator ─► Sender ─► broker
//
// Records keep their call order per partition: a record that has to wait
// (topic metadata, or buffer room) makes every later one wait behind it.
// Failed batches are retried until deliveryTimeoutMs (Sender); with
// idempotence (the default with acks=all) a retry is never written twice.

import { type Clock, systemClock } from '../clock.js';
import { Codec } from '../protocol/record-batch.js';
import type { NewRecord } from '../protocol/records.js';
import { ClientError } from './client-error.js';
import type { KafkaClient, TopicInfo } from './kafka-client.js';
import { BatchBufferPool } from './producer/batch-buffer-pool.js';
import { BufferLimit } from './producer/buffer-limit.js';
import { type DeliverySink, batchDelivery, singleDelivery } from './producer/delivery.js';
import { Partitioner } from './producer/partitioner.js';
import { ProducerIdentity } from './producer/producer-identity.js';
import { type TopicPartitionOffset, TransactionManager } from './producer/transaction-manager.js';
import type { ProducerBatch } from './producer/producer-batch.js';
import { RecordAccumulator } from './producer/record-accumulator.js';
import type { RecordMetadata } from './producer/record-metadata.js';
import type { SentBatch } from './producer/sent-batch.js';
import { Sender } from './producer/sender.js';

export type { RecordMetadata } from './producer/record-metadata.js';
export { SentBatch } from './producer/sent-batch.js';
export type { TopicPartitionOffset } from './producer/transaction-manager.js';

export type Acks = 0 | 1 | -1;

export interface ProducerRecord extends NewRecord {
  partition?: number;
}

export interface ProducerOptions {
  /** 0: no answer, 1: leader appended, -1 (all): committed. Default -1. */
  acks?: Acks;
  /** Codec of every batch. Default none. */
  codec?: Codec;
  /** Broker-side wait for acks (ms). Default 30000. */
  timeoutMs?: number;
  /** How long a batch waits for more records after its first (ms). Default 5, as librdkafka (Kafka's Java client since 4.0). */
  lingerMs?: number;
  /**
   * A batch closes at this many bytes (uncompressed). Default 1000000, as
   * librdkafka's batch.size (Java's is 16384): a broker spends per batch, so
   * large batches are what makes 1 KiB records cheap to store; a batch grows
   * as records come, so a small default buys no memory.
   */
  batchBytes?: number;
  /** Produce requests in flight per broker connection. Default 5, Kafka's max.in.flight.requests.per.connection. */
  maxInFlight?: number;
  /** Bytes of records the producer holds before send() waits. Default 32 MiB, Kafka's buffer.memory. */
  bufferBytes?: number;
  /** Bytes of batches in one Produce request at most (a larger batch goes alone). Default 1 MiB, Kafka's max.request.size. */
  maxRequestBytes?: number;
  /**
   * Idempotence: a producer id and per-partition sequence numbers, so a
   * retried batch is never written twice. Default on with acks=all (as in
   * Kafka 3.0+); it needs acks=all, so with acks 0 or 1 the default is off.
   */
  idempotent?: boolean;
  /** How long a record may take from send() to its answer, retries included (ms). Default 120000, Kafka's delivery.timeout.ms. */
  deliveryTimeoutMs?: number;
  /** Wait before resending a failed batch (ms). Default 100, Kafka's retry.backoff.ms. */
  retryBackoffMs?: number;
  /** Makes the producer transactional (implies idempotence): records are sent only inside transaction(). */
  transactionalId?: string;
  /** How long the coordinator lets a transaction stay open before aborting it (ms). Default 60000, Kafka's transaction.timeout.ms. */
  transactionTimeoutMs?: number;
  /** Time and timers of linger and retries; tests pass a fake clock. */
  clock?: Clock;
}

/** What a transaction's body sends with: records, and consumed offsets to commit with them. */
export interface Transaction {
  send(topic: string, record: ProducerRecord): Promise<RecordMetadata>;
  sendBatch(topic: string, records: ProducerRecord[]): Promise<SentBatch>;
  /** Commits `groupId`'s offsets (of the next records to consume) if and only if the transaction commits. */
  sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
}

/** Bytes a record is charged against bufferBytes: its fields plus a record's fixed overhead. */
function chargeOf(r: NewRecord): number {
  let n = 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers) for (const h of r.headers) n += 8 + h.key.length + (h.value?.length ?? 0);
  return n;
}

export class Producer {
  private readonly buffer: BufferLimit;
  private readonly batchBuffers: BatchBufferPool;
  private readonly acks: Acks;
  private readonly partitioner = new Partitioner();
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly clock: Clock;
  /** Appends that wait for metadata or buffer room run one after another on this chain. */
  private admission: Promise<void> = Promise.resolve();
  private waitingAppends = 0;
  /** Records accepted by send/sendBatch and not yet answered. */
  private unsettled = 0;
  private readonly settledWaiters: (() => void)[] = [];
  private closed = false;
  private readonly transactions: TransactionManager | null;
  /** One transaction at a time: each waits for the one before. */
  private transactionChain: Promise<unknown> = Promise.resolve();
  private inTransaction = false;
  /** The first record of the open transaction that failed: the transaction cannot commit. */
  private transactionError: Error | null = null;

  constructor(
    private readonly client: KafkaClient,
    options: ProducerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    const acks = options.acks ?? -1;
    this.acks = acks;
    const { transactionalId } = options;
    const idempotent = transactionalId !== undefined || (options.idempotent ?? acks === -1);
    if (idempotent && acks !== -1) throw new ClientError('SLUICE_ERR_CONFIG', 'an idempotent or transactional producer needs acks=all (-1)');
    const retryBackoffMs = options.retryBackoffMs ?? 100;
    const transactional = transactionalId === undefined ? null : { transactionalId, transactionTimeoutMs: options.transactionTimeoutMs ?? 60_000 };
    const identity = idempotent ? new ProducerIdentity(client, transactional) : null;
    this.transactions = identity && transactionalId !== undefined ? new TransactionManager(client, transactionalId, identity, retryBackoffMs, () => this.sender.wake()) : null;
    this.buffer = new BufferLimit(options.bufferBytes ?? 32 * 1024 * 1024);
    const batchBytes = options.batchBytes ?? 1_000_000;
    // Idle pooled buffers are memory beyond bufferBytes: a few batches' worth at most.
    this.batchBuffers = new BatchBufferPool(Math.min(this.buffer.limit / 4, 4 * batchBytes));
    this.accumulator = new RecordAccumulator({
      batchBytes,
      lingerMs: options.lingerMs ?? 5,
      clock: this.clock,
      buffers: this.batchBuffers,
      onReady: () => this.sender.wake(),
      onBatchClosed: (topic, partition) => this.partitioner.batchClosed(topic, partition, this.client.lastKnownTopic(topic)?.partitions.length ?? 1),
    });
    this.sender = new Sender(client, this.accumulator, {
      acks,
      codec: options.codec ?? Codec.None,
      timeoutMs: options.timeoutMs ?? 30000,
      maxInFlight: options.maxInFlight ?? 5,
      maxRequestBytes: options.maxRequestBytes ?? 1024 * 1024,
      retryBackoffMs,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 120_000,
      clock: this.clock,
      identity,
      transactions: this.transactions,
      leaderOf: (topic, partition) => this.client.lastKnownTopic(topic)?.partitions[partition]?.leader ?? -1,
      refreshMetadata: (topic) => this.refreshMetadata(topic),
      onBatchDone: (batch, err) => this.batchDone(batch, err),
    });
  }

  /** Bytes of records held now (in batches not yet answered); never more than bufferBytes. */
  get bufferedBytes(): number {
    return this.buffer.bufferedBytes;
  }

  /**
   * Resolves once a record sent now would be buffered at once: no earlier
   * record waits and bufferBytes are not all held. send() itself never makes
   * its caller wait (records past the buffer queue up); a caller producing
   * faster than the broker takes awaits this between sends, as a Writable
   * stream's caller waits for 'drain'.
   */
  async ready(): Promise<void> {
    await this.admission;
    await this.buffer.charge(0);
  }

  /**
   * Runs `body` in a transaction: what it sends (and the offsets it sends)
   * commits together when it returns, and is aborted when it throws (the
   * error is rethrown), as is a transaction whose records fail.
   */
  transaction<T>(body: (tx: Transaction) => Promise<T>): Promise<T> {
    const run = this.transactionChain.then(() => this.runTransaction(body));
    this.transactionChain = run.catch(() => {});
    return run;
  }

  private async runTransaction<T>(body: (tx: Transaction) => Promise<T>): Promise<T> {
    const transactions = this.transactions;
    if (!transactions) throw new ClientError('SLUICE_ERR_CONFIG', 'transaction() needs a producer with a transactionalId');
    await this.sender.ensureIdentity();
    this.inTransaction = true;
    this.transactionError = null;
    const tx: Transaction = {
      send: (topic, record) => this.send(topic, record),
      sendBatch: (topic, records) => this.sendBatch(topic, records),
      sendOffsets: (groupId, offsets) => transactions.sendOffsets(groupId, offsets),
    };
    try {
      const result = await body(tx);
      await this.flush();
      if (this.transactionError) throw this.transactionError;
      this.inTransaction = false;
      await transactions.end(true);
      return result;
    } catch (err) {
      if (this.inTransaction) {
        await this.flush();
        this.inTransaction = false;
        await transactions.end(false);
      }
      throw err;
    }
  }

  /** Sends one record; resolves once the broker has it (as `acks` says), rejects with KafkaError when it refuses. */
  send(topic: string, record: ProducerRecord): Promise<RecordMetadata> {
    const { sink, promise } = singleDelivery();
    this.enqueue(topic, this.client.knownTopic(topic), record, sink, 0, this.clock.now());
    return promise;
  }

  /**
   * Sends records in order; resolves with each one's metadata, or rejects with
   * the first failure. The call is a batch the caller has already gathered, so
   * its records do not linger: their partitions' batches are sent at once (as
   * far as maxInFlight allows; records sent while requests are full still
   * join the waiting batches). A caller with several calls in flight thus
   * keeps requests going one after another instead of one large request at a time.
   */
  sendBatch(topic: string, records: ProducerRecord[]): Promise<SentBatch> {
    const { sink, promise } = batchDelivery(records.length);
    // One metadata lookup and one clock reading serve the whole call.
    const info = this.client.knownTopic(topic);
    const now = this.clock.now();
    for (let i = 0; i < records.length; i++) this.enqueue(topic, info, records[i], sink, i, now);
    if (this.waitingAppends === 0) this.sendNow(topic);
    else this.admission = this.admission.then(() => this.sendNow(topic));
    return promise;
  }

  private sendNow(topic: string): void {
    this.accumulator.closeTopic(topic);
    this.sender.drain();
  }

  /**
   * Sends every held record now, without lingering, and resolves once no
   * record is left unanswered (records sent meanwhile are waited for too).
   */
  async flush(): Promise<void> {
    while (this.unsettled > 0) {
      // Records still waiting for metadata or room join their batches first, so they fill them.
      await this.admission;
      // The lookups just awaited may have failed every record left: no answer would wake a waiter then.
      if (this.unsettled === 0) break;
      this.accumulator.closeAll();
      await new Promise<void>((resolve) => this.settledWaiters.push(resolve));
    }
  }

  /** Refuses new records, sends what is held and waits for its answers. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    this.accumulator.stop();
  }

  /** `cached` is the topic as the metadata cache knows it, `now` the send time (the record's default timestamp). */
  private enqueue(topic: string, cached: TopicInfo | undefined, record: ProducerRecord, sink: DeliverySink, slot: number, now: number): void {
    if (this.closed) return sink.failed(new ClientError('SLUICE_ERR_PRODUCER_CLOSED', 'the producer is closed'));
    if (this.transactions && !this.inTransaction) return sink.failed(new ClientError('SLUICE_ERR_CONFIG', 'a transactional producer sends only inside transaction()'));
    const bytes = chargeOf(record);
    if (bytes > this.buffer.limit) {
      return sink.failed(new ClientError('SLUICE_ERR_RECORD_TOO_LARGE', `a record of ${bytes} bytes is larger than bufferBytes (${this.buffer.limit})`));
    }
    this.unsettled++;
    let info = cached;
    // A partition the cached metadata lacks may have been added since: ask before refusing it.
    const stale = info !== undefined && record.partition !== undefined && record.partition >= info.partitions.length;
    if (stale) info = undefined;
    if (info && this.waitingAppends === 0 && this.buffer.tryCharge(bytes)) return this.append(info, record, sink, slot, bytes, now);
    this.waitingAppends++;
    this.admission = this.admission.then(async () => {
      try {
        const known = info ?? (stale ? await this.client.topic(topic, true) : await this.client.cachedTopic(topic, true));
        await this.buffer.charge(bytes);
        this.append(known, record, sink, slot, bytes, now);
      } catch (err) {
        this.settle(1);
        sink.failed(err as Error);
      } finally {
        this.waitingAppends--;
      }
    });
  }

  private append(info: TopicInfo, record: ProducerRecord, sink: DeliverySink, slot: number, bytes: number, now: number): void {
    const count = info.partitions.length;
    const partition = this.partitioner.partition(info.name, count, record.key, record.partition);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      this.buffer.release(bytes);
      this.settle(1);
      return sink.failed(new ClientError('SLUICE_ERR_PARTITION', `topic '${info.name}' has ${count} partition(s); there is no partition ${partition}`));
    }
    this.accumulator.append(info.name, partition, record, record.timestamp ?? now, sink, slot, bytes);
  }

  /** Fresh metadata for a retry (the client's cache keeps it); a failure leaves the retry to find out. */
  private async refreshMetadata(topic: string): Promise<void> {
    try {
      await this.client.topic(topic, true);
    } catch {
      // the retry fails again and is retried until deliveryTimeoutMs
    }
  }

  private batchDone(batch: ProducerBatch, err: Error | null): void {
    if (err && this.inTransaction) this.transactionError ??= err;
    // Answered, so its request left the socket; with acks=0 nothing says when it did.
    if (!err && this.acks !== 0) this.batchBuffers.give(batch.storage);
    this.buffer.release(batch.chargedBytes);
    this.settle(batch.recordCount);
  }

  private settle(records: number): void {
    this.unsettled -= records;
    if (this.unsettled > 0) return;
    for (const wake of this.settledWaiters.splice(0)) wake();
  }
}
