// A partition directory names its topic by id (partition.metadata): a
// directory left by an earlier topic of the same name (deleted and created
// again while this broker was down) is not taken for the new topic's replica.
// Its records would otherwise be served as the new topic's, at the same offsets.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { Producer } from '../../src/client/producer.js';
import { PARTITION_METADATA_FILE, readPartitionMetadata } from '../../src/storage/partition-metadata.js';
import { type BrokerProcess, defer, makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { readPartitions } from '../helpers/partition-reader.js';

async function withClient<T>(t: test.TestContext, broker: BrokerProcess, use: (client: KafkaClient, admin: Admin) => Promise<T>): Promise<T> {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  try {
    return await use(client, new Admin(client));
  } finally {
    await client.close();
  }
}

async function send(client: KafkaClient, records: string[]): Promise<void> {
  const producer = new Producer(client, { acks: -1 });
  try {
    await Promise.all(records.map((value) => producer.send('orders', { value: Buffer.from(value), partition: 0 })));
  } finally {
    await producer.close();
  }
}

const values = async (client: KafkaClient) => (await readPartitions(client, 'orders', [0])).get(0)!.map((r) => r.value!.toString());

test('a partition directory of an earlier topic of the same name is removed at start-up, with a warning, and the partition starts empty', async (t) => {
  const dataDir = await makeDataDir(t);
  const dir = path.join(dataDir, 'orders-0');
  const first = await spawnBroker(t, { dataDir });
  const oldId = await withClient(t, first, async (client, admin) => {
    await admin.createTopic('orders', 1);
    await send(client, ['old-0', 'old-1', 'old-2']);
    return (await client.topic('orders')).topicId;
  });
  assert.equal(await first.stop(), 0);
  assert.deepEqual(readPartitionMetadata(dir), { kind: 'topic', topicId: oldId }, 'the directory names its topic');
  const stale = path.join(dataDir, 'stale-copy');
  await fs.cp(dir, stale, { recursive: true });

  const second = await spawnBroker(t, { dataDir });
  const newId = await withClient(t, second, async (client, admin) => {
    await admin.deleteTopic('orders');
    await admin.createTopic('orders', 1);
    await send(client, ['new-0']);
    return (await client.topic('orders')).topicId;
  });
  assert.equal(await second.stop(), 0);
  assert.notDeepEqual(newId, oldId);
  // What a broker down through the delete and the new create still has: the earlier topic's directory.
  await fs.rm(dir, { recursive: true });
  await fs.rename(stale, dir);

  const third = await spawnBroker(t, { dataDir });
  const warning = third.recentOutput().split('\n').find((line) => line.includes('belongs to an earlier topic') && line.includes('"orders"'));
  assert.ok(warning, `the removal is logged:\n${third.recentOutput()}`);
  assert.deepEqual(readPartitionMetadata(dir), { kind: 'topic', topicId: newId });
  await withClient(t, third, async (client) => {
    assert.deepEqual(await values(client), [], 'none of the earlier topic’s records are served');
    await send(client, ['after']);
    assert.deepEqual(await values(client), ['after']);
  });
});

test('a directory from before partition.metadata is kept as its topic’s and marked', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await spawnBroker(t, { dataDir });
  const id = await withClient(t, first, async (client, admin) => {
    await admin.createTopic('orders', 1);
    await send(client, ['kept']);
    return (await client.topic('orders')).topicId;
  });
  assert.equal(await first.stop(), 0);
  await fs.rm(path.join(dataDir, 'orders-0', PARTITION_METADATA_FILE));

  const second = await spawnBroker(t, { dataDir });
  await withClient(t, second, async (client) => assert.deepEqual(await values(client), ['kept']));
  assert.deepEqual(readPartitionMetadata(path.join(dataDir, 'orders-0')), { kind: 'topic', topicId: id });
});

test('a directory of a replica the broker does not hold is left in place and named in a warning at start-up', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await spawnBroker(t, { dataDir });
  await withClient(t, first, async (client, admin) => {
    await admin.createTopic('orders', 1);
    await send(client, ['kept']);
  });
  assert.equal(await first.stop(), 0);
  // What a broker down while topic "gone" was deleted still has.
  await fs.cp(path.join(dataDir, 'orders-0'), path.join(dataDir, 'gone-0'), { recursive: true });

  const second = await spawnBroker(t, { dataDir });
  const warning = second.recentOutput().split('\n').find((line) => line.includes('replicas this broker does not hold'));
  assert.ok(warning, `the stray directory is logged:\n${second.recentOutput()}`);
  assert.match(warning, /"count":1,/);
  assert.ok(warning.includes(JSON.stringify(path.join(dataDir, 'gone-0'))), warning);
  await fs.access(path.join(dataDir, 'gone-0', PARTITION_METADATA_FILE));
  await withClient(t, second, async (client) => assert.deepEqual(await values(client), ['kept']));
});
