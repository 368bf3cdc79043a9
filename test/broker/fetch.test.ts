// The Fetch response as Kafka shapes it, checked on raw frames over TCP:
// an error partition carries an empty record set (never null) in every
// version served, and the response keeps to max_bytes and
// partition_max_bytes as KIP-74 says (only the first data may exceed them).
// Error partitions are logged at debug level only.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { pino } from 'pino';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { forEachBatch } from '../../src/protocol/records.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

const VERSIONS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const KIB = 1024;

function clientFor(t: TestContext, broker: RunningBroker): { client: KafkaClient; admin: Admin; producer: Producer } {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { client, admin: new Admin(client), producer: new Producer(client, { acks: -1 }) };
}

interface Wanted {
  topic: string;
  topicId: Buffer;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

/** One Fetch over `raw`; returns the frame's size and its partitions in request order. */
async function fetchRaw(raw: RawSocket, version: number, wanted: Wanted[], maxBytes: number, correlationId = 1): Promise<{ frameBytes: number; partitions: Message[] }> {
  const topics = [...new Set(wanted.map((w) => w.topic))].map((topic) => {
    const ps = wanted.filter((w) => w.topic === topic);
    return {
      topic,
      topicId: ps[0].topicId,
      partitions: ps.map((w) => ({ partition: w.partition, fetchOffset: w.fetchOffset, partitionMaxBytes: w.partitionMaxBytes })),
    };
  });
  const body = { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics, forgottenTopicsData: [], rackId: '' };
  await raw.write(encodeRequest(FetchRequest, version, body, correlationId));
  const frame = await raw.nextFrame();
  const res = decodeResponse(frame, FetchResponse, version);
  assert.equal(res.correlationId, correlationId);
  return { frameBytes: frame.length + 4, partitions: res.body.responses.flatMap((t: Message) => t.partitions) };
}

function batchCount(records: Buffer): number {
  let n = 0;
  forEachBatch(records, () => n++);
  return n;
}

test('error partitions carry an empty record set, not null, in Fetch v4-13', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, admin, producer } = clientFor(t, broker);
  await admin.createTopic('live', 1);
  await admin.createTopic('doomed', 1);
  await producer.sendBatch('live', [0, 1, 2, 3].map((i) => ({ value: Buffer.from(`v${i}`), partition: 0 })));
  assert.equal(await admin.deleteRecords('live', 0, 2), 2);
  const live = await client.topic('live');
  const doomed = await client.topic('doomed');
  await admin.deleteTopic('doomed');

  const raw = await RawSocket.connect(t, broker.port);
  for (const version of VERSIONS) {
    const wanted: Wanted[] = [
      { topic: 'live', topicId: live.topicId, partition: 0, fetchOffset: 0, partitionMaxBytes: 64 * KIB }, // below the log start
      { topic: 'live', topicId: live.topicId, partition: 0, fetchOffset: 99, partitionMaxBytes: 64 * KIB }, // past the log end
      { topic: 'doomed', topicId: doomed.topicId, partition: 0, fetchOffset: 0, partitionMaxBytes: 64 * KIB }, // deleted
    ];
    const { partitions } = await fetchRaw(raw, version, wanted, 1024 * KIB, version);
    const deleted = version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    assert.deepEqual(
      partitions.map((p) => [p.errorCode, p.records]),
      [
        [ErrorCode.OFFSET_OUT_OF_RANGE, Buffer.alloc(0)],
        [ErrorCode.OFFSET_OUT_OF_RANGE, Buffer.alloc(0)],
        [deleted, Buffer.alloc(0)],
      ],
      `v${version}`,
    );
    assert.equal(partitions[0].highWatermark, 4, `v${version}: the out-of-range answer tells where the log ends`);
    if (version >= 5) assert.equal(partitions[0].logStartOffset, 2, `v${version}: and where it starts`);
  }
});

test('max_bytes: only the first data may exceed it; a later batch that does not fit is left out (KIP-74)', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, admin, producer } = clientFor(t, broker);
  const topic = 'big-records';
  await admin.createTopic(topic, 3);
  for (const partition of [0, 1, 2]) await producer.sendBatch(topic, [{ value: Buffer.alloc(900 * KIB, partition), partition }]);
  const { topicId } = await client.topic(topic);
  const raw = await RawSocket.connect(t, broker.port);
  const all = (partitionMaxBytes: number): Wanted[] => [0, 1, 2].map((partition) => ({ topic, topicId, partition, fetchOffset: 0, partitionMaxBytes }));

  for (const version of [4, 11, 13]) {
    // The client's fetch.max.bytes=1000000 over three 900 KiB batches: one batch, and the frame stays near the limit.
    const res = await fetchRaw(raw, version, all(1024 * KIB), 1_000_000, version);
    assert.deepEqual(res.partitions.map((p) => [p.errorCode, batchCount(p.records)]), [[0, 1], [0, 0], [0, 0]], `v${version}`);
    assert.ok(res.frameBytes < 1_000_000, `v${version}: ${res.frameBytes}-byte response for max_bytes 1000000`);

    // The first batch goes whole even when max_bytes and partition_max_bytes are smaller.
    const tiny = await fetchRaw(raw, version, all(1), 1, 100 + version);
    assert.deepEqual(tiny.partitions.map((p) => batchCount(p.records)), [1, 0, 0], `v${version}: tiny limits`);

    // Room for two: both come, the third does not.
    const two = await fetchRaw(raw, version, all(1024 * KIB), 2 * 1024 * KIB, 200 + version);
    assert.deepEqual(two.partitions.map((p) => batchCount(p.records)), [1, 1, 0], `v${version}: room for two`);
  }
});

test('partition_max_bytes: after the first data, a partition gets only the whole batches that fit it', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, admin, producer } = clientFor(t, broker);
  const topic = 'small-records';
  await admin.createTopic(topic, 2);
  for (const partition of [0, 1]) {
    for (let i = 0; i < 4; i++) await producer.sendBatch(topic, [{ value: Buffer.alloc(10 * KIB, i), partition }]);
  }
  const { topicId } = await client.topic(topic);
  const raw = await RawSocket.connect(t, broker.port);
  const batch = (await fetchRaw(raw, 13, [{ topic, topicId, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 }], 1)).partitions[0].records.length;

  // The empty partition 1 at its end gives no data, so partition 0 still gets its first batch past its limit.
  const firstDataLater = await fetchRaw(raw, 13, [
    { topic, topicId, partition: 1, fetchOffset: 4, partitionMaxBytes: 1 },
    { topic, topicId, partition: 0, fetchOffset: 0, partitionMaxBytes: 1 },
  ], 1024 * KIB, 2);
  assert.deepEqual(firstDataLater.partitions.map((p) => batchCount(p.records)), [0, 1]);

  // Partition 0 takes 2.5 batches' worth (two whole ones); partition 1's limit is below one batch, so it gets none.
  const res = await fetchRaw(raw, 13, [
    { topic, topicId, partition: 0, fetchOffset: 0, partitionMaxBytes: Math.floor(2.5 * batch) },
    { topic, topicId, partition: 1, fetchOffset: 0, partitionMaxBytes: batch - 1 },
  ], 1024 * KIB, 3);
  assert.deepEqual(res.partitions.map((p) => batchCount(p.records)), [2, 0]);

  // max_bytes left after partition 0 bounds partition 1 the same way.
  const budget = await fetchRaw(raw, 13, [
    { topic, topicId, partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 * KIB },
    { topic, topicId, partition: 1, fetchOffset: 0, partitionMaxBytes: 1024 * KIB },
  ], 5 * batch + batch / 2, 4);
  assert.deepEqual(budget.partitions.map((p) => batchCount(p.records)), [4, 1]);
});

test('error partitions are logged at debug level, and not at info', async (t) => {
  const lines: { level: number; msg: string; errors?: unknown }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const broker = await startInProcessBroker(t, { logger });
  const { client, admin } = clientFor(t, broker);
  await admin.createTopic('logged', 1);
  const { topicId } = await client.topic('logged');
  const raw = await RawSocket.connect(t, broker.port);
  const outOfRange: Wanted = { topic: 'logged', topicId, partition: 0, fetchOffset: 5, partitionMaxBytes: KIB };

  await fetchRaw(raw, 11, [outOfRange], KIB);
  const logged = lines.filter((l) => l.msg === 'fetch answered partition errors');
  assert.deepEqual(logged.map((l) => [l.level, l.errors]), [[20, [{ topic: 'logged', partition: 0, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }]]]);

  logger.level = 'info';
  await fetchRaw(raw, 11, [outOfRange], KIB, 2);
  assert.equal(lines.filter((l) => l.msg === 'fetch answered partition errors').length, 1, 'nothing more at info');
});
