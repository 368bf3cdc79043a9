// A consumer of explicitly assigned partitions of one topic: reads each from
// a given offset through the fetch engine (per-leader fetches, prefetch,
// records decoded as taken) and yields records in offset order per partition.

import { FetchEngine, type FetchOptions, type OffsetResetPolicy } from './fetch-engine.js';
import type { ConsumedRecord } from './fetched-records.js';
import type { KafkaClient } from './kafka-client.js';

export type { ConsumedRecord } from './fetched-records.js';
export type { FetchOptions } from './fetch-engine.js';

export interface AssignedConsumerOptions extends FetchOptions {
  /**
   * Where a partition whose position lies outside the log continues. Default
   * 'none': the caller chose the offsets, so poll() throws KafkaError
   * OFFSET_OUT_OF_RANGE rather than jumping silently.
   */
  autoOffsetReset?: OffsetResetPolicy;
}

export class AssignedConsumer {
  private readonly engine: FetchEngine;
  private stopped = false;

  constructor(
    client: KafkaClient,
    readonly topic: string,
    start: Map<number, number>,
    options: AssignedConsumerOptions = {},
  ) {
    this.engine = new FetchEngine(client, options, options.autoOffsetReset ?? 'none');
    this.engine.assign([...start].map(([partition, offset]) => ({ topic, partition, offset })));
  }

  /** Next offset to read per partition (after the last record poll() returned). */
  position(partition: number): number | undefined {
    return this.engine.position(this.topic, partition);
  }

  /** High watermark of the last fetch response minus the position; undefined before a response. */
  lag(partition: number): number | undefined {
    return this.engine.lag(this.topic, partition);
  }

  /** Reads `partition` from `offset` on; records of it buffered or in flight are dropped. */
  seek(partition: number, offset: number): void {
    this.engine.seek(this.topic, partition, offset);
  }

  /** No fetches for these partitions and none of their records from poll(); what is buffered is kept. */
  pause(partitions: number[]): void {
    this.engine.pause(partitions.map((partition) => ({ topic: this.topic, partition })));
  }

  resume(partitions: number[]): void {
    this.engine.resume(partitions.map((partition) => ({ topic: this.topic, partition })));
  }

  /** Bytes fetched and not yet handed out. */
  get bufferedBytes(): number {
    return this.engine.buffered;
  }

  /** Ends fetching: a poll() waiting returns [] and records() ends. */
  stop(): void {
    this.stopped = true;
    this.engine.close();
  }

  /** The records buffered (at most maxRecords), else those of the next fetch (possibly none after maxWaitMs). */
  poll(maxRecords = Infinity): Promise<ConsumedRecord[]> {
    return this.engine.poll(maxRecords);
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
