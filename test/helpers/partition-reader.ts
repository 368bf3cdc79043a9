// Reads every record of a topic's partitions from the log start to the end
// the partition has now (its high watermark), with Sluice's client of
// assigned partitions, for tests that compare what was acknowledged with what
// the log holds.

import { Admin, EARLIEST, LATEST } from '../../src/client/admin.js';
import { AssignedConsumer, type AssignedConsumerOptions, type ConsumedRecord } from '../../src/client/consumer.js';
import type { KafkaClient } from '../../src/client/kafka-client.js';

/** Per partition, its records in offset order. */
export async function readPartitions(
  client: KafkaClient,
  topic: string,
  partitions: number[],
  options: AssignedConsumerOptions = {},
): Promise<Map<number, ConsumedRecord[]>> {
  const admin = new Admin(client);
  const [starts, ends] = await Promise.all([admin.listOffsets(topic, partitions, EARLIEST), admin.listOffsets(topic, partitions, LATEST)]);
  const out = new Map<number, ConsumedRecord[]>(partitions.map((p) => [p, []]));
  const open = partitions.filter((p) => ends.get(p)!.offset > starts.get(p)!.offset);
  if (open.length === 0) return out;
  const consumer = new AssignedConsumer(client, topic, new Map(open.map((p) => [p, starts.get(p)!.offset])), { maxWaitMs: 100, ...options });
  try {
    const done = () => open.every((p) => (consumer.position(p) ?? 0) >= ends.get(p)!.offset);
    while (!done()) {
      for (const r of await consumer.poll()) out.get(r.partition)!.push(r);
    }
  } finally {
    consumer.stop();
  }
  return out;
}

/**
 * Reads the partitions again until `condition` holds of what they hold, and
 * returns that. A new leader's high watermark catches up only once its
 * followers fetch from it, so a read right after a leader change can end short.
 */
export async function readPartitionsUntil(
  client: KafkaClient,
  topic: string,
  partitions: number[],
  what: string,
  condition: (read: Map<number, ConsumedRecord[]>) => boolean,
  timeoutMs = 20_000,
): Promise<Map<number, ConsumedRecord[]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await readPartitions(client, topic, partitions).catch(() => null);
    if (read && condition(read)) return read;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
