// Proves that kafkajs 2.2.4 transactions, unchanged, work against Sluice's
// transaction coordinator: committed writes reach read_committed consumers and
// aborted ones never do, while read_uncommitted sees both; sendOffsets commits
// the group's offsets with the transaction (and not when it aborts); a second
// producer with the same transactional id fences the first; and a transaction
// left open past its timeout is aborted by the broker.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { startTestBrokerBeforeClients } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';

const { Kafka, logLevel } = kafkajs;
type KafkaInstance = InstanceType<typeof Kafka>;

/** Ceiling on waits for consumption; a guard that fails the test, not a synchronisation. */
const WAIT_MS = 30_000;


function kafkaFor(bootstrap: string): KafkaInstance {
  return new Kafka({ brokers: [bootstrap], clientId: 'txn-test', logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

async function createTopic(t: TestContext, kafka: KafkaInstance, topic: string, numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
}

async function transactionalProducer(t: TestContext, kafka: KafkaInstance, transactionalId: string, transactionTimeout = 60_000) {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout });
  await producer.connect();
  defer(t, () => producer.disconnect());
  return producer;
}

/** Reads `topic` from the beginning with a fresh group until `last` is seen; returns every value in order. */
async function consumeUntil(t: TestContext, kafka: KafkaInstance, topic: string, last: string, readUncommitted: boolean): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${readUncommitted ? 'uncommitted' : 'committed'}-${topic}`, readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not see ${last} in ${WAIT_MS} ms; saw ${values.join(',')}`)), WAIT_MS);
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (String(message.value) === last) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.stop();
  return values;
}

test('committed writes reach read_committed consumers, aborted ones never; read_uncommitted sees both', async (t) => {
  const broker = await startTestBrokerBeforeClients(t, { offsetsTopicNumPartitions: 3, transactionStateNumPartitions: 3, transactionTimeoutCheckIntervalMs: 50 });
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(t, kafka, 'visibility');
  const producer = await transactionalProducer(t, kafka, 'tx-visibility');

  const first = await producer.transaction();
  await first.send({ topic: 'visibility', messages: [{ value: 'c1' }, { value: 'c2' }] });
  await first.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic: 'visibility', messages: [{ value: 'a1' }, { value: 'a2' }] });
  await aborted.abort();
  const last = await producer.transaction();
  await last.send({ topic: 'visibility', messages: [{ value: 'c3' }] });
  await last.commit();

  assert.deepEqual(await consumeUntil(t, kafka, 'visibility', 'c3', false), ['c1', 'c2', 'c3']);
  assert.deepEqual(await consumeUntil(t, kafka, 'visibility', 'c3', true), ['c1', 'c2', 'a1', 'a2', 'c3']);
  // 5 records and 3 markers; nothing undecided is left.
  const p = broker.broker.partition('visibility', 0)!;
  assert.equal(p.highWatermark, 8);
  assert.equal(p.lastStableOffset, 8);
});

test('an open transaction holds the last stable offset back until it commits', async (t) => {
  const broker = await startTestBrokerBeforeClients(t, { offsetsTopicNumPartitions: 3, transactionStateNumPartitions: 3, transactionTimeoutCheckIntervalMs: 50 });
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(t, kafka, 'lso');
  const plain = kafka.producer();
  await plain.connect();
  defer(t, () => plain.disconnect());
  await plain.send({ topic: 'lso', messages: [{ value: 'before' }] });
  const producer = await transactionalProducer(t, kafka, 'tx-lso');
  const txn = await producer.transaction();
  await txn.send({ topic: 'lso', messages: [{ value: 'inside' }] });
  await plain.send({ topic: 'lso', messages: [{ value: 'after' }] });
  const p = broker.broker.partition('lso', 0)!;
  assert.equal(p.highWatermark, 3);
  assert.equal(p.lastStableOffset, 1, 'read_committed stops at the open transaction');
  await txn.commit();
  assert.equal(p.lastStableOffset, 4);
  assert.deepEqual(await consumeUntil(t, kafka, 'lso', 'after', false), ['before', 'inside', 'after']);
});

test('sendOffsets commits the group offsets with the transaction, and not when it aborts', async (t) => {
  const broker = await startTestBrokerBeforeClients(t, { offsetsTopicNumPartitions: 3, transactionStateNumPartitions: 3, transactionTimeoutCheckIntervalMs: 50 });
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(t, kafka, 'offsets-out');
  const producer = await transactionalProducer(t, kafka, 'tx-offsets');
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const committed = async () => (await admin.fetchOffsets({ groupId: 'copier', topics: ['offsets-in'] }))[0]?.partitions[0]?.offset;
  await createTopic(t, kafka, 'offsets-in');

  const txn = await producer.transaction();
  await txn.send({ topic: 'offsets-out', messages: [{ value: 'x' }] });
  await txn.sendOffsets({ consumerGroupId: 'copier', topics: [{ topic: 'offsets-in', partitions: [{ partition: 0, offset: '3' }] }] });
  assert.equal(await committed(), '-1', 'staged offsets are invisible before the commit');
  await txn.commit();
  assert.equal(await committed(), '3');

  const abortedTxn = await producer.transaction();
  await abortedTxn.send({ topic: 'offsets-out', messages: [{ value: 'y' }] });
  await abortedTxn.sendOffsets({ consumerGroupId: 'copier', topics: [{ topic: 'offsets-in', partitions: [{ partition: 0, offset: '5' }] }] });
  await abortedTxn.abort();
  assert.equal(await committed(), '3');
});

test('a second producer with the same transactional id fences the first and aborts its transaction', async (t) => {
  const broker = await startTestBrokerBeforeClients(t, { offsetsTopicNumPartitions: 3, transactionStateNumPartitions: 3, transactionTimeoutCheckIntervalMs: 50 });
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(t, kafka, 'fencing');
  const zombie = await transactionalProducer(t, kafka, 'tx-fence');
  const zombieTxn = await zombie.transaction();
  await zombieTxn.send({ topic: 'fencing', messages: [{ value: 'zombie' }] });

  const successor = await transactionalProducer(t, kafka, 'tx-fence');
  // kafkajs sends InitProducerId with the transactional id when the first transaction begins.
  const txn = await successor.transaction();
  // The zombie's transaction was aborted (its marker moved the LSO past it), and the epoch bumped twice: fence, then init.
  const p = broker.broker.partition('fencing', 0)!;
  assert.deepEqual([p.highWatermark, p.lastStableOffset], [2, 2]);
  const described = broker.txns.describe('tx-fence');
  assert.deepEqual([described.state, described.producerEpoch], ['Empty', 2]);
  await assert.rejects(zombieTxn.commit(), (err: Error & { type?: string }) => {
    assert.match(String(err.type), /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/);
    return true;
  });

  await txn.send({ topic: 'fencing', messages: [{ value: 'successor' }] });
  await txn.commit();
  assert.deepEqual(await consumeUntil(t, kafka, 'fencing', 'successor', false), ['successor']);
});

test('a transaction left open past its timeout is aborted by the broker', async (t) => {
  const broker = await startTestBrokerBeforeClients(t, { offsetsTopicNumPartitions: 3, transactionStateNumPartitions: 3, transactionTimeoutCheckIntervalMs: 50 });
  const kafka = kafkaFor(broker.bootstrap);
  await createTopic(t, kafka, 'hung');
  const producer = await transactionalProducer(t, kafka, 'tx-hung', 500);
  const txn = await producer.transaction();
  await txn.send({ topic: 'hung', messages: [{ value: 'hung' }] });
  const p = broker.broker.partition('hung', 0)!;
  assert.equal(p.lastStableOffset, 0);

  await waitFor('the broker to abort the hung transaction', () => broker.txns.describe('tx-hung').state === 'CompleteAbort', WAIT_MS);
  assert.equal(p.lastStableOffset, p.highWatermark, 'the abort marker moved the last stable offset past the transaction');
  await assert.rejects(txn.commit(), /epoch|fenced/i);

  const plain = kafka.producer();
  await plain.connect();
  defer(t, () => plain.disconnect());
  await plain.send({ topic: 'hung', messages: [{ value: 'later' }] });
  assert.deepEqual(await consumeUntil(t, kafka, 'hung', 'later', false), ['later']);
});
