// isolationLevel 'read_committed' in the client's fetch engine, on records a
// transactional kafkajs producer wrote: committed and aborted transactions,
// plain records written while a transaction was open, a transaction of the
// same producer after an abort, and one still open at the end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { AssignedConsumer, KafkaClient } from '../../src/client/index.js';
import { defer } from '../helpers/broker-process.js';
import { startTestBroker } from '../helpers/broker.js';

const { Kafka, logLevel } = kafkajs;

/** Polls until the partition's lag is 0 (everything readable is taken), failing after 10 s. */
async function readToEnd(consumer: AssignedConsumer): Promise<string[]> {
  const values: string[] = [];
  const deadline = Date.now() + 10_000;
  while (consumer.lag(0) !== 0) {
    assert.ok(Date.now() < deadline, `lag ${consumer.lag(0)} after 10 s; read ${values.join(',')}`);
    for (const r of await consumer.poll()) values.push(r.value!.toString());
  }
  return values;
}

test('read_committed drops aborted transactions and stops at an open one; read_uncommitted sees everything', async (t) => {
  defer(t, () => {});
  const broker = await startTestBroker(t, { transactionStateNumPartitions: 3 });
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'read-committed-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'txns', numPartitions: 1 }] });
  const plain = kafka.producer();
  await plain.connect();
  defer(t, () => plain.disconnect());
  const producer = kafka.producer({ transactionalId: 'tx-reader-test', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const send = (sender: { send: typeof plain.send }, ...values: string[]) => sender.send({ topic: 'txns', messages: values.map((value) => ({ value })) });

  await send(plain, 'p0');
  const committed = await producer.transaction();
  await send(committed, 'c1', 'c2');
  await committed.commit();
  const aborted = await producer.transaction();
  await send(aborted, 'a1');
  await send(plain, 'p1');
  await send(aborted, 'a2');
  await aborted.abort();
  const after = await producer.transaction();
  await send(after, 'c3');
  await after.commit();
  const open = await producer.transaction();
  await send(open, 'open1');
  defer(t, () => open.abort());

  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const readCommitted = new AssignedConsumer(client, 'txns', new Map([[0, 0]]), { maxWaitMs: 50, isolationLevel: 'read_committed' });
  assert.deepEqual(await readToEnd(readCommitted), ['p0', 'c1', 'c2', 'p1', 'c3']);
  // Offsets: p0 c1 c2 COMMIT a1 p1 a2 ABORT c3 COMMIT | open1 (the last stable offset is 10).
  assert.equal(readCommitted.position(0), 10, 'the position passes the last marker and stops at the open transaction');

  const readUncommitted = new AssignedConsumer(client, 'txns', new Map([[0, 0]]), { maxWaitMs: 50 });
  assert.deepEqual(await readToEnd(readUncommitted), ['p0', 'c1', 'c2', 'a1', 'p1', 'a2', 'c3', 'open1']);
  assert.equal(readUncommitted.position(0), 11);
});
