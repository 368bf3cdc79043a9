// The facade's producer: takes application values (serialized by serde.ts)
// and resolves each send with where the record landed. It wraps the
// low-level Producer through `sendThroughProducer`, the one place that knows
// that Producer's API.

import type { Codec } from '../protocol/record-batch.js';
import { type Acks, Producer, type ProducerRecord } from './producer.js';
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

/** Where a record landed. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** The record's offset; -1 with acks 0 (the broker does not answer). */
  offset: number;
}

/** Options of `client.producer()`. */
export interface SluiceProducerOptions {
  /** 'all' (every in-sync replica has it, fsynced under the default flush policy), 1 (the leader appended it) or 0 (no answer). Default 'all'. */
  acks?: 'all' | 1 | 0;
  /** Compression of record batches. Default none. */
  compression?: Codec;
  /** How long the broker may wait for the acks (ms). Default 30000. */
  timeoutMs?: number;
  /** Encodings of keys and values replacing the default. */
  serializer?: Serializers;
}

/** Produces application values; create it with `client.producer()`. */
export class SluiceProducer {
  private readonly producer: Producer;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly serializeKey;
  private readonly serializeValue;

  /** @internal Use `client.producer()`. */
  constructor(client: KafkaClient, options: SluiceProducerOptions = {}) {
    const acks: Acks = options.acks === 'all' || options.acks === undefined ? -1 : options.acks;
    this.producer = new Producer(client, { acks, codec: options.compression, timeoutMs: options.timeoutMs });
    this.serializeKey = options.serializer?.key ?? toBytes;
    this.serializeValue = options.serializer?.value ?? toBytes;
  }

  /** Sends one record to `topic` (created on first use where the broker allows it); rejects with a KafkaError when the broker refuses it. */
  send(topic: string, record: OutgoingRecord): Promise<RecordMetadata> {
    const sent = sendThroughProducer(this.producer, topic, {
      key: this.serializeKey(record.key),
      value: this.serializeValue(record.value),
      headers: encodeHeaders(record.headers),
      partition: record.partition,
      timestamp: record.timestamp,
    });
    this.inFlight.add(sent);
    const forget = () => this.inFlight.delete(sent);
    sent.then(forget, forget);
    return sent;
  }

  /** Resolves once every send made so far has been answered (successfully or not). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/**
 * The adapter to the low-level Producer, whose `send(topic, records[])`
 * answers with each partition's base offset: one record per call, so the
 * partition's base offset is the record's own.
 */
async function sendThroughProducer(producer: Producer, topic: string, record: ProducerRecord): Promise<RecordMetadata> {
  const offsets = await producer.send(topic, [record]);
  const [partition, offset] = offsets.entries().next().value as [number, number];
  return { topic, partition, offset };
}
