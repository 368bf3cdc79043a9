// The client applications use: `const client = await connect({ bootstrap })`.
// It makes producers, consumers, an admin, requests and request servers, and
// close() closes everything it made.
//
// Producers and the admin share the client's connections (one per broker and
// purpose, see KafkaClient). Each consumer, request server and the reply
// reader get connections of their own, as Kafka's consumers do: a broker
// answers a connection's requests in order, so two readers' long-polls on one
// connection would hold back each other's answers.

import { ClientError } from './client-error.js';
import type { ClientSaslOptions, ClientTlsOptions } from './client-security.js';
import { Admin } from './admin.js';
import { KafkaClient } from './kafka-client.js';
import { type RequestHandler, type RequestOptions, Requester, type ServeOptions, type Server, serve } from './request-reply.js';
import { type Decoding, SluiceConsumer, type SluiceConsumerOptions } from './sluice-consumer.js';
import { SluiceProducer, type SluiceProducerOptions } from './sluice-producer.js';
import { type QueueOptions, SluiceQueue } from './sluice-queue.js';
import type { Decoded } from './serde.js';

/** Options of `connect()`. */
export interface ConnectOptions {
  /** "host:port", or several separated by commas: any that answers is used to find the cluster (KafkaClient tries them in turn). */
  bootstrap: string;
  /** Sent to the broker with every request (it shows in the broker's logs). Default 'sluice'. */
  clientId?: string;
  /** TLS to every broker (PEM contents, as Node's tls.connect): Kafka's security.protocol SSL, or SASL_SSL with `sasl`. */
  tls?: ClientTlsOptions;
  /** A SASL login on every connection (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512): SASL_PLAINTEXT, or SASL_SSL with `tls`. */
  sasl?: ClientSaslOptions;
}

/**
 * Connects to a Kafka-compatible cluster (a Sluice broker or any other).
 * Resolves once a bootstrap address answered; rejects with ClientError
 * SLUICE_ERR_CONNECTION (naming each address) when none does.
 */
export async function connect(options: ConnectOptions): Promise<SluiceClient> {
  const client = new KafkaClient({ bootstrap: options.bootstrap, clientId: options.clientId ?? 'sluice', tls: options.tls, sasl: options.sasl });
  try {
    await client.metadata([]);
  } catch (err) {
    await client.close();
    throw err;
  }
  return new SluiceClient(client, options.bootstrap);
}

/** A connection to a cluster; made by `connect()`. */
export class SluiceClient {
  private readonly producers = new Set<SluiceProducer>();
  /** Consumers and servers not closed yet. */
  private readonly readers = new Set<{ close(): Promise<void> }>();
  private adminValue: Admin | null = null;
  private requesterValue: Requester | null = null;
  private internalProducer: SluiceProducer | null = null;
  private closed = false;

  /** @internal Use `connect()`. */
  constructor(
    private readonly client: KafkaClient,
    /** The bootstrap addresses it was made with. */
    readonly bootstrap: string,
  ) {}

  /** A producer; `close()` of the client waits for its sends. */
  producer(options: SluiceProducerOptions = {}): SluiceProducer {
    this.assertOpen();
    const producer = new SluiceProducer(this.client, options);
    this.producers.add(producer);
    return producer;
  }

  /** A consumer in a group; iterate over it or call `run()`. Values decode as Buffers unless `valueFormat` says otherwise, keys as strings. */
  consumer<V extends Decoding = 'buffer', K extends Decoding = 'string'>(options: SluiceConsumerOptions<V, K>): SluiceConsumer<Decoded<V>, Decoded<K>> {
    this.assertOpen();
    const consumer: SluiceConsumer<Decoded<V>, Decoded<K>> = new SluiceConsumer(this.client.withOwnConnections(), options, () =>
      this.readers.delete(consumer),
    );
    this.readers.add(consumer);
    return consumer;
  }

  /**
   * A member of the share group `options.group` reading `topic` as a queue:
   * iterate over it or call `run()`, and settle each message (ack, release,
   * reject). Values decode as Buffers unless `valueFormat` says otherwise, keys as strings.
   */
  queue<V extends Decoding = 'buffer', K extends Decoding = 'string'>(topic: string, options: QueueOptions<V, K>): SluiceQueue<Decoded<V>, Decoded<K>> {
    this.assertOpen();
    const queue: SluiceQueue<Decoded<V>, Decoded<K>> = new SluiceQueue(this.client.withOwnConnections(), topic, options, () => this.readers.delete(queue));
    this.readers.add(queue);
    return queue;
  }

  /** Topic, config, group and offset administration, on the client's connections. */
  admin(): Admin {
    this.assertOpen();
    return (this.adminValue ??= new Admin(this.client));
  }

  /**
   * Sends `value` to `topic` as a request and resolves with the reply's value
   * (JSON unless `valueFormat` says otherwise), typed as `T` (not checked). Rejects with ClientError
   * SLUICE_ERR_REQUEST_TIMEOUT when no reply comes within `timeoutMs`, and
   * SLUICE_ERR_REQUEST_HANDLER, with the handler's message, when the server's
   * handler threw.
   */
  request<T = unknown>(topic: string, value: unknown, options: RequestOptions = {}): Promise<T> {
    this.assertOpen();
    return this.requester().request(topic, value, options);
  }

  /** Replies dropped because no request was waiting for them any more (they came after the timeout). */
  get lateReplies(): number {
    return this.requesterValue?.lateReplies ?? 0;
  }

  /**
   * Answers requests sent to `topic` with `handler`'s result, as a member of
   * the group `sluice.serve.<topic>` (start several to share the load).
   * Resolves once the member has its partitions.
   */
  async serve<T = unknown>(topic: string, handler: RequestHandler<T>, options: ServeOptions = {}): Promise<Server> {
    this.assertOpen();
    const server: Server = await serve(this.client, this.replyProducer(), topic, handler, options, () => this.readers.delete(server));
    this.readers.add(server);
    return server;
  }

  /** Stops servers, consumers (committing what they finished) and queues (acknowledging what they settled), waits for every send, deletes the reply topic and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.readers].map((r) => r.close()));
    await this.requesterValue?.close();
    await Promise.all([...this.producers, this.internalProducer].map((p) => p?.close()));
    await this.client.close();
  }

  private requester(): Requester {
    return (this.requesterValue ??= new Requester(this.client, this.admin(), this.replyProducer()));
  }

  /**
   * The producer of requests and replies: acks 1 (a lost one ends in the
   * requester's timeout, so waiting for every replica buys nothing) and no
   * linger (a request is sent at once).
   */
  private replyProducer(): SluiceProducer {
    return (this.internalProducer ??= new SluiceProducer(this.client, { acks: 1, lingerMs: 0 }));
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientError('SLUICE_ERR_CLOSED', 'the client is closed');
  }
}
