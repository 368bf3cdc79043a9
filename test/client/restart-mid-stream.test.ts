// A broker restart in the middle of producing and consuming: the same
// Producer and consumer objects carry on by themselves (the producer retries
// through the outage, idempotently), every acknowledged record is read back,
// once each and in order, and nothing unacknowledged appears twice.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, AssignedConsumer, KafkaClient, Producer } from '../../src/client/index.js';
import { makeDataDir, waitFor } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';

const TOPIC = 'stream';
const RECORDS = 600;
const WINDOW = 20;

test('a broker restart mid-stream loses no acknowledged record, duplicates none, and the same client objects go on', { timeout: 120_000 }, async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-restart-stream-');
  const first = await startRestartableBroker(t, dataDir, 0);
  const producerClient = new KafkaClient({ bootstrap: first.bootstrap, requestTimeoutMs: 5000 });
  const consumerClient = new KafkaClient({ bootstrap: first.bootstrap, requestTimeoutMs: 5000 });
  t.after(() => producerClient.close());
  t.after(() => consumerClient.close());
  await new Admin(producerClient).createTopic(TOPIC, 1);
  const producer = new Producer(producerClient, { acks: -1, lingerMs: 1, deliveryTimeoutMs: 60_000 });
  const consumer = new AssignedConsumer(consumerClient, TOPIC, new Map([[0, 0]]), { maxWaitMs: 100 });
  t.after(() => consumer.stop());

  let acknowledged = 0;
  const producing = (async () => {
    for (let base = 0; base < RECORDS; base += WINDOW) {
      const window = Array.from({ length: WINDOW }, (_, i) => producer.send(TOPIC, { value: Buffer.from(`r${base + i}`), partition: 0 }));
      for (const [i, sent] of (await Promise.all(window)).entries()) assert.equal(sent.offset, base + i, 'each record once, in order');
      acknowledged += WINDOW;
    }
  })();

  const read: string[] = [];
  let pollErrors = 0;
  const consuming = (async () => {
    while (read.length < RECORDS) {
      try {
        for (const r of await consumer.poll()) read.push(String(r.value));
      } catch {
        // The outage surfaces once per failed fetch; the consumer goes on by itself.
        pollErrors++;
      }
    }
  })();

  await waitFor('a third acknowledged and read', () => acknowledged >= RECORDS / 3 && read.length >= RECORDS / 3, 30_000);
  await first.close();
  await startRestartableBroker(t, dataDir, first.port);
  await Promise.all([producing, consuming]);
  await producer.close();

  assert.equal(acknowledged, RECORDS);
  assert.deepEqual(read, Array.from({ length: RECORDS }, (_, i) => `r${i}`));
  t.diagnostic(`consumer polls that failed during the outage: ${pollErrors}`);
});
