// One TCP connection to a broker: requests out with correlation ids,
// responses matched back, versions negotiated with ApiVersions on connect
// (highest version both sides serve), over TLS and after a SASL login when the
// client's options ask for them (client-security.ts).
//
// Every request has a deadline (`requestTimeoutMs`, or the caller's own for a
// long-poll fetch). On expiry the request rejects with SLUICE_ERR_TIMEOUT and
// the connection closes, as Kafka's clients do: the broker answers a
// connection's requests in order, so a late answer cannot be skipped and every
// answer behind it would be late too. A closed connection is never reused; its
// owner (KafkaClient's pool) hears of it through `onClose` and reconnects.
//
// Backpressure: while the socket holds more unsent bytes than its high-water
// mark (`write` returned false), later requests wait in `waiting`, in order and
// not yet encoded, and go out on 'drain'. A broker that stops reading thus
// costs the client about one high-water mark plus one request of buffered
// bytes, however many callers wait (each keeps its own body until then).

import net from 'node:net';
import tls from 'node:tls';
import { MessageCodec, type Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { readResponseHeader, responseHeaderIsFlexible, writeRequestHeader } from '../protocol/headers.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/messages/api-versions.js';
import { Reader } from '../protocol/reader.js';
import type { MessageSchema } from '../protocol/schema.js';
import { Writer } from '../protocol/writer.js';
import { FrameReader } from '../protocol/frame-reader.js';
import type { BufferPool } from '../protocol/buffer-pool.js';
import { ClientError } from './client-error.js';
import type { ClientSaslOptions, ClientTlsOptions } from './client-security.js';
import { saslLogin } from './sasl-login.js';

export interface Api {
  request: MessageSchema;
  response: MessageSchema;
}

export interface ConnectionOptions {
  /** Sent in every request header. Default 'sluice'. */
  clientId?: string;
  /** How long a request may wait for its answer, connecting and negotiating included (ms). Default 30000, as Kafka's request.timeout.ms. */
  requestTimeoutMs?: number;
  /** Where responses spanning reads land; whoever handles such a response gives its block back. Fresh buffers without it. */
  buffers?: BufferPool;
  /** Speak TLS to the broker (SSL, SASL_SSL). */
  tls?: ClientTlsOptions;
  /** Log in with SASL after negotiating versions (SASL_PLAINTEXT, SASL_SSL). */
  sasl?: ClientSaslOptions;
}

export interface RequestOptions {
  /** This request's deadline instead of `requestTimeoutMs` (ms); a long-poll fetch passes maxWaitMs + requestTimeoutMs. */
  timeoutMs?: number;
}

interface InFlight {
  resolve(m: Message): void;
  reject(e: Error): void;
  codec: MessageCodec;
  version: number;
  apiKey: number;
  timer: NodeJS.Timeout;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const codecs = new WeakMap<MessageSchema, MessageCodec>();
function codecOf(schema: MessageSchema): MessageCodec {
  let c = codecs.get(schema);
  if (!c) codecs.set(schema, (c = new MessageCodec(schema)));
  return c;
}

/** Largest response frame a client accepts. */
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

/**
 * The socket's reads, through a FrameReader, before and after the connection
 * object exists: frames go to `deliver`, an unreadable size to `fail`.
 */
class ResponseSource {
  deliver: (frame: Buffer) => void = () => {};
  fail: (err: Error) => void = () => {};
  private readonly reader: FrameReader;

  constructor(buffers: BufferPool | undefined) {
    // The broker is the peer the client chose: a response's declared size gets its buffer at once.
    const options = { maxFrameBytes: MAX_RESPONSE_BYTES, limitName: 'largest response a client accepts', allocate: buffers?.take };
    this.reader = new FrameReader(options, (frame) => this.deliver(frame));
  }

  /** A chunk of a socket without `onread` (TLS), copied through the reader. */
  push(chunk: Buffer): void {
    try {
      this.reader.push(chunk);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  readonly onread = {
    buffer: () => this.reader.target(),
    callback: (n: number) => {
      try {
        this.reader.received(n);
      } catch (err) {
        this.fail(err as Error);
        return false;
      }
      return true;
    },
  };
}

export class BrokerConnection {
  private readonly inFlight = new Map<number, InFlight>();
  private nextCorrelationId = 1;
  private versions = new Map<number, { min: number; max: number }>();
  private closedError: Error | null = null;
  private readonly closeListeners: ((err: Error) => void)[] = [];
  private readonly clientId: string;
  private readonly requestTimeoutMs: number;
  /** Requests to write once the socket drains, oldest first. */
  private readonly waiting: (() => void)[] = [];
  /** Whether the broker answered a request past ApiVersions: a connection it closes before that may lack TLS or a login. */
  private served = false;
  /** The next SASL login on this connection before its session lapses (KIP-368). */
  private reauthentication: NodeJS.Timeout | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly address: string,
    options: ConnectionOptions,
    responses: ResponseSource,
  ) {
    this.clientId = options.clientId ?? 'sluice';
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    socket.setNoDelay(true);
    responses.deliver = (frame) => this.onFrame(frame);
    responses.fail = (err) => {
      this.fail(err);
      this.socket.destroy();
    };
    socket.on('drain', () => this.writeWaiting());
    socket.on('error', (err) => this.fail(new ClientError('SLUICE_ERR_CONNECTION', `connection to ${address} failed (${errnoOrMessage(err)})`, { cause: err })));
    socket.on('close', () => this.fail(new ClientError('SLUICE_ERR_CONNECTION', `connection to ${address} closed by the broker`, { hint: this.served ? undefined : closedAtOnceHint(options) })));
  }

  /**
   * Connects and negotiates versions; rejects with SLUICE_ERR_TIMEOUT when that
   * takes longer than the request timeout, and with `signal`'s reason when it
   * is aborted first (the client closed).
   */
  static async connect(host: string, port: number, options: ConnectionOptions = {}, signal?: AbortSignal): Promise<BrokerConnection> {
    if (signal?.aborted) throw signal.reason;
    const address = `${host}:${port}`;
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const responses = new ResponseSource(options.buffers);
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = options.tls ? tlsConnect(host, port, options.tls, responses) : net.connect({ host, port, onread: responses.onread });
      let tcpConnected = false;
      const settle = (err: Error | null) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        if (err === null) {
          s.removeAllListeners('error');
          resolve(s);
        } else {
          s.destroy();
          reject(err);
        }
      };
      const abort = () => settle(signal!.reason);
      const timer = setTimeout(() => settle(new ClientError('SLUICE_ERR_TIMEOUT', `connecting to ${address} took longer than ${timeoutMs} ms`)), timeoutMs);
      signal?.addEventListener('abort', abort, { once: true });
      s.once('connect', () => {
        tcpConnected = true;
        if (!options.tls) settle(null);
      });
      s.once('secureConnect', () => settle(null));
      s.once('error', (err) => settle(tcpConnected ? tlsFailure(address, err) : new ClientError('SLUICE_ERR_CONNECTION', `cannot connect to ${address} (${errnoOrMessage(err)}); is the broker running?`, { cause: err })));
    });
    const conn = new BrokerConnection(socket, address, options, responses);
    const abort = () => conn.close(signal!.reason);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await conn.negotiate();
      if (options.sasl) await conn.login(options.sasl);
    } catch (err) {
      conn.close();
      throw err;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return conn;
  }

  /** True once the connection failed or was closed; it then rejects every request. */
  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Bytes handed to the socket and not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Requests waiting for the socket to drain before they are written. */
  get waitingRequests(): number {
    return this.waiting.length;
  }

  /** Calls `listener` once when the connection fails or is closed (at once if it already is). */
  onClose(listener: (err: Error) => void): void {
    if (this.closedError) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  private async negotiate(): Promise<void> {
    let res = await this.sendVersion({ request: ApiVersionsRequest, response: ApiVersionsResponse }, 3, {
      clientSoftwareName: 'sluice',
      clientSoftwareVersion: '0.1.0',
    });
    if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION) res = await this.sendVersion({ request: ApiVersionsRequest, response: ApiVersionsResponse }, 0, {});
    if (res.errorCode !== ErrorCode.NONE) throw new ClientError('SLUICE_ERR_PROTOCOL', `ApiVersions failed with error ${res.errorCode}`);
    this.versions = new Map(res.apiKeys.map((k: Message) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
  }

  /**
   * Logs in with SASL and, when the broker limits the session, logs in again
   * on the same connection before it lapses: Kafka's clients do so at a random
   * 85-95% of the lifetime (KIP-368), so that connections opened together do
   * not all log in again together. Requests keep flowing meanwhile; a login
   * that fails then closes the connection with its error.
   */
  private async login(sasl: ClientSaslOptions): Promise<void> {
    const lifetimeMs = await saslLogin(this, sasl, this.address);
    if (lifetimeMs <= 0 || this.closedError) return;
    const again = () =>
      this.login(sasl).catch((err: Error) => {
        this.fail(err);
        this.socket.destroy();
      });
    this.reauthentication = setTimeout(again, lifetimeMs * (0.85 + Math.random() * 0.1));
    this.reauthentication.unref();
  }

  /** Highest version of `api` both sides serve; throws when there is none. */
  versionFor(api: Api): number {
    const broker = this.versions.get(api.request.apiKey);
    const max = Math.min(api.request.versions.max, broker?.max ?? -1);
    const min = Math.max(api.request.versions.min, broker?.min ?? Infinity);
    if (max < min) throw new ClientError('SLUICE_ERR_PROTOCOL', `the broker does not serve ${api.request.name} in a version this client speaks`);
    return max;
  }

  /** Sends a request at the negotiated version and resolves with the response body. */
  send(api: Api, body: Message, options?: RequestOptions): Promise<Message> {
    return this.sendVersion(api, this.versionFor(api), body, options);
  }

  /** Sends a request that gets no response (acks=0 produce). */
  sendNoResponse(api: Api, body: Message): void {
    this.write(api, this.versionFor(api), body, this.nextCorrelationId++);
  }

  sendVersion(api: Api, version: number, body: Message, options: RequestOptions = {}): Promise<Message> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.expire(api, timeoutMs), timeoutMs);
      this.inFlight.set(correlationId, { resolve, reject, codec: codecOf(api.response), version, apiKey: api.request.apiKey, timer });
      this.write(api, version, body, correlationId);
    });
  }

  private expire(api: Api, timeoutMs: number): void {
    this.fail(new ClientError('SLUICE_ERR_TIMEOUT', `${api.request.name} to ${this.address} got no answer within ${timeoutMs} ms; the connection is closed`));
    this.socket.destroy();
  }

  /** Writes the request now, or after the requests already waiting once the socket drains. */
  private write(api: Api, version: number, body: Message, correlationId: number): void {
    if (this.waiting.length > 0 || this.socket.writableNeedDrain) this.waiting.push(() => this.writeNow(api, version, body, correlationId));
    else this.writeNow(api, version, body, correlationId);
  }

  private writeWaiting(): void {
    while (this.waiting.length > 0 && !this.socket.writableNeedDrain && !this.closedError) this.waiting.shift()!();
  }

  private writeNow(api: Api, version: number, body: Message, correlationId: number): void {
    const codec = codecOf(api.request);
    const w = new Writer(256);
    w.int32(0);
    writeRequestHeader(w, { apiKey: api.request.apiKey, apiVersion: version, correlationId, clientId: this.clientId }, codec.isFlexible(version));
    codec.encode(w, body, version);
    const chunks = w.chunksOut();
    chunks[0].writeInt32BE(w.length - 4, 0);
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    const correlationId = r.int32();
    const pending = this.inFlight.get(correlationId);
    if (!pending) return;
    this.inFlight.delete(correlationId);
    if (pending.apiKey !== ApiVersionsRequest.apiKey) this.served = true;
    clearTimeout(pending.timer);
    try {
      r.offset = 0;
      readResponseHeader(r, responseHeaderIsFlexible(pending.apiKey, pending.codec.isFlexible(pending.version)));
      pending.resolve(pending.codec.decode(r, pending.version));
    } catch (err) {
      pending.reject(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    if (this.reauthentication) clearTimeout(this.reauthentication);
    for (const p of this.inFlight.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.inFlight.clear();
    this.waiting.length = 0;
    for (const listener of this.closeListeners.splice(0)) listener(err);
  }

  /** Closes the connection; requests still waiting for an answer reject with `reason`. */
  close(reason: Error = new ClientError('SLUICE_ERR_CONNECTION', 'connection closed')): void {
    this.fail(reason);
    this.socket.end();
    this.socket.destroy();
  }
}

/** What a listener that closes a new connection before serving it may have expected of the client. */
function closedAtOnceHint(options: ConnectionOptions): string | undefined {
  const missing = [!options.tls && 'TLS (`tls`; security.protocol SSL or SASL_SSL)', !options.sasl && 'a SASL login (`sasl`; security.protocol SASL_PLAINTEXT or SASL_SSL)'].filter(Boolean);
  return missing.length === 0 ? undefined : `a listener closes a new connection at once when it expects ${missing.join(' or ')}`;
}

/** A TLS socket whose decrypted bytes go through `responses` (tls.connect takes no `onread`). */
function tlsConnect(host: string, port: number, options: ClientTlsOptions, responses: ResponseSource): tls.TLSSocket {
  // SNI carries host names only; an IP address is checked against the certificate's IP entries without it.
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  const socket = tls.connect({ host, port, ...options, servername });
  socket.on('data', (chunk: Buffer) => responses.push(chunk));
  return socket;
}

function tlsFailure(address: string, err: Error): ClientError {
  return new ClientError('SLUICE_ERR_TLS', `TLS handshake with ${address} failed (${errnoOrMessage(err)}: ${err.message})`, {
    cause: err,
    hint: "check that this is the broker's SSL or SASL_SSL listener and that the CA given (tls.ca, ssl.ca.location) signed its certificate",
  });
}

function errnoOrMessage(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.message;
}
