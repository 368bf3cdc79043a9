// ListOffsets for consumers: where a partition starts (earliest, latest, or
// the first offset at a timestamp), keyed by partitionKey.

import type { Message } from '../protocol/codec.js';
import type { TopicPartitions } from '../protocol/consumer-protocol.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import { check } from './client-error.js';
import type { KafkaClient } from './kafka-client.js';

const LIST_OFFSETS = { request: ListOffsetsRequest, response: ListOffsetsResponse };

/** ListOffsets `timestamp`: the log start offset. */
export const EARLIEST_TIMESTAMP = -2;
/** ListOffsets `timestamp`: the high watermark (or, read_committed, the last stable offset). */
export const LATEST_TIMESTAMP = -1;

/** A map key for one partition of one topic. */
export const partitionKey = (topic: string, partition: number): string => `${partition}:${topic}`;

/** ListOffsets for `timestamp` (EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, or ms): offsets by partitionKey. */
export async function listOffsets(client: KafkaClient, list: TopicPartitions[], timestamp: number, isolationLevel = 0): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const wanted = list.filter((tp) => tp.partitions.length > 0);
  if (wanted.length === 0) return out;
  const res = await client.send(LIST_OFFSETS, {
    replicaId: -1,
    isolationLevel,
    topics: wanted.map((tp) => ({ name: tp.topic, partitions: tp.partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) })),
  });
  for (const t of res.topics as Message[]) {
    for (const p of t.partitions as Message[]) {
      check(p.errorCode, null, `list offsets of ${t.name}-${p.partitionIndex}`);
      out.set(partitionKey(t.name, p.partitionIndex), p.offset);
    }
  }
  return out;
}
