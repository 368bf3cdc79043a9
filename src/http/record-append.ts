// Appending records for the HTTP API, through the broker's produce path (the
// same validation, topic rules, append and acks policy as a Produce request).
// A record goes to the partition it names, else the one its key hashes to
// (murmur2, as Kafka's clients place keys), else, for records without a key,
// to the next partition in turn per call, so that the keyless records of one
// call keep their order. One batch is built per partition.

import { produceToPartition } from '../broker/produce.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { partitionForKey } from '../protocol/murmur2.js';
import { type NewRecord, encodeBatch } from '../protocol/records.js';
import type { HttpApiContext } from './api-context.js';
import { HttpApiError, kafkaError } from './errors.js';
import { unknownPartition } from './partition-lookup.js';

export interface RecordToAppend {
  record: NewRecord;
  /** Where it must go; else by key, else the next partition in turn. */
  partition?: number;
}

export interface Placement {
  partition: number;
  offset: number;
}

/** A JSON value as a record value: a string as its UTF-8 bytes, null as a tombstone, anything else as its JSON text. */
export function valueBytes(value: unknown): Buffer | null {
  if (value === null) return null;
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

export class RecordAppender {
  /** Next partition per topic for records without key or partition. */
  private readonly nextKeyless = new Map<string, number>();

  constructor(private readonly ctx: HttpApiContext) {}

  /**
   * Appends `records` to topic `name` (auto-created if the broker allows) and
   * answers where each went, in order; null with acks 0, whose failures are
   * only logged, as a Kafka producer's are never reported to the sender.
   */
  async append(name: string, records: RecordToAppend[], acks: number): Promise<Placement[] | null> {
    const { ctx } = this;
    const topic = await ctx.broker.topicOrAutoCreate(name, true);
    if (!topic) throw new HttpApiError(404, 'SLUICE_HTTP_UNKNOWN_TOPIC', `unknown topic '${name}'`, 'create it first (POST /topics), or start the broker with auto-create-topics-enable');
    const count = topic.partitions.length;
    const keyless = this.nextKeyless.get(name) ?? 0;
    this.nextKeyless.set(name, (keyless + 1) % count);
    const byPartition = new Map<number, number[]>();
    for (const [i, { record, partition }] of records.entries()) {
      const p = partition ?? (record.key ? partitionForKey(record.key, count) : keyless);
      if (p >= count) throw unknownPartition(name, p, count);
      const indexes = byPartition.get(p);
      if (indexes) indexes.push(i);
      else byPartition.set(p, [i]);
    }
    // Every append starts before the first await, as a Produce request's partitions do.
    const results = [...byPartition].map(([p, indexes]) => ({
      partition: p,
      indexes,
      result: produceToPartition(ctx.broker, name, p, encodeBatch(indexes.map((i) => records[i].record)), acks, ctx.log),
    }));
    if (acks === 0) {
      for (const { partition: p, result } of results) void result.catch((err) => ctx.log.error({ err, topic: name, partition: p }, 'HTTP produce with acks=0 failed'));
      return null;
    }
    const placed: Placement[] = new Array(records.length);
    const written: number[] = [];
    let failure: HttpApiError | null = null;
    for (const { partition: p, indexes, result } of results) {
      const r = await result;
      if (r.errorCode !== ErrorCode.NONE) {
        failure ??= kafkaError(r.errorCode, r.errorMessage, `appending to ${name}-${p}`);
        continue;
      }
      written.push(p);
      // One batch per partition: its records take consecutive offsets (on dedup.header topics, before any were dropped).
      indexes.forEach((i, n) => (placed[i] = { partition: p, offset: r.baseOffset + n }));
    }
    if (failure) {
      if (written.length > 0) failure.message += `; the records for partitions ${written.join(', ')} were written`;
      throw failure;
    }
    return placed;
  }
}
