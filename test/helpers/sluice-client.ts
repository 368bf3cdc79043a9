// A broker in this process and a facade client (`connect()`) of it, the
// client closed before the broker:
//
//   const { broker, client } = await startBrokerWithSluiceClient(t);

import type { TestContext } from 'node:test';
import kafkajs from 'kafkajs';
import { type SluiceClient, connect } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from './broker.js';
import { defer } from './broker-process.js';

const { Kafka, logLevel } = kafkajs;

export async function startBrokerWithSluiceClient(t: TestContext): Promise<{ broker: RunningBroker; client: SluiceClient }> {
  // defer's hooks share one t.after, registered before the broker's, so they run first.
  defer(t, () => {});
  const broker = await startTestBroker(t);
  return { broker, client: await connectFor(t, broker) };
}

/** Another facade client of `broker`, closed after the test (before the broker). */
export async function connectFor(t: TestContext, broker: RunningBroker): Promise<SluiceClient> {
  const client = await connect({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return client;
}

/** A kafkajs message as its consumer hands it out. */
export interface KafkajsReceived {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** Reads the first `count` records of `topic` with a kafkajs group consumer (a group of its own). */
export async function readWithKafkajs(bootstrap: string, topic: string, count: number): Promise<KafkajsReceived[]> {
  const kafka = new Kafka({ clientId: 'kafkajs-reader', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `kafkajs-reader-${topic}`, maxWaitTimeInMs: 100 });
  const out: KafkajsReceived[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            out.push({ partition, offset: Number(message.offset), key: message.key, value: message.value, headers: message.headers ?? {} });
            if (out.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
