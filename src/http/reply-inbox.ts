// Where the replies to requests made over HTTP (POST /request/{t}) arrive:
// one reply topic for the whole HTTP API, `_sluice.reply.http.<random>` (one
// partition), created on the first request and deleted when the API closes,
// as a Sluice client's reply topic is (client/request-reply.ts, whose headers
// this speaks). The topic is followed in-process with partition-tail.ts, so
// a waiting request costs a timer and nothing else; replies are matched by
// correlation id, and one that finds no request waiting (after its timeout,
// or a duplicate) is dropped.

import { randomBytes, randomUUID } from 'node:crypto';
import { CORRELATION_ID_HEADER, REPLY_TO_HEADER, takeWaiting } from '../client/request-reply.js';
import type { Record as StoredRecord } from '../protocol/records.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError } from './errors.js';
import { tailRecords } from './partition-tail.js';

interface Waiting {
  resolve(reply: StoredRecord): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface PendingRequest {
  /** The headers the request must carry: its correlation id and this inbox's topic. */
  headers: { key: string; value: Buffer }[];
  /** The reply, or SLUICE_HTTP_REQUEST_TIMEOUT (504) after timeoutMs. */
  reply: Promise<StoredRecord>;
  /** Gives up waiting (the request could not be sent). */
  cancel(): void;
}

function headerText(r: StoredRecord, name: string): string | undefined {
  const header = r.headers.find((h) => h.key === name);
  return header?.value?.toString('utf8');
}

export class ReplyInbox {
  readonly topic = `_sluice.reply.http.${randomBytes(8).toString('hex')}`;
  private readonly waiting = new Map<string, Waiting>();
  private readonly closing = new AbortController();
  private started: Promise<void> | null = null;
  private following: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: HttpApiContext) {}

  /** Opens a request: call before sending it, so that no reply can come first. */
  async open(timeoutMs: number): Promise<PendingRequest> {
    const starting = (this.started ??= this.start());
    // A failed start is tried again by the next request.
    starting.catch(() => {
      if (this.started === starting) this.started = null;
    });
    await starting;
    if (this.closing.signal.aborted) throw closedError();
    const correlationId = randomUUID();
    const reply = new Promise<StoredRecord>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationId);
        reject(new HttpApiError(504, 'SLUICE_HTTP_REQUEST_TIMEOUT', `no reply within ${timeoutMs} ms`, 'is a server (client.serve()) answering on this topic? a longer timeoutMs may help'));
      }, timeoutMs);
      this.waiting.set(correlationId, { resolve, reject, timer });
    });
    return {
      headers: [
        { key: CORRELATION_ID_HEADER, value: Buffer.from(correlationId) },
        { key: REPLY_TO_HEADER, value: Buffer.from(this.topic) },
      ],
      reply,
      cancel: () => this.settle(correlationId),
    };
  }

  /** Fails the requests still waiting, stops following the topic and deletes it. */
  async close(): Promise<void> {
    this.closing.abort();
    for (const id of [...this.waiting.keys()]) this.settle(id)?.reject(closedError());
    const started = await this.started?.then(() => true, () => false);
    await this.following;
    if (started) await this.ctx.broker.deleteTopic(this.topic).catch((err) => this.ctx.log.warn({ err, topic: this.topic }, 'reply topic not deleted'));
  }

  private async start(): Promise<void> {
    await this.ctx.broker.createTopic(this.topic, 1, {});
    this.following = this.follow().catch((err) => this.ctx.log.error({ err, topic: this.topic }, 'reading replies failed'));
  }

  private async follow(): Promise<void> {
    for await (const { record } of tailRecords(this.ctx, this.topic, new Map([[0, 0]]), this.closing.signal)) {
      const correlationId = headerText(record, CORRELATION_ID_HEADER);
      if (correlationId !== undefined) this.settle(correlationId)?.resolve(record);
    }
  }

  private settle(correlationId: string): Waiting | undefined {
    return takeWaiting(this.waiting, correlationId);
  }
}

function closedError(): HttpApiError {
  return new HttpApiError(503, 'SLUICE_HTTP_CLOSING', 'the broker is closing', 'send the request again once it is back');
}
