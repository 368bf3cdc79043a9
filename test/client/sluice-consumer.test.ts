// The facade consumer: iterating commits only the records whose loop body
// completed (leaving the loop mid-batch, the next member resumes at the
// record in hand, not after what was fetched); run() hands each partition's
// records to one handler call at a time, in order, while up to `concurrency`
// partitions are handled at once; records written by kafkajs decode as JSON,
// string or bytes with their headers as a plain object; records finished
// before a rebalance are committed as their partitions go, so the new owner
// does not get them again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import type { ReceivedRecord, SluiceClient } from '../../src/client/index.js';
import { waitFor } from '../helpers/broker-process.js';
import { connectFor, startBrokerWithSluiceClient } from '../helpers/sluice-client.js';

const { Kafka, logLevel } = kafkajs;

/** Group settings that keep a test short: frequent heartbeats, short long-polls. */
const FAST = { heartbeatIntervalMs: 100, maxWaitMs: 100, sessionTimeoutMs: 6000 };

async function produceNumbered(client: SluiceClient, topic: string, count: number): Promise<void> {
  const producer = client.producer();
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send(topic, { value: { i } })));
}

async function committed(client: SluiceClient, group: string): Promise<number[]> {
  const offsets = await client.admin().fetchOffsets(group);
  return offsets.sort((a, b) => a.partition - b.partition).map((o) => o.offset);
}

test('breaking out of the loop mid-batch commits up to the last finished record, and the next member resumes at the one in hand', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('orders', { partitions: 1 });
  await produceNumbered(client, 'orders', 20);

  const first = client.consumer({ group: 'invoicing', topics: ['orders'], from: 'earliest', valueFormat: 'json', ...FAST });
  const seen: number[] = [];
  for await (const record of first) {
    seen.push(record.offset);
    if (record.offset === 7) break; // the body of record 7 does not complete
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(await committed(client, 'invoicing'), [7], 'the offset after record 6, the last finished, not after the 20 fetched');

  const other = await connectFor(t, broker);
  const second = other.consumer({ group: 'invoicing', topics: ['orders'], from: 'earliest', valueFormat: 'json', ...FAST });
  const resumed: number[] = [];
  for await (const record of second) {
    resumed.push(record.offset);
    if (record.offset === 19) break;
  }
  assert.deepEqual(resumed, Array.from({ length: 13 }, (_, i) => 7 + i));
});

test('a loop body that throws leaves its record uncommitted and the error reaches the caller', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('failing', { partitions: 1 });
  await produceNumbered(client, 'failing', 10);
  const consumer = client.consumer({ group: 'g', topics: ['failing'], from: 'earliest', ...FAST });
  await assert.rejects(
    (async () => {
      for await (const record of consumer) if (record.offset === 4) throw new Error('cannot handle 4');
    })(),
    /cannot handle 4/,
  );
  assert.deepEqual(await committed(client, 'g'), [4]);
});

test('records written by kafkajs decode as JSON, string or bytes, headers as a plain object', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('from-kafkajs', { partitions: 1 });
  const kafka = new Kafka({ clientId: 'writer', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'from-kafkajs', messages: [{ key: 'k1', value: JSON.stringify({ price: 7 }), headers: { type: 'quote', raw: Buffer.from([1, 2]) } }] });
  await producer.disconnect();

  const first = <T>(consumer: AsyncIterable<T>) => (async () => {
    for await (const r of consumer) return r;
    throw new Error('no record');
  })();
  const asJson = await first(client.consumer({ group: 'json', topics: ['from-kafkajs'], from: 'earliest', valueFormat: 'json', ...FAST }));
  assert.deepEqual([asJson.key, asJson.value, asJson.headers], ['k1', { price: 7 }, { type: 'quote', raw: '\u0001\u0002' }]);
  const asString = await first(client.consumer({ group: 'string', topics: ['from-kafkajs'], from: 'earliest', valueFormat: 'string', ...FAST }));
  assert.equal(asString.value, '{"price":7}');
  const asBytes = await first(client.consumer({ group: 'bytes', topics: ['from-kafkajs'], from: 'earliest', keyFormat: 'buffer', headerFormat: 'buffer', ...FAST }));
  assert.deepEqual([asBytes.key, asBytes.value, asBytes.headers], [Buffer.from('k1'), Buffer.from('{"price":7}'), { type: Buffer.from('quote'), raw: Buffer.from([1, 2]) }]);
  const custom = await first(client.consumer({ group: 'custom', topics: ['from-kafkajs'], from: 'earliest', valueFormat: (b: Buffer | null) => b?.length ?? -1, ...FAST }));
  const length: number = custom.value;
  assert.equal(length, 11);
});

test('run() with concurrency 4 handles four partitions at once and each partition in order', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  const partitions = 6;
  await client.admin().createTopic('sequenced', { partitions });
  const keys = Array.from({ length: 12 }, (_, k) => `key-${k}`);
  const perKey = 25;
  const producer = client.producer();
  // One key's records are sent one after another, so each key's sequence is its order in the log.
  await Promise.all(
    keys.map(async (key) => {
      for (let seq = 0; seq < perKey; seq++) await producer.send('sequenced', { key, value: { key, seq } });
    }),
  );

  const consumer = client.consumer({ group: 'ordered', topics: ['sequenced'], from: 'earliest', valueFormat: 'json', ...FAST });
  const nextSeq = new Map<string, number>();
  const lastOffset = new Map<number, number>();
  let active = 0;
  let mostActive = 0;
  let handled = 0;
  let releaseFirstRound!: () => void;
  const firstRoundFull = new Promise<void>((resolve) => (releaseFirstRound = resolve));
  const cap = setTimeout(releaseFirstRound, 5000); // bounds the wait should the calls not overlap, so the assertion below fails instead of hanging
  t.after(() => clearTimeout(cap));
  const violations: string[] = [];
  const running = consumer.run(
    async (batch: ReceivedRecord<unknown>[]) => {
      active++;
      mostActive = Math.max(mostActive, active);
      if (active === 4) releaseFirstRound();
      await firstRoundFull;
      for (const record of batch) {
        const { key, seq } = record.value as { key: string; seq: number };
        if ((nextSeq.get(key) ?? 0) !== seq) violations.push(`${key}: got ${seq}, expected ${nextSeq.get(key) ?? 0}`);
        nextSeq.set(key, seq + 1);
        if ((lastOffset.get(record.partition) ?? -1) >= record.offset) violations.push(`partition ${record.partition}: offset ${record.offset} after ${lastOffset.get(record.partition)}`);
        lastOffset.set(record.partition, record.offset);
        // Yield between records, so that batches of different partitions interleave.
        await new Promise((resolve) => setImmediate(resolve));
      }
      handled += batch.length;
      active--;
      if (handled === keys.length * perKey) void consumer.close();
    },
    { concurrency: 4 },
  );
  await running;
  assert.deepEqual(violations, []);
  assert.equal(handled, keys.length * perKey);
  assert.equal(mostActive, 4, 'four partitions handled at once, never more');
  const ends = await client.admin().listOffsets('sequenced', [0, 1, 2, 3, 4, 5], -1);
  const written = [...ends].filter(([, end]) => end.offset > 0).sort(([a], [b]) => a - b);
  assert.ok(written.length > 4, 'more partitions hold records than are handled at once');
  const commits = await client.admin().fetchOffsets('ordered');
  assert.deepEqual(
    commits.map((c) => [c.partition, c.offset]).sort(([a], [b]) => a - b),
    written.map(([p, end]) => [p, end.offset]),
    'every handled record committed',
  );
});

test('run() rejects with a handler error, after committing the partitions it finished', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('half', { partitions: 2 });
  const producer = client.producer();
  for (let i = 0; i < 10; i++) await producer.send('half', { value: `${i}`, partition: i % 2 });
  const consumer = client.consumer({ group: 'half', topics: ['half'], from: 'earliest', valueFormat: 'string', ...FAST });
  await assert.rejects(
    consumer.run(async (batch) => {
      if (batch[0].partition === 1) throw new Error('partition 1 failed');
    }, { concurrency: 2 }),
    /partition 1 failed/,
  );
  assert.deepEqual(await committed(client, 'half'), [5]);
});

test('records finished before a rebalance are committed as the partitions go, not delivered again to their new owner', async (t) => {
  const { broker, client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('moving', { partitions: 4 });
  await produceNumbered(client, 'moving', 40);
  // No commit by interval during the test: only the commit made when the partitions are revoked can save the finished records.
  const options = { group: 'movers', topics: ['moving'], from: 'earliest' as const, valueFormat: 'json' as const, commitIntervalMs: 600_000, ...FAST };
  const seenBy = { a: [] as number[], b: [] as number[] };
  const iterate = async (consumer: AsyncIterable<ReceivedRecord<unknown>>, into: number[]) => {
    for await (const record of consumer) into.push((record.value as { i: number }).i);
  };
  const a = client.consumer(options);
  const readingA = iterate(a, seenBy.a);
  await waitFor('the first member to finish the 40 records', () => seenBy.a.length === 40);

  const other = await connectFor(t, broker);
  const b = other.consumer(options);
  const readingB = iterate(b, seenBy.b);
  await waitFor('both members to own partitions', async () => (await client.admin().describeGroups(['movers']))[0].members.filter((m) => m.assignment.length > 0).length === 2);
  const producer = client.producer();
  await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send('moving', { value: { i: 40 + i }, partition: i % 4 })));
  await waitFor('the next 40 records to be read', () => seenBy.a.length + seenBy.b.length >= 80);
  await Promise.all([a.close(), b.close()]);
  await Promise.all([readingA, readingB]);

  const all = [...seenBy.a, ...seenBy.b].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 80 }, (_, i) => i), 'each record read once, across the rebalance');
  assert.ok(seenBy.b.length > 0 && seenBy.b.every((i) => i >= 40), 'the second member got only records written after it joined');
});

test('run() commits what it handled every commitIntervalMs and at close, not after each round', async (t) => {
  const { client } = await startBrokerWithSluiceClient(t);
  await client.admin().createTopic('paced', { partitions: 1 });
  await produceNumbered(client, 'paced', 10);
  const consumer = client.consumer({ group: 'paced', topics: ['paced'], from: 'earliest', commitIntervalMs: 600_000, ...FAST });
  let handled = 0;
  let polls = 0;
  const running = consumer.run(async (batch) => {
    handled += batch.length;
    polls++;
  });
  await waitFor('the 10 records to be handled', () => handled === 10);
  const producer = client.producer();
  await producer.send('paced', { value: { i: 10 } });
  await waitFor('the record sent later to be handled in a round of its own', () => handled === 11);
  assert.ok(polls >= 2, `handled in ${polls} rounds`);
  assert.deepEqual(await committed(client, 'paced'), [], 'nothing committed before the interval has passed');
  await consumer.close();
  await running;
  assert.deepEqual(await committed(client, 'paced'), [11], 'close commits everything handled');
});
