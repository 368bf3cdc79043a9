// The facade's producer: takes application values (serialized by serde.ts)
// and resolves each send with where the record landed, through the low-level
// Producer (batches per partition, linger, idempotence).

import type { Codec } from '../protocol/record-batch.js';
import { type Acks, Producer, type ProducerRecord, type RecordMetadata, type SentBatch, type TopicPartitionOffset } from './producer.js';
import type { KafkaClient } from './kafka-client.js';
import { type Headers, type Serializers, encodeHeaders, toBytes } from './serde.js';

/** A record as the application sends it; key and value are serialized (Buffer as is, string as UTF-8, otherwise JSON, unless a serializer is set). */
export interface OutgoingRecord {
  key?: unknown;
  value: unknown;
  headers?: Headers;
  /** The partition to write to; default: by the key's murmur2 hash (as the Java client), round-robin without a key. */
  partition?: number;
  /** Record timestamp (ms since the epoch); default now. */
  timestamp?: number;
}

/** What a transaction's body sends with: records, and consumed offsets that commit with them. */
export interface SluiceTransaction {
  send(topic: string, record: OutgoingRecord): Promise<RecordMetadata>;
  sendBatch(topic: string, records: OutgoingRecord[]): Promise<SentBatch>;
  /** Commits `groupId`'s offsets (each the next offset to consume) if and only if the transaction commits. */
  sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
}

/** Options of `client.producer()`. */
export interface SluiceProducerOptions {
  /** 'all' (every in-sync replica has it, fsynced under the default flush policy), 1 (the leader appended it) or 0 (no answer). Default 'all'. */
  acks?: 'all' | 1 | 0;
  /** Compression of record batches. Default none. */
  compression?: Codec;
  /** How long the broker may wait for the acks (ms). Default 30000. */
  timeoutMs?: number;
  /** How long a partition's batch waits for more records before it is sent (ms). Default 5. */
  lingerMs?: number;
  /** Retries never write a record twice (sequence numbers, KIP-360). Default on with acks 'all'; needs acks 'all'. */
  idempotent?: boolean;
  /** A partition's batch is sent once it holds this many bytes (uncompressed). Default 1000000. */
  batchBytes?: number;
  /** Bytes of records held before send() waits for room (see ready()). Default 32 MiB. */
  bufferBytes?: number;
  /** Produce requests in flight per broker. Default 5. */
  maxInFlight?: number;
  /** Makes the producer transactional: it sends only inside transaction(), whose records commit or abort together. */
  transactionalId?: string;
  /** Encodings of keys and values replacing the default. */
  serializer?: Serializers;
}

/** Produces application values; create it with `client.producer()`. */
export class SluiceProducer {
  private readonly producer: Producer;
  private readonly serializeKey;
  private readonly serializeValue;

  /** @internal Use `client.producer()`. */
  constructor(client: KafkaClient, options: SluiceProducerOptions = {}) {
    const acks: Acks = options.acks === 'all' || options.acks === undefined ? -1 : options.acks;
    const { timeoutMs, lingerMs, idempotent, batchBytes, bufferBytes, maxInFlight, transactionalId } = options;
    this.producer = new Producer(client, { acks, codec: options.compression, timeoutMs, lingerMs, idempotent, batchBytes, bufferBytes, maxInFlight, transactionalId });
    this.serializeKey = options.serializer?.key ?? toBytes;
    this.serializeValue = options.serializer?.value ?? toBytes;
  }

  /**
   * Sends one record to `topic` (created on first use where the broker allows
   * it). Records are batched per partition; this resolves once the record is
   * acknowledged, and rejects with a KafkaError when the broker refuses it.
   */
  send(topic: string, record: OutgoingRecord): Promise<RecordMetadata> {
    return this.producer.send(topic, this.serialize(record));
  }

  /**
   * Sends records to `topic` in order, at once (a call is a batch already
   * gathered, so it does not linger), answered by one promise (cheaper than a
   * promise per record): resolves with a SentBatch that gives each record's
   * metadata when asked, or rejects with the first failure.
   */
  sendBatch(topic: string, records: OutgoingRecord[]): Promise<SentBatch> {
    return this.producer.sendBatch(topic, records.map((record) => this.serialize(record)));
  }

  /**
   * Resolves once a record sent now would be buffered at once (bufferBytes
   * are not all held): a loop producing faster than the broker takes awaits
   * it between sends, so memory stays bounded.
   */
  ready(): Promise<void> {
    return this.producer.ready();
  }

  /**
   * Runs `body` in a transaction (needs `transactionalId`): the records it
   * sends and the consumed offsets it passes to `tx.sendOffsets` commit
   * together when it returns, and are aborted when it throws (the error is
   * rethrown) or a record fails. Transactions run one after another.
   */
  transaction<T>(body: (tx: SluiceTransaction) => Promise<T>): Promise<T> {
    return this.producer.transaction((tx) =>
      body({
        send: (topic, record) => tx.send(topic, this.serialize(record)),
        sendBatch: (topic, records) => tx.sendBatch(topic, records.map((record) => this.serialize(record))),
        sendOffsets: (groupId, offsets) => tx.sendOffsets(groupId, offsets),
      }),
    );
  }

  private serialize(record: OutgoingRecord): ProducerRecord {
    return {
      key: this.serializeKey(record.key),
      value: this.serializeValue(record.value),
      headers: encodeHeaders(record.headers),
      partition: record.partition,
      timestamp: record.timestamp,
    };
  }

  /** Resolves once every send made so far has been answered (successfully or not). */
  flush(): Promise<void> {
    return this.producer.flush();
  }

  /** Sends what is buffered, waits for the answers, and refuses further sends. */
  close(): Promise<void> {
    return this.producer.close();
  }
}
