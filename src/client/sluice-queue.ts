// The facade's queue: a member of a share group (KIP-932) reading one topic
// (share/share-consumer.ts), handing out decoded messages that the
// application acknowledges one by one.
//
// Two ways to consume, one per queue:
//   for await (const msg of queue) { ... }
//     A message the body did not settle is accepted when the loop asks for
//     the next one; leaving the loop (break, return, throw) closes the queue,
//     and the message in hand goes back to the group unsettled.
//   await queue.run(async (msg) => { ... }, { concurrency })
//     Up to `concurrency` messages are handled at once. A message the
//     handler did not settle is accepted when it resolves, and released when
//     it throws, with a delay growing with its delivery count (retry with
//     backoff); at the group's share.delivery.count.limit the broker archives
//     it (and copies it to the group's dead-letter topic, if it names one).
//
// Never more than `prefetch` messages are held unsettled: fetched, waiting
// here or in the application's hands.
//
// The queue options that are group configs (`lockMs`, `filter`, `from`) are
// set with IncrementalAlterConfigs on the GROUP resource before the member
// joins; as group configs, they apply to partitions the group starts reading
// afterwards, and to every member of the group.

import diagnostics_channel from 'node:diagnostics_channel';
import { Admin } from './admin.js';
import { ClientError } from './client-error.js';
import type { KafkaClient } from './kafka-client.js';
import type { ConsumedRecord } from './fetched-records.js';
import { type Decoding, type DecodingOptions, type ReceivedRecord, recordDecoder } from './sluice-consumer.js';
import type { Headers } from './serde.js';
import { AcknowledgeType } from './share/acknowledgements.js';
import { type Delivery, ShareConsumer } from './share/share-consumer.js';

/** Published when the application rejects a message: `{ groupId, topic, partition, offset, reason }`. */
export const rejectChannel = diagnostics_channel.channel('sluice:queue:reject');

/** Options of `client.queue()`. */
export interface QueueOptions<V extends Decoding = 'buffer', K extends Decoding = 'string'> extends DecodingOptions<V, K> {
  /** The share group: its members compete for the topic's messages, each delivered to one of them at a time. */
  group: string;
  /** Most messages held unsettled at once (fetched ahead, waiting, or being handled). Default 100. Those fetched and not handed out when the queue closes go back with their delivery count raised. */
  prefetch?: number;
  /** Sets the group config share.record.lock.duration.ms: how long a member holds a message before it goes to another (ms; the broker allows 15000 to 60000). */
  lockMs?: number;
  /** Sets the group config share.filter: which messages the group is given (the broker's filter syntax). */
  filter?: string;
  /** Sets the group config share.auto.offset.reset: where the group starts on a partition it has not read ('latest' unless set). */
  from?: 'earliest' | 'latest';
  /** How long the broker may hold a fetch that found nothing (ms). Default 500. */
  maxWaitMs?: number;
}

/** A message from a queue: settle it once with ack(), release() or reject(). */
export interface QueueMessage<V = Buffer | null, K = string | null> extends ReceivedRecord<V, K> {
  /** How many times the message has been delivered, this time included. */
  deliveryCount: number;
  /** Whether ack(), release() or reject() was called. */
  readonly settled: boolean;
  /** Done with it: the group will not deliver it again. */
  ack(): void;
  /** Gives it back to be delivered again (to any member), after `delayMs` when given (Sluice brokers; others deliver it again at once). */
  release(options?: { delayMs?: number }): void;
  /** Refuses it for good: the group archives it (and copies it to its dead-letter topic, if it names one). `reason` is published on `sluice:queue:reject`. */
  reject(reason?: string): void;
}

/** Options of `queue.run()`. */
export interface QueueRunOptions {
  /** How many messages are handled at once (at most `prefetch` are). Default 1. */
  concurrency?: number;
  /** Release delay after a handler threw on a first delivery, doubling with each further delivery (ms). Default 1000. */
  retryBackoffMs?: number;
  /** Longest release delay after a handler threw (ms). Default 60000. */
  retryBackoffMaxMs?: number;
}

/** Consumes a topic as a member of a share group; create it with `client.queue()`. */
export class SluiceQueue<V = Buffer | null, K = string | null> implements AsyncIterable<QueueMessage<V, K>> {
  private readonly consumer: ShareConsumer;
  private readonly decode: (r: ConsumedRecord) => ReceivedRecord<V, K>;
  private joining: Promise<void> | null = null;
  private started = false;
  private closing: Promise<void> | null = null;
  /** Settles when run()'s handlers have all returned; close() waits for it so that they get settled. */
  private running: Promise<unknown> = Promise.resolve();

  /** @internal Use `client.queue()`. The queue closes `client`, its own, when it closes, then calls `onClosed`. */
  constructor(
    private readonly client: KafkaClient,
    readonly topic: string,
    private readonly options: QueueOptions<Decoding, Decoding>,
    private readonly onClosed: () => void = () => {},
  ) {
    const prefetch = options.prefetch ?? 100;
    if (!Number.isInteger(prefetch) || prefetch < 1) throw new ClientError('SLUICE_ERR_CONFIG', `prefetch must be a positive integer, got ${prefetch}`);
    this.decode = recordDecoder(options);
    this.consumer = new ShareConsumer(client, { groupId: options.group, topic, prefetch, maxWaitMs: options.maxWaitMs ?? 500 });
  }

  /**
   * Sets the group configs the options name and joins the group; resolves
   * once the member has its partitions. Iterating and run() call it; await it
   * to know the member is in the group.
   */
  ready(): Promise<void> {
    return (this.joining ??= (async () => {
      const set: Record<string, string> = {};
      if (this.options.lockMs !== undefined) set['share.record.lock.duration.ms'] = String(this.options.lockMs);
      if (this.options.filter !== undefined) set['share.filter'] = this.options.filter;
      if (this.options.from !== undefined) set['share.auto.offset.reset'] = this.options.from;
      if (Object.keys(set).length > 0) await new Admin(this.client).alterConfigs({ type: 'group', name: this.options.group }, { set });
      await this.consumer.start();
    })());
  }

  /** Iterates over the messages; a message not settled by the loop's body is accepted when the loop asks for the next. Ending the loop closes the queue. */
  async *[Symbol.asyncIterator](): AsyncGenerator<QueueMessage<V, K>> {
    this.begin();
    try {
      await this.ready();
      for (let m = await this.next(); m !== null; m = await this.next()) {
        yield m;
        // Reached only when the loop asked for the next message, i.e. its body completed.
        if (!m.settled) m.ack();
      }
    } finally {
      await this.close();
    }
  }

  /**
   * Calls `handler` with each message, up to `concurrency` at once. Resolves
   * after close(); a handler that throws does not stop it (the message is
   * released with a backoff delay).
   */
  async run(handler: (message: QueueMessage<V, K>) => Promise<void>, options: QueueRunOptions = {}): Promise<void> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new ClientError('SLUICE_ERR_CONFIG', `concurrency must be a positive integer, got ${concurrency}`);
    const backoffMs = options.retryBackoffMs ?? 1000;
    const backoffMaxMs = options.retryBackoffMaxMs ?? 60_000;
    this.begin();
    const worker = async () => {
      for (let m = await this.next(); m !== null; m = await this.next()) {
        try {
          await handler(m);
          if (!m.settled) m.ack();
        } catch {
          if (!m.settled) m.release({ delayMs: Math.min(backoffMs * 2 ** (m.deliveryCount - 1), backoffMaxMs) });
        }
      }
    };
    try {
      await this.ready();
      const workers = Promise.all(Array.from({ length: concurrency }, worker));
      this.running = workers.catch(() => {});
      await workers;
    } finally {
      await this.close();
    }
  }

  /**
   * Stops receiving, waits for the run() handlers in progress (so a handler
   * must not await it), sends the last acknowledgements, gives back the
   * messages fetched and not handed out, and leaves the group.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.consumer.close(this.running);
        await this.client.close();
      } finally {
        this.onClosed();
      }
    })();
    return this.closing;
  }

  private begin(): void {
    if (this.started) throw new ClientError('SLUICE_ERR_CONFIG', 'a queue is consumed once: iterate over it or call run(), not both and not twice');
    this.started = true;
  }

  private async next(): Promise<QueueMessage<V, K> | null> {
    const d = await this.consumer.take();
    return d && this.message(d);
  }

  private message(d: Delivery): QueueMessage<V, K> {
    return new QueueDelivery(this.decode(d.record), d, this.consumer, this.options.group);
  }
}

/**
 * A message as handed out: the decoded record and its settlement. A class
 * rather than an object literal with closures: one is made per message, and
 * its methods live on the prototype.
 */
class QueueDelivery<V, K> implements QueueMessage<V, K> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: K;
  readonly value: V;
  readonly headers: Headers;
  readonly deliveryCount: number;
  // Private fields (#) stay out of JSON.stringify and spreads of the message, as they are no part of it.
  readonly #delivery: Delivery;
  readonly #consumer: ShareConsumer;
  readonly #groupId: string;
  #settled = false;

  constructor(decoded: ReceivedRecord<V, K>, delivery: Delivery, consumer: ShareConsumer, groupId: string) {
    this.#delivery = delivery;
    this.#consumer = consumer;
    this.#groupId = groupId;
    this.topic = decoded.topic;
    this.partition = decoded.partition;
    this.offset = decoded.offset;
    this.timestamp = decoded.timestamp;
    this.key = decoded.key;
    this.value = decoded.value;
    this.headers = decoded.headers;
    this.deliveryCount = delivery.record.deliveryCount;
  }

  get settled(): boolean {
    return this.#settled;
  }

  ack(): void {
    this.settle(AcknowledgeType.Accept, 0);
  }

  release(options: { delayMs?: number } = {}): void {
    this.settle(AcknowledgeType.Release, options.delayMs ?? 0);
  }

  reject(reason?: string): void {
    this.settle(AcknowledgeType.Reject, 0);
    if (rejectChannel.hasSubscribers) rejectChannel.publish({ groupId: this.#groupId, topic: this.topic, partition: this.partition, offset: this.offset, reason: reason ?? null });
  }

  private settle(type: AcknowledgeType, delayMs: number): void {
    if (this.#settled) throw new ClientError('SLUICE_ERR_SETTLED', `message ${this.topic}-${this.partition}@${this.offset} was already acknowledged, released or rejected`);
    this.#settled = true;
    this.#consumer.settle(this.#delivery, type, delayMs);
  }
}
