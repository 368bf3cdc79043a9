// Request/reply over topics, for the facade client.
//
//   requester                           topic `pricing`                server (group sluice.serve.pricing)
//   request(value) ──produce──►  [value | correlation-id, reply-to] ──► handler(value)
//        ▲                                                                │
//        └──fetch── _sluice.reply.<random> ◄──produce── [answer | correlation-id (, error)]
//
// A client has one reply topic, created on first request (one partition) and
// deleted on close. It is read from its start, which is its end since the
// topic is new. Replies are matched by correlation id; one that finds no
// request waiting (it came after the timeout, or twice) is dropped and
// counted. A handler's error travels back in the `error` header and rejects
// the request with its message.

import { randomBytes, randomUUID } from 'node:crypto';
import { ClientError } from './client-error.js';
import type { Admin } from './admin.js';
import { AssignedConsumer, type ConsumedRecord } from './consumer.js';
import type { KafkaClient } from './kafka-client.js';
import { type Decoding, type ReceivedRecord, SluiceConsumer } from './sluice-consumer.js';
import type { SluiceProducer } from './sluice-producer.js';
import { type Deserializer, type Headers, decodeHeaders, deserializerFor } from './serde.js';

/** Header naming the request a reply answers (a UUID the requester chose). */
export const CORRELATION_ID_HEADER = 'correlation-id';
/** Header naming the topic a request's reply goes to. */
export const REPLY_TO_HEADER = 'reply-to';
/** Header of a reply whose handler threw: the error's message (the reply's value is null). */
export const ERROR_HEADER = 'error';

/** Pause before reading the reply topic again after a failed fetch (ms). */
const REPLY_FETCH_RETRY_MS = 100;

/** Options of `client.request()`. */
export interface RequestOptions {
  /** How long to wait for the reply (ms). Default 30000. */
  timeoutMs?: number;
  /** How the reply's value is decoded. Default 'json'. */
  valueFormat?: Decoding;
  /** The request's key (serialized like a producer's); decides its partition. */
  key?: unknown;
  /** Headers sent with the request besides correlation-id and reply-to. */
  headers?: Headers;
}

interface Waiting {
  resolve(value: unknown): void;
  reject(err: Error): void;
  decode: Deserializer<unknown>;
  timer: NodeJS.Timeout;
}

/** Sends requests and matches their replies; one per facade client, made on its first request. */
export class Requester {
  private readonly waiting = new Map<string, Waiting>();
  private readonly replyTopic = `_sluice.reply.${randomBytes(8).toString('hex')}`;
  private replies: Promise<{ client: KafkaClient; consumer: AssignedConsumer; loop: Promise<void> }> | null = null;
  private closed = false;
  private late = 0;

  constructor(
    /** The facade's client; the replies are read on connections of their own. */
    private readonly client: KafkaClient,
    private readonly admin: Admin,
    private readonly producer: SluiceProducer,
  ) {}

  /** Replies dropped because no request was waiting for them (late after a timeout, or repeated). */
  get lateReplies(): number {
    return this.late;
  }

  async request<T>(topic: string, value: unknown, options: RequestOptions = {}): Promise<T> {
    if (this.closed) throw new ClientError('SLUICE_ERR_CLOSED', 'the client is closed');
    const listening = (this.replies ??= this.listen());
    // A failed start (the reply topic could not be created) is tried again by the next request.
    listening.catch(() => {
      if (this.replies === listening) this.replies = null;
    });
    await listening;
    if (this.closed) throw new ClientError('SLUICE_ERR_CLOSED', 'the client is closed');
    const correlationId = randomUUID();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationId);
        reject(new ClientError('SLUICE_ERR_REQUEST_TIMEOUT', `no reply to a request on '${topic}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(correlationId, { resolve, reject, decode: deserializerFor(options.valueFormat ?? 'json'), timer });
    });
    try {
      await this.producer.send(topic, {
        key: options.key,
        value,
        headers: { ...options.headers, [CORRELATION_ID_HEADER]: correlationId, [REPLY_TO_HEADER]: this.replyTopic },
      });
    } catch (err) {
      this.settle(correlationId)?.reject(err as Error);
    }
    return reply as Promise<T>;
  }

  /** Fails the requests still waiting, stops reading replies and deletes the reply topic. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.waiting.keys()]) this.settle(id)?.reject(new ClientError('SLUICE_ERR_CLOSED', 'the client closed before the reply came'));
    const replies = await this.replies?.catch(() => null);
    if (!replies) return;
    const { client, consumer, loop } = replies;
    consumer.stop();
    await loop;
    await client.close();
    await this.admin.deleteTopic(this.replyTopic);
  }

  /** Creates the reply topic and starts reading it, on connections of its own so that its long-polls never hold back another reader's fetch answers. */
  private async listen(): Promise<{ client: KafkaClient; consumer: AssignedConsumer; loop: Promise<void> }> {
    await this.admin.createTopic(this.replyTopic, { partitions: 1 });
    const client = this.client.withOwnConnections('sluice-replies');
    const consumer = new AssignedConsumer(client, this.replyTopic, new Map([[0, 0]]));
    const loop = (async () => {
      while (!this.closed) {
        let records: ConsumedRecord[];
        try {
          records = await consumer.poll();
        } catch {
          // A fetch failed (the leader not ready yet, a dropped connection): the next poll asks again with fresh metadata.
          if (!this.closed) await new Promise((resolve) => setTimeout(resolve, REPLY_FETCH_RETRY_MS));
          continue;
        }
        for (const r of records) this.deliver(r);
      }
    })();
    return { client, consumer, loop };
  }

  private deliver(r: ConsumedRecord): void {
    const headers = decodeHeaders(r.headers, 'string');
    const waiting = this.settle(headers[CORRELATION_ID_HEADER] ?? '');
    if (!waiting) {
      this.late++;
      return;
    }
    const error = headers[ERROR_HEADER];
    if (error !== undefined) return waiting.reject(new ClientError('SLUICE_ERR_REQUEST_HANDLER', error));
    try {
      waiting.resolve(waiting.decode(r.value));
    } catch (err) {
      waiting.reject(err as Error);
    }
  }

  private settle(correlationId: string): Waiting | undefined {
    return takeWaiting(this.waiting, correlationId);
  }
}

/** Removes and returns the request waiting under `correlationId`, its timer stopped; requesters in and out of the broker match replies by it. */
export function takeWaiting<W extends { timer: NodeJS.Timeout }>(waiting: Map<string, W>, correlationId: string): W | undefined {
  const found = waiting.get(correlationId);
  if (!found) return undefined;
  waiting.delete(correlationId);
  clearTimeout(found.timer);
  return found;
}

/** Answers one request: the reply value (serialized like a producer's: Buffer, string or JSON). A thrown error goes back to the requester. */
export type RequestHandler<T> = (value: T, request: ReceivedRecord<Buffer | null>) => unknown;

/** Options of `client.serve()`. */
export interface ServeOptions {
  /** How request values are decoded before the handler sees them. Default 'json'. */
  valueFormat?: Decoding;
  /** Partitions of the topic handled at once (requests of one partition are handled in order). Default 4. */
  concurrency?: number;
}

/** A running `serve()`: answering requests until closed. */
export interface Server {
  /** The consumer group the server's members share: `sluice.serve.<topic>`. */
  readonly group: string;
  /** Stops taking requests (those in progress are answered) and leaves the group. */
  close(): Promise<void>;
}

/**
 * Consumes `topic` in the group `sluice.serve.<topic>` from its end and
 * answers each request that names a reply topic. Resolves once the member
 * has its partitions, so that a request sent after that is served.
 */
export async function serve<T>(
  /** The facade's client; the server reads on connections of its own. */
  parent: KafkaClient,
  producer: SluiceProducer,
  topic: string,
  handler: RequestHandler<T>,
  options: ServeOptions = {},
  onClosed: () => void = () => {},
): Promise<Server> {
  const group = `sluice.serve.${topic}`;
  const client = parent.withOwnConnections(group);
  const decode = deserializerFor(options.valueFormat ?? 'json') as Deserializer<T>;
  // The topic must exist for the group to be given its partitions; create it as a producer would.
  await client.topic(topic, true);
  let assigned!: () => void;
  const ready = new Promise<void>((resolve) => (assigned = resolve));
  const consumer = new SluiceConsumer<Buffer | null, string | null>(client, { group, topics: [topic], from: 'latest', onAssigned: () => assigned() }, onClosed);
  const answer = async (request: ReceivedRecord<Buffer | null>) => {
    const replyTo = request.headers[REPLY_TO_HEADER];
    const correlationId = request.headers[CORRELATION_ID_HEADER];
    let reply: { value: unknown; headers: Headers };
    try {
      reply = { value: await handler(decode(request.value), request), headers: {} };
    } catch (err) {
      reply = { value: null, headers: { [ERROR_HEADER]: err instanceof Error ? err.message : String(err) } };
    }
    if (replyTo === undefined || correlationId === undefined) return;
    // A reply that cannot be sent is not retried: the requester's timeout covers it.
    await producer.send(String(replyTo), { value: reply.value, headers: { ...reply.headers, [CORRELATION_ID_HEADER]: correlationId } }).catch(() => {});
  };
  const running = consumer.run(
    async (batch) => {
      for (const request of batch) await answer(request);
    },
    { concurrency: options.concurrency ?? 4 },
  );
  running.catch(() => {});
  // A run() that fails has closed the consumer (and its client) already.
  await Promise.race([ready, running]);
  return {
    group,
    async close() {
      await consumer.close();
    },
  };
}
