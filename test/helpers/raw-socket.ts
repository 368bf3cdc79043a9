// A bare TCP connection to a broker for tests that send bytes no client would:
// it writes whatever it is given and splits what comes back into frames.
//
//   const raw = await RawSocket.connect(t, broker.port);
//   raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));   // frame size -1
//   await raw.closedByPeer();                            // the broker hung up
//
// Sockets are destroyed when the test ends. Every wait has a deadline, so a
// broker that neither answers nor closes fails the test instead of hanging it.

import net from 'node:net';
import tls from 'node:tls';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { type Message, MessageCodec } from '../../src/protocol/codec.js';
import { readResponseHeader, responseHeaderIsFlexible, writeRequestHeader } from '../../src/protocol/headers.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

/** Where cleanup is registered: a TestContext (`t`), or `{ after }` from node:test. */
interface CleanupScope {
  after(fn: () => void | Promise<void>): void;
}

const DEFAULT_TIMEOUT_MS = 5000;

export class RawSocket {
  private pending = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private closed = false;
  private wake: (() => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const size = this.pending.readInt32BE(0);
        this.frames.push(this.pending.subarray(4, 4 + size));
        this.pending = this.pending.subarray(4 + size);
      }
      this.notify();
    });
    // A reset (the broker destroyed the socket with our bytes unread) is a close too.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** `localAddress`: the address to connect from, e.g. 127.0.0.2 to be another client address on loopback. */
  static connect(scope: CleanupScope, port: number, host = '127.0.0.1', localAddress?: string): Promise<RawSocket> {
    return RawSocket.opened(scope, (connected) => net.connect({ host, port, localAddress }, connected));
  }

  /** The same over TLS (an SSL or SASL_SSL listener); rejects if the handshake fails. */
  static connectTls(scope: CleanupScope, port: number, options: tls.ConnectionOptions, host = '127.0.0.1'): Promise<RawSocket> {
    return RawSocket.opened(scope, (connected) => tls.connect({ host, port, ...options }, connected));
  }

  /** A RawSocket once `open`'s socket calls back connected; destroyed when the test ends. */
  private static async opened(scope: CleanupScope, open: (connected: () => void) => net.Socket): Promise<RawSocket> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = open(() => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    scope.after(() => {
      socket.destroy();
    });
    return new RawSocket(socket);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Waits until `ready()` holds, the socket closes, or the deadline passes. */
  private async waitFor(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Writes `bytes` and resolves once they are handed to the kernel. */
  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** Half-closes our side (FIN): we send nothing more. */
  end(): void {
    this.socket.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The next whole response frame (without its size). Rejects if the broker closes first. */
  async nextFrame(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    await this.waitFor(() => this.frames.length > 0 || this.closed, timeoutMs, 'a response frame');
    const frame = this.frames.shift();
    if (!frame) throw new Error('the broker closed the connection instead of answering');
    return frame;
  }

  /**
   * Resolves once the broker has closed the connection; rejects if it answers
   * with a frame instead, or neither happens before the deadline.
   */
  async closedByPeer(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.waitFor(() => this.closed || this.frames.length > 0, timeoutMs, 'the broker to close the connection');
    if (this.frames.length > 0) throw new Error(`the broker answered (${this.frames[0].length}-byte frame) instead of closing the connection`);
  }
}

const codecs = new WeakMap<MessageSchema, MessageCodec>();
function codecOf(schema: MessageSchema): MessageCodec {
  let c = codecs.get(schema);
  if (!c) codecs.set(schema, (c = new MessageCodec(schema)));
  return c;
}

/** A whole request frame (size included), encoded with Sluice's codecs. */
export function encodeRequest(schema: MessageSchema, version: number, body: Message, correlationId: number, clientId: string | null = 'raw-test'): Buffer {
  const codec = codecOf(schema);
  const w = new Writer(128);
  w.int32(0);
  writeRequestHeader(w, { apiKey: schema.apiKey, apiVersion: version, correlationId, clientId }, codec.isFlexible(version));
  codec.encode(w, body, version);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

/** Decodes a response frame (as returned by nextFrame) for `schema` at `version`. */
export function decodeResponse(frame: Buffer, schema: MessageSchema, version: number): { correlationId: number; body: Message } {
  const codec = codecOf(schema);
  const r = new Reader(frame);
  const correlationId = readResponseHeader(r, responseHeaderIsFlexible(schema.apiKey, codec.isFlexible(version)));
  const body = codec.decode(r, version);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the ${schema.name} v${version} body`);
  return { correlationId, body };
}

/** A frame: int32 size of `parts` joined, then the parts. */
export function frameOf(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** A request header v1 (api key, version, correlation id, int16-length client id), by hand. */
export function headerV1(apiKey: number, apiVersion: number, correlationId: number, clientId = 'raw-test'): Buffer {
  const id = Buffer.from(clientId);
  const b = Buffer.alloc(10 + id.length);
  b.writeInt16BE(apiKey, 0);
  b.writeInt16BE(apiVersion, 2);
  b.writeInt32BE(correlationId, 4);
  b.writeInt16BE(id.length, 8);
  id.copy(b, 10);
  return b;
}

export function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v, 0);
  return b;
}

export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v, 0);
  return b;
}
