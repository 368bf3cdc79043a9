// A consumer of explicitly assigned partitions: fetches from given offsets
// with long-poll and yields decoded records in offset order per partition.

import type { Message } from '../protocol/codec.js';
import { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import { type Record, decodeBatch, forEachBatch } from '../protocol/records.js';
import { isControlBatch } from '../protocol/record-batch.js';
import { check } from './client-error.js';
import type { KafkaClient, TopicInfo } from './kafka-client.js';

export interface ConsumedRecord extends Record {
  topic: string;
  partition: number;
}

export interface FetchOptions {
  /** How long the broker may hold an empty fetch (ms). Default 500. */
  maxWaitMs?: number;
  /** Bytes per partition per fetch. Default 1 MiB. */
  partitionMaxBytes?: number;
  /** Bytes per fetch response. Default 50 MiB. */
  maxBytes?: number;
}

const FETCH = { request: FetchRequest, response: FetchResponse };

/**
 * Appends the records at or after `from` of one partition's fetched batches
 * to `out` (a fetch returns whole batches, which may start before `from`;
 * control batches are skipped) and returns the next offset to fetch.
 */
export function decodeFetched(batches: Buffer, topic: string, partition: number, from: number, out: ConsumedRecord[]): number {
  let next = from;
  forEachBatch(batches, (pos) => {
    const { header, records } = decodeBatch(batches, pos);
    next = Math.max(next, header.baseOffset + header.lastOffsetDelta + 1);
    if (isControlBatch(batches, pos)) return;
    for (const r of records) if (r.offset >= from) out.push({ ...r, topic, partition });
  });
  return next;
}

export class AssignedConsumer {
  private readonly positions: Map<number, number>;
  private stopped = false;
  private topicInfo: TopicInfo | null = null;

  constructor(
    private readonly client: KafkaClient,
    readonly topic: string,
    start: Map<number, number>,
    private readonly options: FetchOptions = {},
  ) {
    this.positions = new Map(start);
  }

  /** Next offset to read per partition. */
  position(partition: number): number | undefined {
    return this.positions.get(partition);
  }

  stop(): void {
    this.stopped = true;
  }

  /** One fetch round: the records that arrived (possibly none after maxWaitMs). */
  async poll(): Promise<ConsumedRecord[]> {
    const info = (this.topicInfo ??= await this.client.topic(this.topic));
    const conn = await this.client.node(info.partitions[0]?.leader ?? -1, 'fetch');
    const res = await conn.send(FETCH, {
      replicaId: -1,
      maxWaitMs: this.options.maxWaitMs ?? 500,
      minBytes: 1,
      maxBytes: this.options.maxBytes ?? 50 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: this.topic,
          topicId: info.topicId,
          partitions: [...this.positions].map(([partition, fetchOffset]) => ({
            partition,
            currentLeaderEpoch: -1,
            fetchOffset,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: this.options.partitionMaxBytes ?? 1024 * 1024,
          })),
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    }, { timeoutMs: (this.options.maxWaitMs ?? 500) + this.client.requestTimeoutMs });
    const out: ConsumedRecord[] = [];
    for (const t of res.responses) {
      for (const p of t.partitions as Message[]) {
        if (p.errorCode !== 0) this.topicInfo = null; // leadership or the topic may have changed: refresh metadata next time
        check(p.errorCode, null, `fetch ${this.topic}-${p.partitionIndex}`);
        if (!p.records) continue;
        const from = this.positions.get(p.partitionIndex) ?? 0;
        this.positions.set(p.partitionIndex, decodeFetched(p.records, this.topic, p.partitionIndex, from, out));

      }
    }
    return out;
  }

  /** Yields records until stop() is called. */
  async *records(): AsyncGenerator<ConsumedRecord> {
    while (!this.stopped) {
      for (const r of await this.poll()) {
        yield r;
        if (this.stopped) return;
      }
    }
  }
}
