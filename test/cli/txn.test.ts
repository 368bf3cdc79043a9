// `sluice txn list|describe`: a kafkajs transactional producer with an open
// transaction is listed as Ongoing with its producer id and epoch, and
// describe names the partitions it wrote to; after the commit the id shows
// CompleteCommit and no partitions; an id the coordinator never saw fails.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { defer } from '../helpers/broker-process.js';
import { runCli } from '../helpers/cli.js';

const { Kafka, logLevel } = kafkajs;

async function ok(args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `sluice ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

interface Described {
  transactionalId: string;
  state: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  startTimeMs: number;
  topics: { topic: string; partitions: number[] }[];
}

test('list and describe show an open transaction as Ongoing with its partitions, then CompleteCommit after the commit', async (t) => {
  defer(t, () => {});
  const broker = await startTestBroker(t, { transactionStateNumPartitions: 3 });
  const b = ['-b', broker.bootstrap];
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'txn-cli-test', logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'audit', numPartitions: 1 }] });

  const producer = kafka.producer({ transactionalId: 'tx-cli', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 45_000 });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const txn = await producer.transaction();
  await txn.send({ topic: 'orders', messages: [{ value: 'o0', partition: 0 }, { value: 'o2', partition: 2 }] });
  await txn.send({ topic: 'audit', messages: [{ value: 'a0', partition: 0 }] });

  const listed: { transactionalId: string; state: string; producerId: number; producerEpoch: number }[] = JSON.parse(await ok(['txn', 'list', '--json', ...b]));
  assert.equal(listed.length, 1);
  const [open] = listed;
  assert.equal(open.transactionalId, 'tx-cli');
  assert.equal(open.state, 'Ongoing');
  assert.ok(open.producerId >= 0, `producer id ${open.producerId}`);
  assert.ok(open.producerEpoch >= 0, `producer epoch ${open.producerEpoch}`);

  const table = (await ok(['txn', 'list', ...b])).trim().split('\n').map((l) => l.split(/\s+/));
  assert.deepEqual(table, [
    ['TRANSACTIONAL-ID', 'STATE', 'PRODUCER-ID', 'PRODUCER-EPOCH'],
    ['tx-cli', 'Ongoing', String(open.producerId), String(open.producerEpoch)],
  ]);

  const d: Described = JSON.parse(await ok(['txn', 'describe', 'tx-cli', '--json', ...b]));
  assert.equal(d.state, 'Ongoing');
  assert.equal(d.producerId, open.producerId);
  assert.equal(d.producerEpoch, open.producerEpoch);
  assert.equal(d.timeoutMs, 45_000);
  assert.ok(d.startTimeMs > 0 && d.startTimeMs <= Date.now(), `start ${d.startTimeMs}`);
  assert.deepEqual(d.topics, [
    { topic: 'audit', partitions: [0] },
    { topic: 'orders', partitions: [0, 2] },
  ]);

  const text = (await ok(['txn', 'describe', 'tx-cli', ...b])).trim().split('\n').map((l) => l.split(/\s+/));
  assert.deepEqual(text.slice(0, 5), [['TRANSACTIONAL-ID', 'tx-cli'], ['STATE', 'Ongoing'], ['PRODUCER-ID', String(d.producerId)], ['PRODUCER-EPOCH', String(d.producerEpoch)], ['TIMEOUT-MS', '45000']]);
  assert.equal(text[5][0], 'START-TIME');
  assert.equal(text[5][1], new Date(d.startTimeMs).toISOString());
  assert.deepEqual(text.slice(7), [['TOPIC', 'PARTITION'], ['audit', '0'], ['orders', '0'], ['orders', '2']]);

  await txn.commit();
  // EndTxn answers once the markers are written, so the state is already complete.
  const after: Described = JSON.parse(await ok(['txn', 'describe', 'tx-cli', '--json', ...b]));
  assert.equal(after.state, 'CompleteCommit');
  assert.equal(after.producerId, open.producerId);
  assert.deepEqual(after.topics, []);
  const listedAfter = JSON.parse(await ok(['txn', 'list', '--json', ...b]));
  assert.deepEqual(listedAfter, [{ transactionalId: 'tx-cli', state: 'CompleteCommit', producerId: open.producerId, producerEpoch: after.producerEpoch }]);
});

test('describe of an id no producer ever used fails with TRANSACTIONAL_ID_NOT_FOUND', async (t) => {
  const broker = await startTestBroker(t, { transactionStateNumPartitions: 3 });
  const r = await runCli(['txn', 'describe', 'never-used', '-b', broker.bootstrap]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /TRANSACTIONAL_ID_NOT_FOUND/);
  assert.deepEqual(JSON.parse(await ok(['txn', 'list', '--json', '-b', broker.bootstrap])), []);
});
