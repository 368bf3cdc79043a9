// A TCP proxy that records every request frame clients send through it, for
// the protocol fuzzer's corpus. The broker advertises the proxy's address
// (`--advertised-host`), so a client that bootstraps through the proxy also
// reaches the broker through it on every later connection.
//
//   client ──▶ proxy (advertisedHost:port) ──▶ broker (127.0.0.1:port)
//                │ each whole request frame (size prefix included) ▶ frames[]
//
// Frames are split by their int32 size prefix; a client's frames are sent on
// unchanged. Recording stops with `stopRecording()`; forwarding goes on.

import net from 'node:net';

/** Largest frame kept in the corpus: bigger ones (none expected) are forwarded but not recorded. */
const MAX_RECORDED_FRAME_BYTES = 1 << 20;

export class RecordingProxy {
  readonly frames: Buffer[] = [];
  private recording = true;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  /** Listens on `host:port`, forwarding each connection to `target`. */
  static async listen(host: string, port: number, target: { host: string; port: number }): Promise<RecordingProxy> {
    const server = net.createServer();
    const proxy = new RecordingProxy(server);
    server.on('connection', (client) => proxy.forward(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return proxy;
  }

  stopRecording(): void {
    this.recording = false;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);

    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (!this.recording) return;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > MAX_RECORDED_FRAME_BYTES) {
          pending = Buffer.alloc(0);
          return;
        }
        if (pending.length < 4 + size) break;
        this.frames.push(Buffer.from(pending.subarray(0, 4 + size)));
        pending = pending.subarray(4 + size);
      }
    });
  }
}
