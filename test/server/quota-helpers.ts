// Greedy kafkajs clients for the quota tests: each produces (or consumes) as
// fast as it can until a deadline and reports the bytes it moved and the
// throttle times the broker's answers carried (kafkajs logs each one it honours).

import { Kafka, type KafkaConfig, type logCreator, logLevel } from 'kafkajs';

/** What a greedy client did until its deadline. */
export interface Greed {
  /** Record value bytes acknowledged (produce) or received (consume). */
  bytes: number;
  /** ms from its first byte to the deadline. */
  elapsedMs: number;
  /** Throttle times the broker's answers carried (ms). */
  throttles: number[];
  /** bytes per second over elapsedMs. */
  rate: number;
}

/** A kafkajs instance that collects the throttle times its connections honour. */
export function kafkajsSeeingThrottles(config: KafkaConfig): { kafka: Kafka; throttles: number[] } {
  const throttles: number[] = [];
  const creator: logCreator = () => ({ log }) => {
    const m = /Client side throttling in effect for (\d+)ms/.exec(log.message);
    if (m) throttles.push(Number(m[1]));
  };
  return { kafka: new Kafka({ ...config, logLevel: logLevel.DEBUG, logCreator: creator }), throttles };
}

/** Sends `valueBytes`-byte records one request at a time until `deadlineMs` (Date.now()). */
export async function produceGreedily(config: KafkaConfig, topic: string, valueBytes: number, deadlineMs: number): Promise<Greed> {
  const { kafka, throttles } = kafkajsSeeingThrottles(config);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(valueBytes, 'x');
  let bytes = 0;
  const start = Date.now();
  try {
    while (Date.now() < deadlineMs) {
      await producer.send({ topic, acks: 1, messages: [{ value }] });
      bytes += valueBytes;
    }
  } finally {
    await producer.disconnect();
  }
  const elapsedMs = Math.max(1, deadlineMs - start);
  return { bytes, elapsedMs, throttles, rate: (bytes * 1000) / elapsedMs };
}

/** Consumes `topic` from the beginning in group `groupId` until `deadlineMs` (Date.now()). */
export async function consumeGreedily(config: KafkaConfig, groupId: string, topic: string, deadlineMs: number): Promise<Greed> {
  const { kafka, throttles } = kafkajsSeeingThrottles(config);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  let bytes = 0;
  let start = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (start === 0) start = Date.now();
        if (Date.now() < deadlineMs) bytes += message.value?.length ?? 0;
      },
    });
    await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadlineMs - Date.now())));
  } finally {
    await consumer.disconnect();
  }
  const elapsedMs = Math.max(1, deadlineMs - (start || deadlineMs));
  return { bytes, elapsedMs, throttles, rate: (bytes * 1000) / elapsedMs };
}
