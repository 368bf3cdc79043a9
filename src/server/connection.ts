// One client connection: frames in, responses out in request order.
// Requests are dispatched as they arrive (so a produce's append happens in
// arrival order), while responses wait for every earlier one to be written:
// the Kafka protocol promises in-order responses per connection.
// Only an unreadable frame closes the connection, and only after the requests
// before it are answered. A client past a quota gets its answer at once with
// the throttle time in it, and then nothing more is read from its connection
// for that long (KIP-219: muted, as Kafka mutes the channel).

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
import type { BufferPool } from '../protocol/buffer-pool.js';
import { withOwnReadBuffers } from './own-read-buffers.js';
import { errorCodeOf, errorResponse } from './error-response.js';
import type { QueuedRequestBytes } from './queued-request-bytes.js';
import type { FaultInjector, ProduceResponseFault } from './fault-hook.js';
import { type RequestEvent, requestChannel } from './request-channel.js';
import { type RequestCost, requestThrottleMs } from './request-throttle.js';
import { principalName } from './principal.js';
import type { Timer } from '../clock.js';

/** Produce's API key: its frames go back to the pool once answered (framePool). */
const PRODUCE_API_KEY = 0;
/** Fetch's API key: the reads its answer carries go back to the pool once written. */
const FETCH_API_KEY = 1;

/**
 * Largest declared frame size given its buffer before its bytes arrive, so that the
 * socket reads straight into it (bytes). Kafka's socket server allocates every request's
 * declared size up front; past this a frame costs what was received (FrameReader).
 */
const UPFRONT_FRAME_MAX_BYTES = 16 * 1024 * 1024;

/** Requests in flight on one connection before it stops reading (Kafka's queued.max.requests). */
const MAX_IN_FLIGHT = 500;

/**
 * Bytes a connection reads before it lets the event loop turn (timers, other
 * connections) and reads on. A client pipelining large requests (librdkafka keeps
 * up to a million in flight) otherwise has them all read and handled in one stretch
 * of the loop: 16 MB of produce frames between two timer ticks were seen.
 */
const READ_BYTES_PER_TURN = 256 * 1024;

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
  /** Its answer's pooled blocks (a Fetch's reads) go back once written. */
  recycle: boolean;
}

export class Connection {
  /** The socket requests are read from: `accepted` itself, or the socket its handle moved to. */
  readonly socket: net.Socket;
  private readonly frames: FrameReader;
  /** Frames read and not yet dispatched, oldest first. */
  private readonly ready: Buffer[] = [];
  /** A bad frame size read after the frames in `ready`: the connection closes once they are answered. */
  private unreadable: Error | null = null;
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
  /** A flush is due at the end of this tick; answers completed until then share its one write. */
  private flushDue = false;
  private readonly flushNow = () => {
    this.flushDue = false;
    this.flush();
  };
  /** Set while the connection waits out a quota throttle: nothing is read until it fires. */
  private throttled: Timer | null = null;
  /** When the current throttle ends (the quota clock's ms). */
  private throttledUntilMs = 0;
  /** Bytes read since reading last let the event loop turn (READ_BYTES_PER_TURN). */
  private bytesSinceTurn = 0;
  /** Set while reading waits for the event loop to turn. */
  private turnPending: NodeJS.Immediate | null = null;
  private readonly turned = () => {
    this.turnPending = null;
    this.bytesSinceTurn = 0;
    this.maybeResume();
  };

  constructor(
    /** A TCP socket accepted paused (pauseOnConnect), or a TLS socket past its handshake. */
    accepted: net.Socket,
    private readonly services: BrokerServices,
    /** Its listener and who it acts as. */
    private readonly security: ConnectionSecurity,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    /** Request bytes in flight over all connections (queuedMaxRequestBytes). */
    private readonly queuedRequestBytes: QueuedRequestBytes,
    /**
     * Blocks for large frames and fetch reads. A produce frame's block goes back once
     * the request is answered (the log has written or copied its bytes), a Fetch
     * answer's once written; other handlers may keep views into their requests.
     */
    private readonly framePool: BufferPool,
    /** Test-only fault injection (fault-hook.ts); null in every real broker. */
    private readonly faults: FaultInjector | null = null,
  ) {
    this.frames = new FrameReader(
      {
        maxFrameBytes: config.socketRequestMaxBytes,
        upfrontMaxBytes: UPFRONT_FRAME_MAX_BYTES,
        limitName: 'socket.request.max.bytes',
        allocate: framePool.take,
      },
      (frame) => this.ready.push(frame),
    );
    const own = withOwnReadBuffers(accepted, { buffer: () => this.frames.target(), callback: (n) => this.onRead(n) });
    const socket = (this.socket = own ?? accepted);
    if (own === null) {
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.resume();
    }
    this.clientHost = socket.remoteAddress ?? 'unknown';
    socket.setNoDelay(true);
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

  /** Bytes read into the reader's target (own read buffers). */
  private onRead(n: number): boolean {
    if (this.closing) return true; // what follows an unreadable frame is discarded
    this.bytesSinceTurn += n;
    try {
      this.frames.received(n);
    } catch (err) {
      this.unreadable = err as Error;
    }
    this.takeFrames();
    return true;
  }

  /** A chunk from a socket that reads into buffers of its own (TLS). */
  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.bytesSinceTurn += chunk.length;
    try {
      this.frames.push(chunk);
    } catch (err) {
      this.unreadable = err as Error;
    }
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
      const frame = this.ready.shift();
      if (frame === undefined) {
        if (this.unreadable) this.closeAfterAnswers(this.unreadable);
        return;
      }
      this.dispatch(frame);
    }
  }

  /**
   * Whether to stop taking requests for now: a turn of the event loop is due
   * (READ_BYTES_PER_TURN), too many in flight, too many response
   * bytes held for a client that does not read (connectionMaxBufferedResponseBytes),
   * or the broker's request bytes at their limit (queuedMaxRequestBytes, woken by
   * `wake` when they drop). A connection with nothing in flight waits only for those
   * and for its client to drain what was written ('drain' resumes it).
   */
  private mustWait(): boolean {
    if (this.throttled !== null || this.turnPending !== null) return true;
    if (this.bytesSinceTurn >= READ_BYTES_PER_TURN) {
      this.turnPending = setImmediate(this.turned);
      return true;
    }
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
    // Handling time is measured only while some client quota is set: a broker without them pays nothing for it.
    const costFrom = this.services.quotas.quotas.hasNoClientQuotas ? -1 : performance.now();
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
          this.enqueue(Promise.resolve(unsupportedApiVersionsResponse()), header.correlationId, entry, 0, {}, frame, 0);
          return;
        }
        throw new MalformedFrameError(`unsupported version ${header.apiVersion} of API ${header.apiKey} (serves ${handler.minVersion}-${handler.maxVersion})`);
      }
      if (requestCodec.isFlexible(header.apiVersion)) skipHeaderTags(r);
      body = requestCodec.decode(r, header.apiVersion);
    } catch (err) {
      this.framePool.give(frame);
      this.closeAfterAnswers(err as Error, header);
      return;
    }
    // Object.assign onto a literal keeps one hidden class for every context; a literal that
    // starts with `...this.services` got a new one per request in V8 (17 µs and garbage each).
    const fields = {
      config: this.config,
      log: this.log,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      clientHost: this.clientHost,
      listener: this.security.listener,
      principal: this.security.principal,
      sasl,
      connectionClosed: this.disconnect.signal,
      buffers: this.framePool,
    };
    const ctx: RequestContext = Object.assign(fields, this.services);
    let result: Promise<Message | null>;
    try {
      this.faults?.beforeHandle(header.apiKey, header.apiVersion);
      result = Promise.resolve(entry.handler.handle(body, ctx));
    } catch (err) {
      result = Promise.reject(err);
    }
    const fault = this.faults && header.apiKey === 0 ? this.faults.forProduce(body) : null;
    const reserved = entry.handler.responseBytesBound?.(body, this.config) ?? 0;
    const cost = costFrom < 0 ? null : { user: principalName(ctx.principal), clientId: header.clientId ?? '', handlerMs: performance.now() - costFrom };
    this.enqueue(result, header.correlationId, entry, header.apiVersion, body, frame, reserved, fault, cost);
  }

  /**
   * After a SaslHandshake v0 the client sends SASL tokens as bare frames and gets
   * bare frames back, in order with the answers before them. A failed exchange
   * gets no answer: the session closes the connection.
   */
  private answerRawToken(sasl: SaslSession, token: Buffer): void {
    const pending: Pending = { done: false, chunks: null, requestBytes: token.length, reservedBytes: 0, startedMs: 0, recycle: false };
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
    frame: Buffer,
    reservedBytes: number,
    fault: (() => ProduceResponseFault) | null = null,
    cost: RequestCost | null = null,
  ): void {
    const requestBytes = frame.length;
    const recycle = entry.handler.apiKey === FETCH_API_KEY;
    const pending: Pending = { done: false, chunks: null, requestBytes, reservedBytes, startedMs: this.startedMs, recycle };
    this.queue.push(pending);
    this.queuedRequestBytes.take(requestBytes);
    this.reservedResponseBytes += reservedBytes;
    // Settled, produce is done with its frame's bytes (the log wrote or copied them); other
    // handlers may keep views into theirs, so their pooled frames are left to the GC.
    const produce = entry.handler.apiKey === PRODUCE_API_KEY;
    result.then(
      (response) => {
        if (produce) this.framePool.give(frame);
        if (cost !== null || response?.throttleTimeMs > 0) this.throttle(response, cost === null ? 0 : requestThrottleMs(this.services.quotas, entry.handler.apiKey, request, requestBytes, cost));
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
        if (produce) this.framePool.give(frame);
        if (response === null) this.abort(err as Error, 'no answer expected for a failed request');
        else this.complete(pending, response, correlationId, entry, version);
      },
    );
  }

  /**
   * Puts the throttle time in the answer (the larger of the quotas' and the
   * handler's own, a throttled Fetch's) and mutes the connection for it, from now:
   * the answer still goes out at once (KIP-219). An acks=0 Produce has no answer
   * and is muted all the same.
   */
  private throttle(response: Message | null, throttleMs: number): void {
    const ms = Math.max(throttleMs, response?.throttleTimeMs ?? 0);
    if (ms <= 0) return;
    if (response !== null && typeof response.throttleTimeMs === 'number') response.throttleTimeMs = ms;
    const clock = this.services.quotas.clock;
    const until = clock.now() + ms;
    if (until <= this.throttledUntilMs) return;
    this.throttledUntilMs = until;
    this.throttled?.cancel();
    this.throttled = clock.schedule(ms, () => {
      this.throttled = null;
      this.maybeResume();
    });
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
    // Answers that complete together (the produce requests one fsync round made durable) leave in one write, not a syscall each.
    if (this.flushDue) return;
    this.flushDue = true;
    process.nextTick(this.flushNow);
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
      if (answered.chunks) this.write(answered.chunks, answered.recycle);
      this.release(answered);
    }
    this.socket.uncork();
    if (this.closing) {
      // FIN after the last answer; the client's own close then completes it.
      if (this.queue.length === 0) this.socket.end();
    } else if (this.socket.writableNeedDrain) this.socket.pause();
    else this.maybeResume();
  }

  /** Writes an answer; with `recycle`, its pooled blocks go back once the socket is done with them (written, or the write failed). */
  private write(chunks: Buffer[], recycle: boolean): void {
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]);
    if (!recycle) this.socket.write(chunks[last]);
    else this.socket.write(chunks[last], () => chunks.forEach(this.framePool.give, this.framePool));
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
    this.throttled?.cancel();
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
