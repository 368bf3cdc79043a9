// One TCP connection to a broker: requests out with correlation ids,
// responses matched back, versions negotiated with ApiVersions on connect
// (highest version both sides serve).

import net from 'node:net';
import { MessageCodec, type Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { FrameReader } from '../protocol/frame-reader.js';
import { readResponseHeader, responseHeaderIsFlexible, writeRequestHeader } from '../protocol/headers.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/messages/api-versions.js';
import { Reader } from '../protocol/reader.js';
import type { MessageSchema } from '../protocol/schema.js';
import { Writer } from '../protocol/writer.js';
import { ClientError } from './client-error.js';

export interface Api {
  request: MessageSchema;
  response: MessageSchema;
}

interface InFlight {
  resolve(m: Message): void;
  reject(e: Error): void;
  codec: MessageCodec;
  version: number;
  apiKey: number;
}

const codecs = new WeakMap<MessageSchema, MessageCodec>();
function codecOf(schema: MessageSchema): MessageCodec {
  let c = codecs.get(schema);
  if (!c) codecs.set(schema, (c = new MessageCodec(schema)));
  return c;
}

/** Largest response frame a client accepts. */
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

export class BrokerConnection {
  private readonly inFlight = new Map<number, InFlight>();
  private readonly frames = new FrameReader(MAX_RESPONSE_BYTES);
  private nextCorrelationId = 1;
  private versions = new Map<number, { min: number; max: number }>();
  private closedError: Error | null = null;
  private readonly closeListeners: (() => void)[] = [];

  private constructor(
    private readonly socket: net.Socket,
    private readonly clientId: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new ClientError('SLUICE_ERR_CONNECTION', 'connection closed by the broker')));
  }

  static async connect(host: string, port: number, clientId = 'sluice'): Promise<BrokerConnection> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', (err) =>
        reject(new ClientError('SLUICE_ERR_CONNECTION', `cannot connect to ${host}:${port} (${(err as NodeJS.ErrnoException).code ?? err.message}); is the broker running?`, { cause: err })),
      );
    });
    const conn = new BrokerConnection(socket, clientId);
    await conn.negotiate();
    return conn;
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

  /** Highest version of `api` both sides serve; throws when there is none. */
  versionFor(api: Api): number {
    const broker = this.versions.get(api.request.apiKey);
    const max = Math.min(api.request.versions.max, broker?.max ?? -1);
    const min = Math.max(api.request.versions.min, broker?.min ?? Infinity);
    if (max < min) throw new ClientError('SLUICE_ERR_PROTOCOL', `the broker does not serve ${api.request.name} in a version this client speaks`);
    return max;
  }

  /** Sends a request at the negotiated version and resolves with the response body. */
  send(api: Api, body: Message): Promise<Message> {
    return this.sendVersion(api, this.versionFor(api), body);
  }

  /** Sends a request that gets no response (acks=0 produce). */
  sendNoResponse(api: Api, body: Message): void {
    this.write(api, this.versionFor(api), body, this.nextCorrelationId++);
  }

  sendVersion(api: Api, version: number, body: Message): Promise<Message> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(correlationId, { resolve, reject, codec: codecOf(api.response), version, apiKey: api.request.apiKey });
      this.write(api, version, body, correlationId);
    });
  }

  private write(api: Api, version: number, body: Message, correlationId: number): void {
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

  private onData(chunk: Buffer): void {
    this.frames.push(chunk);
    for (;;) {
      let frame: Buffer | null;
      try {
        frame = this.frames.next();
      } catch (err) {
        this.fail(err as Error);
        this.socket.destroy();
        return;
      }
      if (frame === null) return;
      const r = new Reader(frame);
      const correlationId = r.int32();
      const pending = this.inFlight.get(correlationId);
      if (!pending) continue;
      this.inFlight.delete(correlationId);
      try {
        r.offset = 0;
        readResponseHeader(r, responseHeaderIsFlexible(pending.apiKey, pending.codec.isFlexible(pending.version)));
        pending.resolve(pending.codec.decode(r, pending.version));
      } catch (err) {
        pending.reject(err as Error);
      }
    }
  }

  /** Runs `fn` once the connection is closed (at once if it already is). */
  onClose(fn: () => void): void {
    if (this.closedError) fn();
    else this.closeListeners.push(fn);
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const fn of this.closeListeners.splice(0)) fn();
    for (const p of this.inFlight.values()) p.reject(err);
    this.inFlight.clear();
  }

  /** Closes the connection; requests still waiting for an answer reject. */
  close(): void {
    this.fail(new ClientError('SLUICE_ERR_CONNECTION', 'connection closed'));
    this.socket.end();
    this.socket.destroy();
  }
}
