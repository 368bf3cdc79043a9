// Many producer connections from one process at little cost to the generator:
// each is a bare socket that sends one prepared Produce frame (the same batch
// every time, acks=all, no idempotence, so the broker appends every copy) and
// the next as soon as the answer comes: one request in flight per connection,
// as a producer with max.in.flight.requests.per.connection=1. Encoding is done
// once; per request the generator only writes bytes and splits answers.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ApiVersionsRequest } from '../src/protocol/messages/api-versions.js';
import { ProduceRequest, ProduceResponse } from '../src/protocol/messages/produce.js';
import { FrameReader } from '../src/protocol/frame-reader.js';
import { encodeBatch } from '../src/protocol/records.js';
import { decodeResponse, encodeRequest } from '../test/helpers/raw-socket.js';

const PRODUCE_VERSION = 9;
/** Connections opened at a time: well under the listen backlog. */
const CONNECT_WAVE = 100;
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface ProduceFrame {
  frame: Buffer;
  records: number;
}

/** A Produce request of `records` records of `size` bytes to partition 0 of `topic`. */
export function prepareProduceFrame(topic: string, records: number, size: number): ProduceFrame {
  const batch = encodeBatch(Array.from({ length: records }, () => ({ value: Buffer.alloc(size, 'x') })));
  const body = { transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] };
  return { frame: encodeRequest(ProduceRequest, PRODUCE_VERSION, body, 1, 'bench-raw-producer'), records };
}

class RawConnection {
  private readonly frames = new FrameReader({ maxFrameBytes: MAX_RESPONSE_BYTES, limitName: 'largest answer expected' }, (f) => this.onFrame?.(f));
  private onFrame: ((frame: Buffer) => void) | null = null;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.frames.push(chunk));
  }

  /** Sends `frame` and resolves with the answer. */
  request(frame: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const closed = () => reject(new Error('the broker closed a producer connection'));
      this.socket.once('close', closed);
      this.onFrame = (answer) => {
        this.socket.off('close', closed);
        this.onFrame = null;
        resolve(answer);
      };
      this.socket.write(frame);
    });
  }
}

export class RawProducers {
  private constructor(private readonly connections: RawConnection[]) {}

  /** Opens `count` connections, each past one ApiVersions round trip (what every client does first). */
  static async open(port: number, count: number): Promise<RawProducers> {
    const apiVersions = encodeRequest(ApiVersionsRequest, 0, {}, 0, 'bench-raw-producer');
    const connections: RawConnection[] = [];
    for (let opened = 0; opened < count; opened += CONNECT_WAVE) {
      const wave = Array.from({ length: Math.min(CONNECT_WAVE, count - opened) }, async () => {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
          s.once('error', reject);
        });
        const connection = new RawConnection(socket);
        await connection.request(apiVersions);
        return connection;
      });
      connections.push(...(await Promise.all(wave)));
    }
    return new RawProducers(connections);
  }

  /**
   * Every connection sends `produce` back to back for `seconds`. Returns the
   * records acknowledged and each request's send-to-answer time (ms).
   */
  async produceFor(produce: ProduceFrame, seconds: number): Promise<{ records: number; wallSeconds: number; ackMs: number[] }> {
    const ackMs: number[] = [];
    let records = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      this.connections.map(async (c) => {
        while (performance.now() < end) {
          const sent = performance.now();
          const answer = await c.request(produce.frame);
          ackMs.push(performance.now() - sent);
          const partition = (decodeResponse(answer, ProduceResponse, PRODUCE_VERSION).body.responses as { partitionResponses: { errorCode: number }[] }[])[0].partitionResponses[0];
          if (partition.errorCode !== 0) throw new Error(`produce failed with error code ${partition.errorCode}`);
          records += produce.records;
        }
      }),
    );
    return { records, wallSeconds: (performance.now() - start) / 1000, ackMs };
  }

  close(): void {
    for (const c of this.connections) c.socket.destroy();
  }
}
