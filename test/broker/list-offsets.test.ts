// ListOffsets on raw frames over TCP: v0's array of offsets, the max
// timestamp (-3, KIP-734) at record level, and the earliest-local (-4) and
// latest-tiered (-5) specs answered as Kafka answers them without tiered storage.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

function clientFor(t: TestContext, broker: RunningBroker): { admin: Admin; producer: Producer } {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { admin: new Admin(client), producer: new Producer(client, { acks: -1 }) };
}

interface Query {
  partitionIndex?: number;
  timestamp: number;
  maxNumOffsets?: number;
}

let correlation = 0;

/** One ListOffsets over `raw` for `topic`; returns its partitions in request order. */
async function listOffsetsRaw(raw: RawSocket, version: number, topic: string, queries: Query[], isolationLevel = 0): Promise<Message[]> {
  const partitions = queries.map((q) => ({ partitionIndex: q.partitionIndex ?? 0, currentLeaderEpoch: -1, timestamp: q.timestamp, maxNumOffsets: q.maxNumOffsets ?? 1 }));
  const id = ++correlation;
  await raw.write(encodeRequest(ListOffsetsRequest, version, { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions }] }, id));
  const res = decodeResponse(await raw.nextFrame(), ListOffsetsResponse, version);
  assert.equal(res.correlationId, id);
  return res.body.topics[0].partitions;
}

/** One batch per entry, each record stamped with the given timestamps. */
async function produceBatches(producer: Producer, topic: string, batches: number[][]): Promise<void> {
  for (const timestamps of batches) {
    await producer.sendBatch(topic, timestamps.map((timestamp, i) => ({ value: Buffer.from(`t${timestamp}-${i}`), timestamp, partition: 0 })));
  }
}

test('ListOffsets v0 answers old_style_offsets: latest, earliest, by time, max_num_offsets', async (t) => {
  const broker = await startInProcessBroker(t);
  const { admin, producer } = clientFor(t, broker);
  const topic = 'v0';
  await admin.createTopic(topic, 1);
  await produceBatches(producer, topic, [[1_000], [2_000], [3_000], [4_000], [5_000]]);
  assert.equal(await admin.deleteRecords(topic, 0, 1), 1);

  const raw = await RawSocket.connect(t, broker.port);
  const ask = async (timestamp: number, maxNumOffsets = 1, partitionIndex = 0) => {
    const [p] = await listOffsetsRaw(raw, 0, topic, [{ timestamp, maxNumOffsets, partitionIndex }]);
    return [p.errorCode, p.oldStyleOffsets];
  };
  assert.deepEqual(await ask(-1), [ErrorCode.NONE, [5]], 'latest');
  assert.deepEqual(await ask(-2), [ErrorCode.NONE, [1]], 'earliest');
  assert.deepEqual(await ask(3_000), [ErrorCode.NONE, [2]], 'the first record at time 3000');
  assert.deepEqual(await ask(3_500), [ErrorCode.NONE, [3]], 'the first record after 3500');
  assert.deepEqual(await ask(500), [ErrorCode.NONE, [1]], 'before every record: the log start');
  assert.deepEqual(await ask(9_999), [ErrorCode.NONE, [5]], 'after every record: the end');
  assert.deepEqual(await ask(-1, 10), [ErrorCode.NONE, [5]], 'at most one offset');
  assert.deepEqual(await ask(-1, 0), [ErrorCode.NONE, []], 'max_num_offsets 0');
  assert.deepEqual(await ask(-3), [ErrorCode.NONE, []], 'no max-timestamp spec before v7');
  assert.deepEqual(await ask(-1, -1), [ErrorCode.INVALID_REQUEST, []]);
  assert.deepEqual(await ask(-1, 1, 7), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []]);
});

test('ListOffsets max timestamp (-3) names the first record with the largest timestamp, not its batch', async (t) => {
  const broker = await startInProcessBroker(t);
  const { admin, producer } = clientFor(t, broker);
  const topic = 'max-timestamp';
  await admin.createTopic(topic, 1);
  const raw = await RawSocket.connect(t, broker.port);
  const max = async () => {
    const [p] = await listOffsetsRaw(raw, 7, topic, [{ timestamp: -3 }]);
    return [p.errorCode, p.offset, p.timestamp];
  };
  assert.deepEqual(await max(), [ErrorCode.NONE, -1, -1], 'an empty partition has none');

  // offsets 0-2, then 3-4
  await produceBatches(producer, topic, [[1_000, 5_000, 3_000], [2_000, 4_000]]);
  assert.deepEqual(await max(), [ErrorCode.NONE, 1, 5_000]);
  // offsets 5-8: 7000 twice; the first one is the answer.
  await produceBatches(producer, topic, [[6_000, 7_000, 7_000, 6_500]]);
  assert.deepEqual(await max(), [ErrorCode.NONE, 6, 7_000]);
});

test('ListOffsets earliest local (-4) is the log start and latest tiered (-5) is none, as without tiered storage', async (t) => {
  const broker = await startInProcessBroker(t);
  const { admin, producer } = clientFor(t, broker);
  const topic = 'special-specs';
  await admin.createTopic(topic, 1);
  await produceBatches(producer, topic, [[1_000], [2_000], [3_000]]);
  assert.equal(await admin.deleteRecords(topic, 0, 2), 2);
  const raw = await RawSocket.connect(t, broker.port);
  const answers = await listOffsetsRaw(raw, 7, topic, [{ timestamp: -4 }, { timestamp: -5 }, { timestamp: -2 }, { timestamp: -1 }, { timestamp: -9 }]);
  assert.deepEqual(
    answers.map((p) => [p.errorCode, p.offset, p.timestamp, p.leaderEpoch]),
    [
      [ErrorCode.NONE, 2, -1, 0],
      [ErrorCode.NONE, -1, -1, -1],
      [ErrorCode.NONE, 2, -1, 0],
      [ErrorCode.NONE, 3, -1, 0],
      [ErrorCode.INVALID_REQUEST, -1, -1, -1],
    ],
  );
});
