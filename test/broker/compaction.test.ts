// Compaction through the whole broker over TCP: a cleanup.policy=compact topic
// produced with repeated keys keeps, after the broker's retention pass, only
// each key's latest value in closed segments (offsets unchanged), as a consumer
// from the beginning sees; and __consumer_offsets of one group committing many
// times shrinks while OffsetFetch, before and after a restart, gives the latest.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { type RunningBroker, startBroker } from '../../src/start-broker.js';
import { segmentFiles } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { type Stored, readPartition } from './read-back.js';

function clientFor(t: TestContext, broker: RunningBroker): { client: KafkaClient; admin: Admin } {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  return { client, admin: new Admin(client) };
}

test('a compacted topic keeps only the latest value per key in closed segments, at its offset', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, admin } = clientFor(t, broker);
  await admin.createTopic('compacted', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '1024' });
  const producer = new Producer(client);
  const produced: Stored[] = [];
  for (let round = 0; round < 10; round++) {
    for (let k = 0; k < 4; k++) {
      const record = { key: Buffer.from(`key-${k}`), value: Buffer.from(`round ${round} ${'.'.repeat(60)}`), partition: 0 };
      const offset = (await producer.sendBatch('compacted', [record])).at(0)!.offset;
      produced.push({ offset, key: record.key.toString(), value: record.value.toString() });
    }
  }
  const segments = await segmentFiles(broker.config.dataDir, 'compacted', 0);
  assert.ok(segments.length > 3, 'several segments');
  const activeBase = segments[segments.length - 1].baseOffset;
  assert.deepEqual(await readPartition(client, admin, 'compacted', 0), produced, 'nothing removed before the pass');

  broker.broker.enforceRetention();

  const latest = new Map<string, number>();
  for (const r of produced) if (r.offset < activeBase) latest.set(r.key!, r.offset);
  const expected = produced.filter((r) => r.offset >= activeBase || latest.get(r.key!) === r.offset);
  assert.ok(expected.length < produced.length / 2);
  assert.deepEqual(await readPartition(client, admin, 'compacted', 0), expected);
  // A consumer positioned at a removed offset gets the next kept record.
  const removed = produced.find((r) => !expected.includes(r))!;
  const next = expected.find((r) => r.offset > removed.offset)!;
  assert.equal((await readPartition(client, admin, 'compacted', 0, removed.offset))[0].offset, next.offset);
});

test('__consumer_offsets shrinks after many commits, and OffsetFetch still gives the latest offsets, also after a restart', async (t) => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-test-'));
  const options = { port: 0, dataDir, logLevel: 'silent', offsetsTopicNumPartitions: 1 };
  let broker = await startBroker(options);
  // One hook, in this order (node:test runs after hooks first registered first).
  t.after(async () => {
    await broker.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  let { admin } = clientFor(t, broker);
  await admin.createTopic('events', 2);
  for (let i = 1; i <= 300; i++) {
    await admin.commitOffsets('g', [
      { topic: 'events', partition: 0, offset: i },
      { topic: 'events', partition: 1, offset: 1000 + i },
    ]);
  }
  const sizeOf = async () => (await segmentFiles(dataDir, '__consumer_offsets', 0)).reduce((n, s) => n + s.sizeBytes, 0);
  const before = await sizeOf();
  // The offsets topic has 100 MiB segments: a pass dated past segment.ms (7 days) rolls the active one, then compacts it.
  broker.broker.enforceRetention(Date.now() + 8 * 24 * 3600 * 1000);
  const after = await sizeOf();
  assert.ok(after < before / 10, `__consumer_offsets went from ${before} to ${after} bytes`);
  const expected = [
    { topic: 'events', partition: 0, offset: 300 },
    { topic: 'events', partition: 1, offset: 1300 },
  ];
  const fetched = async () => (await admin.fetchOffsets('g')).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })).sort((a, b) => a.partition - b.partition);
  assert.deepEqual(await fetched(), expected);

  await broker.close();
  broker = await startBroker(options);
  ({ admin } = clientFor(t, broker));
  assert.deepEqual(await fetched(), expected, 'replayed from the compacted topic after a restart');
  assert.equal(await sizeOf(), after);
});
