// Regression: any client could delete __consumer_offsets, after which offset
// commits were not stored and every committed offset was gone after a
// restart. Internal topics now refuse DeleteTopics, CreatePartitions and
// DeleteRecords from clients with INVALID_TOPIC_EXCEPTION (as Produce already
// did), and a partition directory missing at start-up is recreated with a
// warning instead of silently.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { offsetsPartitionFor } from '../../src/coordinator/group/offsets-log.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from '../../src/protocol/messages/create-partitions.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from '../../src/protocol/messages/delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from '../../src/protocol/messages/delete-topics.js';
import { type BrokerProcess, makeDataDir, spawnBroker } from '../helpers/broker-process.js';

const { Kafka, logLevel } = kafkajs;

const OFFSETS_PARTITIONS = 3;
const GROUP = 'keeper';

function kafkajsAdmin(t: test.TestContext, broker: BrokerProcess): kafkajs.Admin {
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  t.after(() => admin.disconnect());
  return admin;
}

async function committed(admin: kafkajs.Admin): Promise<string[]> {
  // kafkajs finds the group coordinator only among brokers it has metadata of.
  await admin.fetchTopicMetadata({ topics: ['data'] });
  const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: ['data'] });
  return topic.partitions.map((p) => p.offset);
}

function startBroker(t: test.TestContext, dataDir: string): Promise<BrokerProcess> {
  return spawnBroker(t, { dataDir, args: ['--offsets-topic-num-partitions', String(OFFSETS_PARTITIONS)] });
}

test('internal topics cannot be deleted or grown by clients, and committed offsets survive the attempt and a restart', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await startBroker(t, dataDir);
  const admin = kafkajsAdmin(t, first);
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'data', numPartitions: 1 }] });
  await admin.setOffsets({ groupId: GROUP, topic: 'data', partitions: [{ partition: 0, offset: '7' }] });
  assert.deepEqual(await committed(admin), ['7']);

  await assert.rejects(admin.deleteTopics({ topics: ['__consumer_offsets'] }), (err: Error & { type?: string }) => err.type === 'INVALID_TOPIC_EXCEPTION');
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: '__consumer_offsets', count: OFFSETS_PARTITIONS + 1 }] }), (err: Error & { type?: string }) => err.type === 'INVALID_TOPIC_EXCEPTION');

  // The same refusals through raw requests: DeleteTopics v6 by topic id, v1 by name; CreatePartitions v3; and DeleteRecords v2.
  const client = new KafkaClient({ bootstrap: first.bootstrap });
  t.after(() => client.close());
  const md = await client.metadata(['__consumer_offsets']);
  const offsetsTopic = md.topics.find((tp) => tp.name === '__consumer_offsets');
  assert.ok(offsetsTopic, '__consumer_offsets exists');
  const conn = await client.any();
  const byId = await conn.sendVersion({ request: DeleteTopicsRequest, response: DeleteTopicsResponse }, 6, { topics: [{ name: null, topicId: offsetsTopic.topicId }], timeoutMs: 1000 });
  assert.deepEqual(byId.responses.map((r: { errorCode: number }) => r.errorCode), [ErrorCode.INVALID_TOPIC_EXCEPTION]);
  const byName = await conn.sendVersion({ request: DeleteTopicsRequest, response: DeleteTopicsResponse }, 1, { topicNames: ['__consumer_offsets'], timeoutMs: 1000 });
  assert.deepEqual(byName.responses.map((r: { errorCode: number }) => r.errorCode), [ErrorCode.INVALID_TOPIC_EXCEPTION]);
  const grow = await conn.sendVersion({ request: CreatePartitionsRequest, response: CreatePartitionsResponse }, 3, {
    topics: [{ name: '__consumer_offsets', count: 10, assignments: null }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assert.deepEqual(grow.results.map((r: { errorCode: number }) => r.errorCode), [ErrorCode.INVALID_TOPIC_EXCEPTION]);
  const cut = await conn.sendVersion({ request: DeleteRecordsRequest, response: DeleteRecordsResponse }, 2, {
    topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: offsetsPartitionFor(GROUP, OFFSETS_PARTITIONS), offset: -1 }] }],
    timeoutMs: 1000,
  });
  assert.equal(cut.topics[0].partitions[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  assert.equal((await client.metadata(['__consumer_offsets'])).topics[0].partitions.length, OFFSETS_PARTITIONS, 'the partition count is unchanged');

  // Commits still work after the refused delete, and both commits survive a restart.
  await admin.setOffsets({ groupId: GROUP, topic: 'data', partitions: [{ partition: 0, offset: '9' }] });
  await admin.disconnect();
  await client.close();
  assert.equal(await first.stop(), 0);
  const second = await startBroker(t, dataDir);
  const again = kafkajsAdmin(t, second);
  await again.connect();
  assert.deepEqual(await committed(again), ['9']);
});

test('a partition directory of an internal topic missing at start-up is recreated with a warning, and the other partitions keep their offsets', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await startBroker(t, dataDir);
  const admin = kafkajsAdmin(t, first);
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'data', numPartitions: 1 }] });
  await admin.setOffsets({ groupId: GROUP, topic: 'data', partitions: [{ partition: 0, offset: '5' }] });
  await admin.disconnect();
  assert.equal(await first.stop(), 0);

  const lost = (offsetsPartitionFor(GROUP, OFFSETS_PARTITIONS) + 1) % OFFSETS_PARTITIONS;
  await fs.rm(path.join(dataDir, `__consumer_offsets-${lost}`), { recursive: true });
  const second = await startBroker(t, dataDir);
  const warning = second
    .recentOutput()
    .split('\n')
    .find((line) => line.includes('partition directory missing') && line.includes('"__consumer_offsets"') && line.includes(`"partition":${lost}`));
  assert.ok(warning, `the missing directory is logged:\n${second.recentOutput()}`);
  await fs.access(path.join(dataDir, `__consumer_offsets-${lost}`));
  const again = kafkajsAdmin(t, second);
  await again.connect();
  assert.deepEqual(await committed(again), ['5']);
});
