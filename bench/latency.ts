// End-to-end latency at a fixed rate: one process produces 100-byte records
// (acks=all, one request each, send time in the first 8 bytes) and consumes
// them with a long-polling fetch; latency = receive time - send time on one clock.
// With several consumers (each its own connection, each reading every record)
// the percentiles are over all their receipts.

import { performance } from 'node:perf_hooks';
import { AssignedConsumer } from '../src/client/consumer.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import { Producer } from '../src/client/producer.js';
import { Admin } from '../src/client/admin.js';
import { type Tail, tailOf } from './stats.js';

export interface LatencyResult extends Tail {
  rate: number;
  records: number;
  /** Records received by all consumers together per second, from the first send to the last receipt. */
  deliveredPerSec: number;
}

/** `warmup`: the first records each consumer receives, left out of the percentiles. */
export async function measureLatency(bootstrap: string, topic: string, rate: number, seconds: number, warmup: number, consumers = 1): Promise<LatencyResult> {
  const client = new KafkaClient({ bootstrap, clientId: 'bench-latency-producer' });
  const consumerClients = Array.from({ length: consumers }, (_, i) => new KafkaClient({ bootstrap, clientId: `bench-latency-consumer-${i}` }));
  await new Admin(client).createTopic(topic, 1);
  // lingerMs 0: each record goes in a request of its own, as soon as it is sent.
  const producer = new Producer(client, { acks: -1, lingerMs: 0 });
  const total = rate * seconds;
  const samples: number[] = [];
  let lastReceipt = 0;
  let acked = 0;
  let failure: unknown = null;
  let allAcked: () => void = () => {};
  const acks = new Promise<void>((resolve) => (allAcked = resolve));
  const consuming = consumerClients.map(async (consumerClient) => {
    const consumer = new AssignedConsumer(consumerClient, topic, new Map([[0, 0]]), { maxWaitMs: 500 });
    let received = 0;
    while (received < total && failure === null) {
      for (const r of await consumer.poll()) {
        const now = performance.now();
        if (received++ >= warmup) samples.push(now - (r.value as Buffer).readDoubleBE(0));
        lastReceipt = now;
      }
    }
  });
  const start = performance.now();
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (sent < due) {
      const value = Buffer.alloc(100);
      value.writeDoubleBE(performance.now(), 0);
      producer.send(topic, { value, partition: 0 }).then(
        () => {
          if (++acked === total) allAcked();
        },
        (err: unknown) => {
          failure ??= err;
          allAcked();
        },
      );
      sent++;
    }
    // Sleep to the next millisecond tick rather than spin: the broker shares the two cores.
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all([...consuming, acks]);
  if (failure) throw failure;
  await client.close();
  await Promise.all(consumerClients.map((c) => c.close()));
  return { rate, records: samples.length, ...tailOf(samples), deliveredPerSec: Math.round((total * consumers) / ((lastReceipt - start) / 1000)) };
}
