// Reading a partition back through Sluice's own client, for the broker-level
// tests (durability, recovery, retention): every record from an offset up to
// the high watermark, with the broker's own view of the offsets.

import { AssignedConsumer, EARLIEST, LATEST, type Admin, type ConsumedRecord, type KafkaClient } from '../../src/client/index.js';

/** A record as the tests compare them: offset, key and value as strings. */
export interface Stored {
  offset: number;
  key: string | null;
  value: string | null;
}

export function simplify(r: ConsumedRecord): Stored {
  return { offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null };
}

/** Every record of `topic`-`partition` from `from` to `to` (exclusive; default the high watermark at the time of the call). */
export async function readPartition(client: KafkaClient, admin: Admin, topic: string, partition: number, from?: number, to?: number): Promise<Stored[]> {
  const start = from ?? (await offsetOf(admin, topic, partition, EARLIEST));
  const end = to ?? (await offsetOf(admin, topic, partition, LATEST));
  const consumer = new AssignedConsumer(client, topic, new Map([[partition, start]]), { maxWaitMs: 50 });
  const out: Stored[] = [];
  const deadline = Date.now() + 10_000;
  while ((consumer.position(partition) ?? 0) < end) {
    if (Date.now() > deadline) throw new Error(`${topic}-${partition}: read only up to ${consumer.position(partition)} of ${end} within 10 s`);
    for (const r of await consumer.poll()) if (r.offset < end) out.push(simplify(r));
  }
  return out;
}

/** ListOffsets for one partition: EARLIEST (log start), LATEST (high watermark) or a timestamp. */
export async function offsetOf(admin: Admin, topic: string, partition: number, timestamp: number): Promise<number> {
  return (await admin.listOffsets(topic, [partition], timestamp)).get(partition)!.offset;
}
