// One produce-and-read-back per client program, each given its security
// settings, for the TLS and SASL interop tests: ten keyed records into
// partition 0 of a topic, then all of them read back in order.

import assert from 'node:assert/strict';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { REPO_ROOT } from '../helpers/broker-process.js';
import { KCAT, PYTHON } from '../helpers/interop-tools.js';
import { runOk } from './run-command.js';

const { Kafka, logLevel } = kafkajs;
type KafkaConfig = ConstructorParameters<typeof Kafka>[0];

const COUNT = 10;
const expected = (tag: string) => Array.from({ length: COUNT }, (_, i) => [`key-${i}`, `${tag} value ${i}`]);

/** kcat with librdkafka properties (`security.protocol=ssl`, ...) as -X options. */
export async function kcatRoundTrip(bootstrap: string, topic: string, properties: Record<string, string>): Promise<void> {
  const x = Object.entries(properties).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const lines = expected('kcat').map(([k, v]) => `${k}:${v}\n`).join('');
  await runOk(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-K:', ...x], { input: lines });
  const out = await runOk(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k:%s\\n', '-X', 'fetch.wait.max.ms=20', ...x]);
  assert.equal(out.stdout.toString(), lines);
}

/** A kafkajs producer, then a consumer in a group (so FindCoordinator and the group APIs go over the same listener). */
export async function kafkajsRoundTrip(bootstrap: string, topic: string, security: Pick<KafkaConfig, 'ssl' | 'sasl'>): Promise<void> {
  const kafka = new Kafka({ clientId: 'secure-round-trip', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 }, ...security });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: expected('kafkajs').map(([key, value]) => ({ key, value, partition: 0 })) });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `${topic}-readers`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[][] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            got.push([String(message.key), String(message.value)]);
            if (got.length === COUNT) resolve();
          },
        })
        .catch(reject);
    });
    assert.deepEqual(got, expected('kafkajs'));
  } finally {
    await consumer.disconnect();
  }
}

/** confluent-kafka-python with librdkafka properties. */
export async function pythonRoundTrip(bootstrap: string, topic: string, properties: Record<string, string>): Promise<void> {
  const script = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_client.py');
  const out = JSON.parse((await runOk(PYTHON, [script, 'secure-round-trip', bootstrap, topic, JSON.stringify(properties)])).stdout.toString());
  assert.deepEqual(
    out.delivered.map((d: { key: string; error?: string }) => [d.key, d.error ?? null]),
    expected('secure').map(([k]) => [k, null]),
  );
  assert.deepEqual(out.consumed, expected('secure'));
}
