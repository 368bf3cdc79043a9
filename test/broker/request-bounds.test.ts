// What one request may make the broker hold: partitions (each costs memory and
// files, so a CreateTopics or CreatePartitions past --max-partitions is refused)
// (in a cluster, the replicas each broker holds) and time (a Fetch waits at most --fetch-max-wait-ms, whatever it asks).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, KafkaError } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { startTestBrokerWithClient } from '../helpers/broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';
import { startCluster } from '../replication/brokers.js';

const refusedForPartitions = (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.INVALID_PARTITIONS && /at most 10 \(--max-partitions\)/.test(err.message);

test('topics and partitions past --max-partitions are refused with INVALID_PARTITIONS, and nothing is created', async (t) => {
  const { client } = await startTestBrokerWithClient(t, { maxPartitions: 10 });
  const admin = new Admin(client);
  await admin.createTopic('first', 8);
  await assert.rejects(admin.createTopic('second', 3), refusedForPartitions);
  await assert.rejects(admin.createPartitions('first', 11), refusedForPartitions);
  assert.deepEqual((await admin.listTopics()).map((topic) => topic.name), ['first']);
  assert.equal((await client.topic('first')).partitions.length, 8);

  await admin.createPartitions('first', 9);
  await admin.createTopic('second', 1);
  assert.equal((await client.topic('first')).partitions.length, 9);
  await assert.rejects(admin.createTopic('third', 1), refusedForPartitions);
});

test('in a cluster --max-partitions bounds the replicas each broker holds, not the partitions of the whole cluster', async (t) => {
  const { plane, brokers } = await startCluster(t, [1, 2], { maxPartitions: 10 });
  const b1 = brokers.get(1)!;
  await b1.broker.createTopic('spread', 8, {});
  await b1.broker.createTopic('also-spread', 8, {}); // four more on each broker: eight each
  const held = (id: number) => plane.topics().flatMap((topic) => topic.partitions).filter((p) => p.replicas.includes(id)).length;
  assert.deepEqual([held(1), held(2)], [8, 8]);
  await assert.rejects(b1.broker.createTopic('copied', 3, {}, false, { replicationFactor: 2, assignments: [] }), /at most 10 \(--max-partitions\)/);
  await b1.broker.createTopic('copied', 2, {}, false, { replicationFactor: 1, assignments: [] });
});

test('a Fetch asking to wait 24 days is answered, empty, once --fetch-max-wait-ms has passed', { timeout: 20_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t, { fetchMaxWaitMs: 200 });
  await new Admin(client).createTopic('quiet', 1);
  const raw = await RawSocket.connect(t, broker.port);
  const body = {
    replicaId: -1,
    maxWaitMs: 2 ** 31 - 1,
    minBytes: 1,
    maxBytes: 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: 'quiet', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 * 1024 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
  await raw.write(encodeRequest(FetchRequest, 4, body, 7));
  const res = decodeResponse(await raw.nextFrame(), FetchResponse, 4);
  assert.equal(res.correlationId, 7);
  const partition = res.body.responses[0].partitions[0];
  assert.equal(partition.errorCode, ErrorCode.NONE);
  assert.equal(partition.records.length, 0);
});
