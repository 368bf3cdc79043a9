// Promise-shaped clients over @confluentinc/kafka-javascript's node-rdkafka
// API (librdkafka 2.15, loaded from the cache `npm run setup:librdkafka`
// fills), for the librdkafka-*.test.ts files. Each client is disconnected
// when the test that made it ends (through `defer`, so before a broker the
// test started after it closes). Nothing here waits by sleeping: promises
// settle on librdkafka's own events (delivery reports, rebalances, consumed
// messages), and every wait has a ceiling that fails the test instead of
// hanging it. Calls that block the JavaScript thread until the broker answers
// (`commitSync`) need a broker in another process (spawnBroker).
//
//   const producer = await RdProducer.connect(t, broker.bootstrap, { 'compression.codec': 'lz4' });
//   const delivered = await producer.produce('topic', [{ partition: 0, value: Buffer.from('v') }]);
//   const consumer = await RdConsumer.connect(t, broker.bootstrap, { 'group.id': 'g' });
//   consumer.assign([{ topic: 'topic', partition: 0, offset: 0 }]);
//   const messages = await consumer.read(1);

import type { TestContext } from 'node:test';
import { defer } from '../helpers/broker-process.js';
import { loadKafkaJavascript } from '../helpers/interop-tools.js';

/** Ceiling on any wait for librdkafka: it fails the test, it is not a synchronisation. */
export const RDKAFKA_WAIT_MS = 30_000;

// The package is a test tool in a cache, not a dependency: typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Native = any;
export type RdConfig = Record<string, unknown>;

/** librdkafka's error codes the tests look for (rdkafka.h, RD_KAFKA_RESP_ERR_*). */
export const RdError = {
  ASSIGN_PARTITIONS: -175,
  AUTO_OFFSET_RESET: -140,
  /** librdkafka's local error for a fenced producer (broker PRODUCER_FENCED or INVALID_PRODUCER_EPOCH). */
  FENCED: -144,
} as const;

/** A record as librdkafka returns it: headers are a list of one-key objects. */
export interface RdMessage {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null | undefined;
  value: Buffer | null;
  timestamp: number;
  headers?: Record<string, Buffer>[];
}

export interface OutRecord {
  partition: number;
  key?: Buffer | null;
  value: Buffer | null;
  timestamp?: number;
  headers?: Record<string, Buffer | string>[];
}

export interface Delivered {
  partition: number;
  offset: number;
  timestamp: number;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
  /** Commit metadata (OffsetCommit), where one is given or returned. */
  metadata?: string | null;
}

/** A node-rdkafka AdminClient (connected on creation) and its log lines, disconnected when the test ends. */
export function rdAdmin(t: TestContext, bootstrap: string, config: RdConfig = {}): { native: Native; log: string[] } {
  const log: string[] = [];
  const native = rdkafka().AdminClient.create({ 'bootstrap.servers': bootstrap, ...config }, { 'event.log': (l: { message: string }) => log.push(l.message) });
  defer(t, () => native.disconnect());
  return { native, log };
}

export function rdkafka(): Native {
  return loadKafkaJavascript();
}

/** Resolves when `promise` does, or rejects after `ms` saying what was awaited. */
export function within<T>(what: string, promise: Promise<T>, ms = RDKAFKA_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`librdkafka: no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** node-rdkafka's `(err, result)` callback as a promise. */
export function callback<T>(call: (cb: (err: unknown, result: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => call((err, result) => (err ? reject(err) : resolve(result))));
}

async function connected(client: Native, what: string): Promise<void> {
  await within(`${what} connection`, callback((cb) => client.connect({}, cb)));
}

/**
 * Collects librdkafka's log lines (with config `debug`, its debug output:
 * how a test sees what librdkafka negotiated). Attach before connecting, as
 * ApiVersions is exchanged while connecting.
 */
function collectLog(client: Native): string[] {
  const lines: string[] = [];
  client.on('event.log', (log: { message: string }) => lines.push(log.message));
  return lines;
}

/** A producer whose `produce` resolves with one delivery report per record, in order. */
export class RdProducer {
  private pending = new Map<number, { resolve(d: Delivered): void; reject(e: unknown): void }>();
  private nextId = 0;

  /** librdkafka's log lines (see `collectLog`). */
  readonly log: string[];

  private constructor(readonly native: Native) {
    this.log = collectLog(native);
    native.on('delivery-report', (err: unknown, report: { opaque: number; partition: number; offset: number; timestamp: number }) => {
      const waiter = this.pending.get(report.opaque);
      if (!waiter) return;
      this.pending.delete(report.opaque);
      if (err) waiter.reject(err);
      else waiter.resolve({ partition: report.partition, offset: report.offset, timestamp: report.timestamp });
    });
  }

  static async connect(t: TestContext, bootstrap: string, config: RdConfig = {}): Promise<RdProducer> {
    const native = new (rdkafka().Producer)({ 'bootstrap.servers': bootstrap, dr_cb: true, 'linger.ms': 5, ...config });
    const producer = new RdProducer(native);
    await connected(native, 'producer');
    native.setPollInterval(5);
    defer(t, () => producer.disconnect());
    return producer;
  }

  produce(topic: string, records: OutRecord[]): Promise<Delivered[]> {
    const reports = records.map((r) => {
      const id = this.nextId++;
      const report = new Promise<Delivered>((resolve, reject) => this.pending.set(id, { resolve, reject }));
      this.native.produce(topic, r.partition, r.value, r.key ?? null, r.timestamp ?? null, id, r.headers ?? []);
      return report;
    });
    return within(`delivery reports for ${records.length} records to ${topic}`, Promise.all(reports));
  }

  async disconnect(): Promise<void> {
    if (!this.native.isConnected()) return;
    await callback((cb) => this.native.disconnect(cb));
  }
}

/** A KafkaConsumer read by counting: `read(n)` polls until n messages came. */
export class RdConsumer {
  /** librdkafka's log lines (see `collectLog`). */
  readonly log: string[];

  private constructor(readonly native: Native) {
    this.log = collectLog(native);
  }

  /** Topic-level properties (`auto.offset.reset`) go in `config`: a topic config object, even empty, would replace them. */
  static async connect(t: TestContext, bootstrap: string, config: RdConfig): Promise<RdConsumer> {
    const native = new (rdkafka().KafkaConsumer)({ 'bootstrap.servers': bootstrap, ...config });
    const consumer = new RdConsumer(native);
    await connected(native, 'consumer');
    native.setDefaultConsumeTimeout(200);
    defer(t, () => consumer.disconnect());
    return consumer;
  }

  assign(partitions: TopicPartitionOffset[] | { topic: string; partition: number }[]): void {
    this.native.assign(partitions);
  }

  /** Consumes exactly `count` messages (in the order librdkafka hands them out), failing on any consume error. */
  read(count: number, ms = RDKAFKA_WAIT_MS): Promise<RdMessage[]> {
    const got: RdMessage[] = [];
    const poll = (resolve: (m: RdMessage[]) => void, reject: (e: unknown) => void): void => {
      this.native.consume(count - got.length, (err: unknown, messages: RdMessage[]) => {
        if (err) return reject(err);
        got.push(...messages);
        if (got.length >= count) resolve(got);
        else poll(resolve, reject);
      });
    };
    return within(`${count} messages (got ${got.length})`, new Promise(poll), ms);
  }

  /**
   * Polls until librdkafka reports the end of `partition` (needs
   * `enable.partition.eof`), returning the messages consumed before it and
   * the offset it reached: how a test knows a reset to the end has happened.
   */
  readToEnd(topic: string, partition: number, ms = RDKAFKA_WAIT_MS): Promise<{ messages: RdMessage[]; endOffset: number }> {
    const messages: RdMessage[] = [];
    let endOffset: number | undefined;
    const onEof = (eof: { topic: string; partition: number; offset: number }): void => {
      if (eof.topic === topic && eof.partition === partition) endOffset = eof.offset;
    };
    this.native.on('partition.eof', onEof);
    const poll = (resolve: (r: { messages: RdMessage[]; endOffset: number }) => void, reject: (e: unknown) => void): void => {
      this.native.consume(100, (err: unknown, batch: RdMessage[]) => {
        if (err) return reject(err);
        messages.push(...batch);
        if (endOffset !== undefined) resolve({ messages, endOffset });
        else poll(resolve, reject);
      });
    };
    return within(`end of ${topic}-${partition}`, new Promise(poll), ms).finally(() => this.native.removeListener('partition.eof', onEof));
  }

  /** Polls until a consume call fails, and returns that error (librdkafka reports offset resets this way). */
  nextError(ms = RDKAFKA_WAIT_MS): Promise<{ code: number; message: string }> {
    const poll = (resolve: (e: { code: number; message: string }) => void, reject: (e: unknown) => void): void => {
      this.native.consume(1, (err: { code: number; message: string } | null, messages: RdMessage[]) => {
        if (err) return resolve(err);
        if (messages.length > 0) return reject(new Error(`expected an error, got a message at offset ${messages[0].offset}`));
        poll(resolve, reject);
      });
    };
    return within('consume error', new Promise(poll), ms);
  }

  /**
   * An asynchronous commit (`commit()`), settled by its offset_commit_cb,
   * which librdkafka delivers from a consume call: so it polls, and fails if
   * that poll hands out a message (call it once everything was read).
   * Needs the consumer made with `offset_commit_cb: true`.
   */
  commitAsync(offsets: TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    let settled = false;
    const key = (xs: TopicPartitionOffset[]) => xs.map((x) => `${x.topic}/${x.partition}@${x.offset}`).sort().join(',');
    let onCommit = (_err: unknown, _committed: TopicPartitionOffset[]): void => {};
    const result = new Promise<TopicPartitionOffset[]>((resolve, reject) => {
      // A commitSync before this one has its callback delivered by a later poll too: wait for this commit's.
      onCommit = (err, committed) => {
        if (err) reject(err);
        else if (key(committed) === key(offsets)) resolve(committed);
      };
      this.native.on('offset.commit', onCommit);
      const poll = (): void => {
        if (settled) return;
        this.native.consume(1, (err: unknown, messages: RdMessage[]) => {
          if (!err && messages.length > 0) reject(new Error(`commitAsync: a message arrived at offset ${messages[0].offset}`));
          else poll();
        });
      };
      this.native.commit(offsets);
      poll();
    });
    return within('offset commit callback', result).finally(() => {
      settled = true;
      this.native.off('offset.commit', onCommit);
    });
  }

  seek(partition: TopicPartitionOffset): Promise<void> {
    return within('seek', callback((cb) => this.native.seek(partition, 5000, cb)));
  }

  committed(partitions: { topic: string; partition: number }[]): Promise<TopicPartitionOffset[]> {
    return within('committed offsets', callback((cb) => this.native.committed(partitions, 5000, cb)));
  }

  position(partitions: { topic: string; partition: number }[]): TopicPartitionOffset[] {
    return this.native.position(partitions);
  }

  async disconnect(): Promise<void> {
    if (!this.native.isConnected()) return;
    await callback((cb) => this.native.disconnect(cb));
  }
}

/** A record with a key, a value, two headers (one binary) and a timestamp that differ per index. */
export function sampleRecord(tag: string, i: number, t0: number, partition = 0): OutRecord {
  return {
    partition,
    key: i % 5 === 3 ? null : Buffer.from(`${tag}-key-${i}`),
    value: i % 5 === 4 ? null : Buffer.from(`${tag} value ${i} ${'x'.repeat(i * 37)}`),
    timestamp: t0 + i,
    headers: [{ 'trace-id': `t-${tag}-${i}` }, { bin: Buffer.from([0, 1, 2, 255, i]) }],
  };
}

/** What a consumer must see for a record `sampleRecord` made, at `offset`. */
export function expectedMessage(record: OutRecord, offset: number): object {
  return {
    partition: record.partition,
    offset,
    key: record.key ?? null,
    value: record.value,
    timestamp: record.timestamp,
    headers: (record.headers ?? []).map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v)]))),
  };
}

/** The fields of a consumed message `expectedMessage` describes (librdkafka gives a missing key as undefined). */
export function seenMessage(m: RdMessage): object {
  return { partition: m.partition, offset: m.offset, key: m.key ?? null, value: m.value, timestamp: m.timestamp, headers: m.headers ?? [] };
}
