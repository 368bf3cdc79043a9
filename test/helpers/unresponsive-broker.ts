// A TCP server that looks like a broker only as far as a test needs, to prove
// what the client does when a broker stops responding:
//
//   'silent'        accepts and reads everything, never writes a byte;
//   'hangs'         answers ApiVersions (Metadata and Produce offered), reads
//                   every later request and answers none;
//   'stops-reading' answers ApiVersions, then reads nothing more, so the
//                   client's writes fill the kernel buffers and back up;
//                   `resumeReading()` reads on (answering nothing) and
//                   `correlationIds()` lists the requests read since, in order.
//
//   const server = await startUnresponsiveBroker(t, 'hangs');
//   const client = new KafkaClient({ bootstrap: server.bootstrap, requestTimeoutMs: 200 });
//
// `connections` counts the connections accepted; sockets and the listener are
// closed when the test ends. `refusedAddress()` is where nothing listens at all.

import net from 'node:net';
import { MessageCodec } from '../../src/protocol/codec.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { readRequestHeader, writeResponseHeader } from '../../src/protocol/headers.js';
import { ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

interface CleanupScope {
  after(fn: () => void | Promise<void>): void;
}

export type Unresponsiveness = 'silent' | 'hangs' | 'stops-reading';

export interface UnresponsiveBroker {
  port: number;
  bootstrap: string;
  connections(): number;
  resumeReading(): void;
  correlationIds(): number[];
}

const OFFERED = [
  { apiKey: 0, minVersion: 3, maxVersion: 9 },
  { apiKey: 3, minVersion: 0, maxVersion: 12 },
  { apiKey: 18, minVersion: 0, maxVersion: 3 },
];

export async function startUnresponsiveBroker(scope: CleanupScope, behaviour: Unresponsiveness): Promise<UnresponsiveBroker> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const paused: net.Socket[] = [];
  const correlationIds: number[] = [];
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (behaviour === 'silent') {
      socket.resume();
      return;
    }
    let answered = false;
    const frames = new FrameReader({ maxFrameBytes: 2 ** 30, limitName: 'test' }, (frame) => {
      if (answered) {
        correlationIds.push(frame.readInt32BE(4));
        return;
      }
      answered = true;
      socket.write(apiVersionsAnswer(frame));
      if (behaviour === 'stops-reading') {
        socket.pause();
        paused.push(socket);
      }
    });
    socket.on('data', (chunk) => frames.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    connections: () => accepted,
    resumeReading: () => paused.splice(0).forEach((s) => s.resume()),
    correlationIds: () => correlationIds,
  };
}

/** The answer to an ApiVersions request frame (v0-3), in the version asked. */
function apiVersionsAnswer(request: Buffer): Buffer {
  const header = readRequestHeader(new Reader(request));
  const w = new Writer(128);
  w.int32(0);
  writeResponseHeader(w, header.correlationId, false);
  new MessageCodec(ApiVersionsResponse).encode(w, { errorCode: 0, apiKeys: OFFERED, throttleTimeMs: 0 }, header.apiVersion);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

/** An address where nothing listens (a port bound once, then freed): connecting to it is refused. */
export async function refusedAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}
