// Durability across a crash: a broker process (default flush policy,
// group-commit: acks=all answers only after fsync) is killed with SIGKILL, so
// no shutdown code runs, then started again on the same data directory.
// Every acknowledged record must be there, in order, in its partition.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient, LATEST, Producer } from '../../src/client/index.js';
import { type BrokerProcess, defer, makeDataDir, spawnBroker, waitFor } from '../helpers/broker-process.js';
import { type Stored, offsetOf, readPartition } from './read-back.js';

const TOPIC = 'durable';
const PARTITIONS = 3;

function clientFor(t: TestContext, broker: BrokerProcess): { client: KafkaClient; admin: Admin } {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { client, admin: new Admin(client) };
}

function record(partition: number, n: number): { key: Buffer; value: Buffer; partition: number } {
  return { key: Buffer.from(`p${partition}-k${n}`), value: Buffer.from(`p${partition} record ${n} ${'#'.repeat(n % 64)}`), partition };
}

function asStored(r: { key: Buffer; value: Buffer }, offset: number): Stored {
  return { offset, key: r.key.toString(), value: r.value.toString() };
}

test('acks=all records produced to 3 partitions survive kill -9 and a restart, in order', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await spawnBroker(t, { dataDir });
  const before = clientFor(t, first);
  await before.admin.createTopic(TOPIC, PARTITIONS);
  const producer = new Producer(before.client, { acks: -1 });

  // 40 requests, each with 5 records for every partition: 600 records, each acknowledged.
  const expected = new Map<number, Stored[]>([...Array(PARTITIONS).keys()].map((p) => [p, []]));
  for (let request = 0; request < 40; request++) {
    const records = [...Array(PARTITIONS).keys()].flatMap((p) => [...Array(5).keys()].map((i) => record(p, request * 5 + i)));
    const sent = [...(await producer.sendBatch(TOPIC, records))];
    for (let p = 0; p < PARTITIONS; p++) {
      const list = expected.get(p)!;
      assert.equal(sent.find((r) => r.partition === p)?.offset, list.length, `base offset of request ${request} in partition ${p}`);
      for (const r of records.filter((x) => x.partition === p)) list.push(asStored(r, list.length));
    }
  }
  await before.client.close();
  await first.kill9();

  const second = await spawnBroker(t, { dataDir });
  const after = clientFor(t, second);
  for (let p = 0; p < PARTITIONS; p++) {
    assert.equal(await offsetOf(after.admin, TOPIC, p, LATEST), 200, `high watermark of partition ${p} after the restart`);
    assert.deepEqual(await readPartition(after.client, after.admin, TOPIC, p, 0), expected.get(p), `records of partition ${p}`);
  }
  // The restarted log goes on where the old one stopped.
  const next = [...(await new Producer(after.client, { acks: -1 }).sendBatch(TOPIC, [record(1, 200)]))];
  assert.deepEqual(next.map((r) => [r.partition, r.offset]), [[1, 200]]);
});

test('kill -9 while acks=all requests are in flight: every acknowledged record survives, the rest is a clean prefix of what was sent', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await spawnBroker(t, { dataDir });
  const before = clientFor(t, first);
  await before.admin.createTopic(TOPIC, PARTITIONS);
  // A lost connection is retried: a short delivery timeout makes each sender stop soon after the kill.
  const producer = new Producer(before.client, { acks: -1, deliveryTimeoutMs: 1000 });

  // One sequential sender per partition, each with at most one request in flight.
  const sent = new Map<number, Stored[]>();
  const acked = new Map<number, number>();
  let ackedTotal = 0;
  const senders = [...Array(PARTITIONS).keys()].map(async (p) => {
    const mine: Stored[] = [];
    sent.set(p, mine);
    acked.set(p, 0);
    for (let request = 0; ; request++) {
      const records = [...Array(4).keys()].map((i) => record(p, request * 4 + i));
      const base = mine.length;
      mine.push(...records.map((r, i) => asStored(r, base + i)));
      let offset: number;
      try {
        [{ offset }] = await producer.sendBatch(TOPIC, records);
      } catch (err) {
        return err;
      }
      assert.equal(offset, base);
      acked.set(p, mine.length);
      ackedTotal += records.length;
    }
  });
  await waitFor('300 acknowledged records', () => ackedTotal >= 300);
  await first.kill9();
  // Each sender stops once its request's retries run out: the connection died with the broker (or, once
  // metadata could not be refreshed, no leader is known).
  for (const failure of await Promise.all(senders)) assert.match(String(failure), /connection|cannot connect|ECONNRESET|EPIPE|LEADER_NOT_AVAILABLE/i);

  const second = await spawnBroker(t, { dataDir });
  const after = clientFor(t, second);
  for (let p = 0; p < PARTITIONS; p++) {
    const stored = await readPartition(after.client, after.admin, TOPIC, p, 0);
    const mine = sent.get(p)!;
    assert.ok(stored.length >= acked.get(p)!, `partition ${p}: ${stored.length} records stored, ${acked.get(p)} acknowledged`);
    assert.deepEqual(stored, mine.slice(0, stored.length), `partition ${p} holds a prefix of what was sent`);
    // Requests are whole batches: a crash keeps or drops each one entirely.
    assert.equal(stored.length % 4, 0);
  }
});
