// The facade's consumer: a member of a consumer group (GroupConsumer, used
// through its public methods only) that hands out decoded records and
// commits only what the application finished with.
//
// Two ways to consume, one per consumer:
//   for await (const record of consumer) { ... }
//     A record is finished when the loop asks for the next one; leaving the
//     loop (break, return, throw) does not finish the record in hand. Commits
//     every commitIntervalMs, before the group takes partitions away, and
//     when the loop ends, which also closes the consumer.
//   await consumer.run(async (batch) => { ... }, { concurrency })
//     Each poll's records are split per partition; up to `concurrency`
//     partitions are handled at once, a partition's records always in order
//     and by one call at a time. What the handlers finished is committed
//     every commitIntervalMs, before the group takes partitions away, and at
//     close (in the background: the next poll does not wait for the answer; a
//     commit per round would put an offset write and its fsync on the broker
//     for every poll); the next poll waits for the handlers, so a rebalance
//     (which happens inside poll) never finds a batch in progress.
//
// Offsets committed are the offset after the last finished record of each
// partition. Records finished in a generation the member has since left are
// not committed (their partitions may belong to another member now): they
// are delivered again, as at-least-once allows.

import { ClientError } from './client-error.js';
import type { ConsumedRecord } from './consumer.js';
import { type AssignedPartition, GroupConsumer } from './group-consumer.js';
import type { PartitionOffset } from './group-offsets.js';
import type { KafkaClient } from './kafka-client.js';
import { partitionKey } from './list-offsets.js';
import { type Deserializer, type Format, type Headers, decodeHeaders, deserializerFor } from './serde.js';
import { forEachConcurrently } from './concurrency.js';

/** A decoder choice for keys or values: a format name or a function. */
export type Decoding = Format | Deserializer<unknown>;

/** How a facade reader decodes records. */
export interface DecodingOptions<V extends Decoding = 'buffer', K extends Decoding = 'string'> {
  /** How values are decoded. Default 'buffer'. */
  valueFormat?: V;
  /** How keys are decoded. Default 'string'. */
  keyFormat?: K;
  /** Header values as UTF-8 strings or as Buffers. Default 'string'. */
  headerFormat?: 'string' | 'buffer';
}

/** Options of `client.consumer()`. */
export interface SluiceConsumerOptions<V extends Decoding = 'buffer', K extends Decoding = 'string'> extends DecodingOptions<V, K> {
  /** The consumer group: members share the topics' partitions, and the group's committed offsets say where a member resumes. */
  group: string;
  topics: string[];
  /** Where a partition without a committed offset starts. Default 'latest' (Kafka's auto.offset.reset default). */
  from?: 'earliest' | 'latest';
  /** Least time between two commits, in a loop or run() (ms). Default 5000. */
  commitIntervalMs?: number;
  /** The coordinator drops a member not heard from for this long (ms). Default 10000. */
  sessionTimeoutMs?: number;
  /** Time between heartbeats (ms). Default 3000. */
  heartbeatIntervalMs?: number;
  /** How long the broker may hold a fetch that found nothing (ms). Default 500. */
  maxWaitMs?: number;
  /** Called when the member has its partitions for a generation, with where each starts. */
  onAssigned?(partitions: AssignedPartition[]): void;
}

/** A record as the application receives it. */
export interface ReceivedRecord<V = Buffer | null, K = string | null> {
  topic: string;
  partition: number;
  offset: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  key: K;
  value: V;
  headers: Headers;
}

/** Options of `run()`. */
export interface RunOptions {
  /** How many partitions are handled at once. Default 1. */
  concurrency?: number;
}

/** Consumes topics in a group; create it with `client.consumer()`. */
export class SluiceConsumer<V = Buffer | null, K = string | null> implements AsyncIterable<ReceivedRecord<V, K>> {
  private readonly group: GroupConsumer;
  private readonly decode: (r: ConsumedRecord) => ReceivedRecord<V, K>;
  private readonly commitIntervalMs: number;
  /** Per partition, the offset after the last finished record not yet committed. */
  private readonly finished = new Map<string, PartitionOffset>();
  /** Counts the times the member gave its partitions up; records carry the count they were polled under. */
  private revocations = 0;
  private lastCommitAt = Date.now();
  /** The commit started by commitInBackground(), until it is answered. */
  private backgroundCommit: Promise<void> | null = null;
  private started = false;
  private closing: Promise<void> | null = null;
  /** Settles when run()'s loop has stopped; close() waits for it so that handlers in progress get committed. */
  private running: Promise<void> | null = null;

  /** @internal Use `client.consumer()`. The consumer closes `client`, its own, when it closes, then calls `onClosed`. */
  constructor(
    private readonly client: KafkaClient,
    options: SluiceConsumerOptions<Decoding, Decoding>,
    private readonly onClosed: () => void = () => {},
  ) {
    this.decode = recordDecoder(options);
    this.commitIntervalMs = options.commitIntervalMs ?? 5000;
    this.group = new GroupConsumer(client, {
      groupId: options.group,
      topics: options.topics,
      autoOffsetReset: options.from ?? 'latest',
      autoCommit: false,
      sessionTimeoutMs: options.sessionTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      maxWaitMs: options.maxWaitMs,
      onAssigned: options.onAssigned,
      onRevoked: () => {
        // Called synchronously before the partitions go, so this commit is sent ahead of the JoinGroup, in the generation that owned them.
        void this.commitFinished();
        this.revocations++;
      },
    });
  }

  /** Iterates over the records; ending the loop commits what it finished and closes the consumer. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ReceivedRecord<V, K>> {
    this.start();
    try {
      while (!this.closing) {
        if (Date.now() - this.lastCommitAt >= this.commitIntervalMs) this.commitInBackground();
        const revocations = this.revocations;
        for (const record of await this.group.poll()) {
          if (this.closing) return;
          yield this.decode(record);
          // Reached only when the loop asked for the next record, i.e. its body completed.
          this.markFinished(record, revocations);
        }
      }
    } finally {
      await this.close();
    }
  }

  /**
   * Calls `handler` with each partition's records in offset order, several
   * partitions at once up to `concurrency`, and commits what they finished
   * every commitIntervalMs. Resolves after close(); rejects with the first error a handler
   * throws (after committing the batches that were handled and closing).
   */
  async run(handler: (batch: ReceivedRecord<V, K>[]) => Promise<void>, options: RunOptions = {}): Promise<void> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new ClientError('SLUICE_ERR_CONFIG', `concurrency must be a positive integer, got ${concurrency}`);
    this.start();
    const loop = (async () => {
      while (!this.closing) {
        const revocations = this.revocations;
        const batches = byPartition(await this.group.poll());
        await forEachConcurrently(batches, concurrency, async (batch) => {
          await handler(batch.map((r) => this.decode(r)));
          this.markFinished(batch[batch.length - 1], revocations);
        });
        if (Date.now() - this.lastCommitAt >= this.commitIntervalMs) this.commitInBackground();
      }
    })();
    this.running = loop.catch(() => {});
    try {
      await loop;
    } finally {
      await this.close();
    }
  }

  /**
   * Stops consuming, commits what was finished and leaves the group. Waits
   * for the run() handlers in progress, so a handler that calls it must not
   * await it.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        this.group.wakeup();
        await this.running;
        await this.backgroundCommit;
        await this.commitFinished();
        await this.group.close();
        await this.client.close();
      } finally {
        this.onClosed();
      }
    })();
    return this.closing;
  }

  private start(): void {
    if (this.started) throw new ClientError('SLUICE_ERR_CONFIG', 'a consumer is consumed once: iterate over it or call run(), not both and not twice');
    this.started = true;
  }

  private markFinished(r: ConsumedRecord, revocations: number): void {
    if (revocations !== this.revocations) return;
    this.finished.set(partitionKey(r.topic, r.partition), { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
  }

  /**
   * Starts a commit of the finished offsets unless one is still on its way
   * (the next call then commits what finished meanwhile), so consuming never
   * waits for the coordinator's write of the offsets.
   */
  private commitInBackground(): void {
    this.backgroundCommit ??= this.commitFinished().finally(() => (this.backgroundCommit = null));
  }

  /**
   * Commits the finished offsets. A failed commit is not retried: the
   * GroupConsumer rejoins when the membership is the cause, and the records
   * are delivered again.
   */
  private commitFinished(): Promise<void> {
    this.lastCommitAt = Date.now();
    if (this.finished.size === 0) return Promise.resolve();
    const offsets = [...this.finished.values()];
    this.finished.clear();
    return this.group.commit(offsets).catch(() => {});
  }
}

function byPartition(records: ConsumedRecord[]): ConsumedRecord[][] {
  const batches = new Map<string, ConsumedRecord[]>();
  let batch: ConsumedRecord[] | undefined;
  let last: ConsumedRecord | undefined;
  for (const r of records) {
    // A poll hands out runs of one partition's records: look the batch up only where a run starts.
    if (!last || r.partition !== last.partition || r.topic !== last.topic) {
      const key = partitionKey(r.topic, r.partition);
      batch = batches.get(key);
      if (!batch) batches.set(key, (batch = []));
    }
    (batch as ConsumedRecord[]).push(r);
    last = r;
  }
  return [...batches.values()];
}

/** Decodes a record's key, value and headers as `options` say (a record's fields are views of the fetched bytes). */
export function recordDecoder<V, K>(options: DecodingOptions<Decoding, Decoding>): (r: ConsumedRecord) => ReceivedRecord<V, K> {
  const decodeKey = deserializerFor(options.keyFormat ?? 'string') as Deserializer<K>;
  const decodeValue = deserializerFor(options.valueFormat ?? 'buffer') as Deserializer<V>;
  const headerFormat = options.headerFormat ?? 'string';
  return (r) => ({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: decodeKey(r.key),
    value: decodeValue(r.value),
    headers: decodeHeaders(r.headers, headerFormat),
  });
}
