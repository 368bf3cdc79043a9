// kafkajs 2.2.4 idempotent producers (idempotent: true), unchanged, against a
// broker that loses acknowledgements: the test-only fault hook
// (src/server/fault-hook.ts) lets chosen Produce requests append and then
// closes the connection instead of answering, so kafkajs retries batches the
// log already holds. Every record must land exactly once and in order: the
// stored batches carry one unbroken run of sequence numbers, each send's
// reported offset is where its records are, and every lost acknowledgement
// came back as a retry the broker recognised (its duplicate counter).
//
// The restart case withholds one acknowledgement, closes the broker, starts a
// new one on the same port and data directory, and lets kafkajs retry there:
// the producer state snapshotted at the close must recognise the retry.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { defer, makeDataDir } from '../helpers/broker-process.js';
import { produceFaultsOn, startRestartableBroker } from '../helpers/restartable-broker.js';
import { type StoredBatch, readStoredBatches, recordsOf } from '../helpers/stored-batches.js';

const { Kafka, logLevel } = kafkajs;
type KafkaInstance = InstanceType<typeof Kafka>;

const TOPIC = 'idempotent';

function kafkaFor(bootstrap: string): KafkaInstance {
  return new Kafka({
    brokers: [bootstrap],
    clientId: 'idempotent-test',
    logLevel: logLevel.NOTHING,
    // Reconnects come quickly; the idempotent producer itself retries without limit.
    retry: { initialRetryTime: 50, maxRetryTime: 500 },
  });
}

async function createTopic(t: TestContext, bootstrap: string): Promise<KafkaClient> {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  await new Admin(client).createTopic(TOPIC, 1);
  return client;
}

/**
 * Checks the partition against what was sent: the values in send order, each
 * once, at the offsets kafkajs reported, in batches whose sequence numbers run
 * on without a gap or a repeat.
 */
async function assertExactlyOnceInOrder(bootstrap: string, sent: { values: string[]; baseOffset: number }[]): Promise<StoredBatch[]> {
  const client = new KafkaClient({ bootstrap });
  try {
    const total = sent.reduce((n, s) => n + s.values.length, 0);
    const batches = await readStoredBatches(client, TOPIC, 0, { minRecords: total, timeoutMs: 3000 });
    const stored = recordsOf(batches).map((r) => ({ offset: r.offset, value: r.value!.toString() }));
    const expected = [...sent].sort((a, b) => a.baseOffset - b.baseOffset).flatMap((s) => s.values.map((value, i) => ({ offset: s.baseOffset + i, value })));
    assert.deepEqual(stored, expected, 'each record once, at the offset kafkajs reported');
    assert.deepEqual(stored.map((r) => r.offset), [...stored.keys()], 'no holes: nothing was appended twice or lost');
    let next = 0;
    for (const b of batches) {
      assert.equal(b.header.baseSequence, next, `batch at offset ${b.header.baseOffset} continues the sequence`);
      next += b.header.recordCount;
    }
    return batches;
  } finally {
    await client.close();
  }
}

for (const maxInFlightRequests of [1, 5]) {
  test(`idempotent producer (maxInFlightRequests ${maxInFlightRequests}): every third acknowledgement is lost, yet each record lands once and in order`, async (t) => {
    const faults = produceFaultsOn(TOPIC, (n) => (n % 3 === 0 ? 'close' : 'send'));
    const broker = await startRestartableBroker(t, await makeDataDir(t, 'sluice-idem-'), 0, faults);
    await createTopic(t, broker.bootstrap);
    const producer = kafkaFor(broker.bootstrap).producer({ idempotent: true, maxInFlightRequests });
    await producer.connect();
    defer(t, () => producer.disconnect());

    const sends = Array.from({ length: 24 }, (_, s) => Array.from({ length: 1 + (s % 4) }, (_, i) => `send ${s} record ${i}`));
    const send = async (values: string[]) => {
      const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value })) });
      assert.equal(meta.errorCode, 0);
      return { values, baseOffset: Number(meta.baseOffset) };
    };
    // One send at a time: kafkajs serialises an idempotent producer's requests per broker anyway
    // (its broker lock), and concurrent send() calls are not safe under retries in kafkajs 2.2.4: a
    // failed request gives its sequence numbers back (updateSequence(-n)) and a send waiting on the
    // lock takes them, which the broker rightly refuses with OUT_OF_ORDER_SEQUENCE_NUMBER.
    const sent: { values: string[]; baseOffset: number }[] = [];
    for (const values of sends) sent.push(await send(values));

    await assertExactlyOnceInOrder(broker.bootstrap, sent);
    const lost = Math.floor(faults.seen() / 3);
    assert.ok(lost >= 8, `at least 8 acknowledgements were lost (${lost})`);
    assert.equal(broker.broker.counters.duplicateBatches, lost, 'every lost acknowledgement was followed by a retry recognised as a duplicate');
  });
}

test('a broker restart between a write and its retry: the restarted broker recognises the retry from the producer state it snapshotted', async (t) => {
  const dataDir = await makeDataDir(t, 'sluice-idem-');
  let withheld!: () => void;
  const acknowledgementLost = new Promise<void>((resolve) => (withheld = resolve));
  const faults = produceFaultsOn(TOPIC, (n) => {
    if (n !== 5) return 'send';
    withheld();
    return 'withhold';
  });
  const first = await startRestartableBroker(t, dataDir, 0, faults);
  await createTopic(t, first.bootstrap);
  const producer = kafkaFor(first.bootstrap).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());

  const sent: { values: string[]; baseOffset: number }[] = [];
  const sending = (async () => {
    for (let s = 0; s < 10; s++) {
      const values = [`send ${s} a`, `send ${s} b`];
      const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value })) });
      sent.push({ values, baseOffset: Number(meta.baseOffset) });
    }
  })();

  // The fifth send is in the log, its acknowledgement withheld: now the broker goes away and comes back.
  await acknowledgementLost;
  assert.equal(first.broker.partition(TOPIC, 0)?.logEndOffset, 10);
  await first.close();
  const second = await startRestartableBroker(t, dataDir, first.port);
  await sending;

  assert.equal(sent[4].baseOffset, 8, 'the retried send is answered with the offset its records got before the restart');
  await assertExactlyOnceInOrder(second.bootstrap, sent);
  assert.equal(second.broker.counters.duplicateBatches, 1);
});
