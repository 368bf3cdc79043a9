// One client connection: frames in, responses out in request order.
// Requests are dispatched as they arrive (so a produce's append happens in
// arrival order), while responses wait for every earlier one to be written:
// the Kafka protocol promises in-order responses per connection.
// Only an unreadable frame closes the connection, and only after the requests
// before it are answered.

import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { BrokerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Message } from '../protocol/codec.js';
import { readRequestHeader, responseHeaderIsFlexible, skipHeaderTags, writeResponseHeader } from '../protocol/headers.js';
import { MalformedFrameError } from '../protocol/malformed-frame-error.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type { BrokerServices, RequestContext } from './api/handler.js';
import type { ConnectionSecurity } from './connection-security.js';
import type { SaslSession } from './sasl/sasl-session.js';
import { type HandlerEntry, handlerFor, unsupportedApiVersionsResponse } from './api/index.js';
import { FrameReader } from '../protocol/frame-reader.js';
import { errorCodeOf, errorResponse } from './error-response.js';
import type { QueuedRequestBytes } from './queued-request-bytes.js';
import type { FaultInjector, ProduceResponseFault } from './fault-hook.js';
import { type RequestEvent, requestChannel } from './request-channel.js';

/** Requests in flight on one connection before it stops reading (Kafka's queued.max.requests). */
const MAX_IN_FLIGHT = 500;

/**
 * How long a connection closing after an unreadable frame waits for the answers to
 * the requests before it, and then for the client to close its side (ms).
 */
const CLOSE_GRACE_MS = 10_000;

/** A request in flight, in the connection's queue until its answer is written. */
interface Pending {
  done: boolean;
  chunks: Buffer[] | null;
  /** Its frame's size, counted in the broker's QueuedRequestBytes until the answer is written. */
  requestBytes: number;
  /** What its answer may come to (ApiHandler.responseBytesBound), counted until it is written. */
  reservedBytes: number;
  /** performance.now() when it arrived, if requestChannel had subscribers then; else 0. */
  startedMs: number;
}

export class Connection {
  private readonly frames: FrameReader;
  private readonly queue: Pending[] = [];
  private readonly clientHost: string;
  /** Aborted once the socket closes. */
  private readonly disconnect = new AbortController();
  /** The socket is gone: nothing more is written. */
  private closed = false;
  /** An unreadable frame arrived: nothing more is read, the answers still due are written, then the socket ends. */
  private closing = false;
  /** When the frame being dispatched arrived (Pending.startedMs). */
  private startedMs = 0;
  /** Sum of reservedBytes over the queue. */
  private reservedResponseBytes = 0;
  private readonly wake = () => this.maybeResume();

  constructor(
    private readonly socket: net.Socket,
    private readonly services: BrokerServices,
    /** Its listener and who it acts as. */
    private readonly security: ConnectionSecurity,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    /** Request bytes in flight over all connections (queuedMaxRequestBytes). */
    private readonly queuedRequestBytes: QueuedRequestBytes,
    /** Test-only fault injection (fault-hook.ts); null in every real broker. */
    private readonly faults: FaultInjector | null = null,
  ) {
    this.frames = new FrameReader(config.socketRequestMaxBytes);
    this.clientHost = socket.remoteAddress ?? 'unknown';
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err }, 'connection error'));
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.maybeResume());
    // connections.max.idle.ms: the socket reports no bytes either way for that long.
    socket.setTimeout(config.connectionsMaxIdleMs);
    socket.on('timeout', () => this.onIdle());
    // Called while a SASL request is handled, before its answer is queued: the close waits for that too.
    // The session logs why (rate-limited: a flood of bad logins must not flood the log).
    if (security.sasl) security.sasl.closeAfterAnswers = (reason) => queueMicrotask(() => this.closeAfterAnswers(new Error(reason), undefined, 'debug'));
  }

  /** Idle: closed unless a request is still in flight (a parked JoinGroup, a long poll); its answer is activity. */
  private onIdle(): void {
    if (this.queue.length > 0 || this.closed) return;
    this.closed = true;
    this.log.debug({ client: this.clientHost, idleMs: this.config.connectionsMaxIdleMs }, 'closing idle connection');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return; // what follows an unreadable frame is discarded
    this.frames.push(chunk);
    this.takeFrames();
  }

  /**
   * Dispatches whole frames, one at a time, until none is left or the connection
   * holds enough: checked before each frame, so requests pipelined in one read
   * cannot run past the limits together.
   */
  private takeFrames(): void {
    while (!this.closing) {
      if (this.mustWait()) {
        this.socket.pause();
        return;
      }
      let frame: Buffer | null;
      try {
        frame = this.frames.next();
      } catch (err) {
        this.closeAfterAnswers(err as Error);
        return;
      }
      if (frame === null) return;
      this.dispatch(frame);
    }
  }

  /**
   * Whether to stop taking requests for now: too many in flight, too many response
   * bytes held for a client that does not read (connectionMaxBufferedResponseBytes),
   * or the broker's request bytes at their limit (queuedMaxRequestBytes, woken by
   * `wake` when they drop). A connection with nothing in flight waits only for those
   * and for its client to drain what was written ('drain' resumes it).
   */
  private mustWait(): boolean {
    if (this.queuedRequestBytes.full) {
      this.queuedRequestBytes.whenFree(this.wake);
      return true;
    }
    const cap = this.config.connectionMaxBufferedResponseBytes;
    const unread = this.socket.writableLength;
    if (unread >= cap) return true;
    if (this.queue.length === 0) return false;
    return this.queue.length >= MAX_IN_FLIGHT || unread + this.reservedResponseBytes >= cap;
  }

  private dispatch(frame: Buffer): void {
    const sasl = this.security.sasl;
    if (sasl !== null) {
      if (sasl.rawTokens) return this.answerRawToken(sasl, frame);
      // Before authentication only the API key is read: nothing else is decoded (as Kafka's SaslServerAuthenticator).
      const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
      if (!sasl.admits(apiKey)) return this.closeAfterAnswers(new Error(sasl.refuse(apiKey)), undefined, 'debug');
    }
    this.startedMs = requestChannel.hasSubscribers ? performance.now() : 0;
    let header;
    let entry: HandlerEntry | undefined;
    let body: Message;
    const r = new Reader(frame);
    try {
      header = readRequestHeader(r);
      entry = handlerFor(header.apiKey);
      if (!entry) throw new MalformedFrameError(`unknown API key ${header.apiKey}`);
      const { handler, requestCodec } = entry;
      if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
        if (handler.apiKey === 18) {
          // KIP-511: an ApiVersions version we do not know is answered in the v0 shape.
          this.enqueue(Promise.resolve(unsupportedApiVersionsResponse()), header.correlationId, entry, 0, {}, frame.length, 0);
          return;
        }
        throw new MalformedFrameError(`unsupported version ${header.apiVersion} of API ${header.apiKey} (serves ${handler.minVersion}-${handler.maxVersion})`);
      }
      if (requestCodec.isFlexible(header.apiVersion)) skipHeaderTags(r);
      body = requestCodec.decode(r, header.apiVersion);
    } catch (err) {
      this.closeAfterAnswers(err as Error, header);
      return;
    }
    const ctx: RequestContext = {
      ...this.services,
      config: this.config,
      log: this.log,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      clientHost: this.clientHost,
      listener: this.security.listener,
      principal: this.security.principal,
      sasl,
      connectionClosed: this.disconnect.signal,
    };
    let result: Promise<Message | null>;
    try {
      this.faults?.beforeHandle(header.apiKey, header.apiVersion);
      result = Promise.resolve(entry.handler.handle(body, ctx));
    } catch (err) {
      result = Promise.reject(err);
    }
    const fault = this.faults && header.apiKey === 0 ? this.faults.forProduce(body) : null;
    const reserved = entry.handler.responseBytesBound?.(body, this.config) ?? 0;
    this.enqueue(result, header.correlationId, entry, header.apiVersion, body, frame.length, reserved, fault);
  }

  /**
   * After a SaslHandshake v0 the client sends SASL tokens as bare frames and gets
   * bare frames back, in order with the answers before them. A failed exchange
   * gets no answer: the session closes the connection.
   */
  private answerRawToken(sasl: SaslSession, token: Buffer): void {
    const pending: Pending = { done: false, chunks: null, requestBytes: token.length, reservedBytes: 0, startedMs: 0 };
    this.queue.push(pending);
    this.queuedRequestBytes.take(token.length);
    sasl.authenticate(token, -1).then(
      (answer) => {
        if (answer.errorCode === 0) {
          const size = Buffer.alloc(4);
          size.writeInt32BE(answer.authBytes.length, 0);
          pending.chunks = [size, answer.authBytes];
        }
        pending.done = true;
        this.flush();
      },
      (err: unknown) => this.abort(err as Error, 'SASL token could not be checked'),
    );
  }

  private enqueue(
    result: Promise<Message | null>,
    correlationId: number,
    entry: HandlerEntry,
    version: number,
    request: Message,
    requestBytes: number,
    reservedBytes: number,
    fault: (() => ProduceResponseFault) | null = null,
  ): void {
    const pending: Pending = { done: false, chunks: null, requestBytes, reservedBytes, startedMs: this.startedMs };
    this.queue.push(pending);
    this.queuedRequestBytes.take(requestBytes);
    this.reservedResponseBytes += reservedBytes;
    result.then(
      (response) => {
        if (response !== null && fault) {
          const action = fault();
          if (action === 'withhold') return;
          if (action === 'close') {
            this.closed = true;
            this.socket.destroy();
            return;
          }
        }
        if (pending.startedMs > 0) publishRequest(this.socket, pending, entry, version, response?.errorCode ?? 0);
        this.complete(pending, response, correlationId, entry, version);
      },
      (err: unknown) => {
        if (pending.startedMs > 0) publishRequest(this.socket, pending, entry, version, errorCodeOf(err));
        const response = this.answerFailure(err, entry, version, request);
        if (response === null) this.abort(err as Error, 'no answer expected for a failed request');
        else this.complete(pending, response, correlationId, entry, version);
      },
    );
  }

  private complete(pending: Pending, response: Message | null, correlationId: number, entry: HandlerEntry, version: number): void {
    if (response !== null) {
      try {
        pending.chunks = this.encode(response, correlationId, entry, version);
      } catch (err) {
        // The client cannot get a well-formed answer: a bug, logged, and the connection closes.
        this.log.error({ err, api: entry.name, apiVersion: version }, 'response could not be encoded');
        this.abort(err as Error, 'response could not be encoded');
        return;
      }
    }
    pending.done = true;
    this.flush();
  }

  /**
   * A handler that threw is a bug or a failure below it (a file gone, a full disk):
   * that request is answered with the error code on every entry and the connection
   * stays, as Kafka's getErrorResponse does. An acks=0 produce expects no answer, so
   * its connection closes instead, which is how Kafka tells such a producer.
   */
  private answerFailure(err: unknown, entry: HandlerEntry, version: number, request: Message): Message | null {
    this.log.error({ err, api: entry.name, apiVersion: version, client: this.clientHost }, 'request handler failed');
    if (entry.handler.apiKey === 0 && request.acks === 0) return null;
    return errorResponse(request, entry.handler.request, entry.handler.response, version, errorCodeOf(err));
  }

  private encode(response: Message, correlationId: number, entry: HandlerEntry, version: number): Buffer[] {
    const w = new Writer(128);
    w.int32(0); // size, patched below
    writeResponseHeader(w, correlationId, responseHeaderIsFlexible(entry.handler.apiKey, entry.responseCodec.isFlexible(version)));
    entry.responseCodec.encode(w, response, version);
    const chunks = w.chunksOut();
    chunks[0].writeInt32BE(w.length - 4, 0);
    return chunks;
  }

  private flush(): void {
    if (this.closed) return;
    this.socket.cork();
    while (this.queue.length > 0 && this.queue[0].done) {
      const answered = this.queue.shift() as Pending;
      if (answered.chunks) for (const c of answered.chunks) this.socket.write(c);
      this.release(answered);
    }
    this.socket.uncork();
    if (this.closing) {
      // FIN after the last answer; the client's own close then completes it.
      if (this.queue.length === 0) this.socket.end();
    } else if (this.socket.writableNeedDrain) this.socket.pause();
    else this.maybeResume();
  }

  private maybeResume(): void {
    if (this.closing || this.closed || this.mustWait()) return;
    this.takeFrames();
    if (this.socket.isPaused() && !this.mustWait()) this.socket.resume();
  }

  private release(p: Pending): void {
    this.reservedResponseBytes -= p.reservedBytes;
    this.queuedRequestBytes.release(p.requestBytes);
  }

  /** The socket is gone: what its requests held is given back (answers still running are dropped when they come). */
  private onClose(): void {
    this.closed = true;
    this.disconnect.abort();
    this.queuedRequestBytes.forget(this.wake);
    for (const p of this.queue.splice(0)) this.release(p);
  }

  /**
   * An unreadable frame: the requests before it are still answered (they were
   * whole and valid), nothing after it is read, then the connection closes. Reading
   * goes on (discarding) so that the close is a FIN after the answers, not a reset
   * that could destroy them before the client reads them.
   */
  private closeAfterAnswers(err: Error, header?: { apiKey: number; apiVersion: number; clientId: string | null }, level: 'warn' | 'debug' = 'warn'): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    this.log[level]({ reason: err.message, client: this.clientHost, ...(header ?? {}) }, 'closing connection after answering the requests before an unreadable one');
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    this.flush();
  }

  /** Closes at once: answers still queued are lost. */
  private abort(err: Error, why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.log.warn({ reason: err.message, client: this.clientHost }, `closing connection: ${why}`);
    this.socket.destroy();
  }
}

function publishRequest(socket: net.Socket, pending: Pending, entry: HandlerEntry, apiVersion: number, errorCode: unknown): void {
  if (!requestChannel.hasSubscribers) return;
  const event: RequestEvent = {
    listenerPort: socket.localPort ?? 0,
    api: entry.name,
    apiKey: entry.handler.apiKey,
    apiVersion,
    durationMs: performance.now() - pending.startedMs,
    errorCode: typeof errorCode === 'number' ? errorCode : 0,
  };
  requestChannel.publish(event);
}
