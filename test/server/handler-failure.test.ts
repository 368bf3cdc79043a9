// A handler that throws answers its request with an error code (UNKNOWN_SERVER_ERROR,
// or the Kafka code the error carries) on every entry the request named, and the
// connection stays open for the requests after it (Kafka's getErrorResponse).
// The failure is injected through the test-only fault hook, in the handler's place.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { TopicError } from '../../src/broker/broker.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

const TOPIC = 'hf-topic';

/** API key -> the error its handler throws, while set. */
const failing = new Map<number, Error>();

const broker = await startInProcessBroker({ after }, { faults: { handlerFailure: (apiKey) => failing.get(apiKey) ?? null } });
{
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  await new Admin(client).createTopic(TOPIC, 2);
  await client.close();
}

function failWhile(t: { after(fn: () => void): void }, apiKey: number, err: Error): void {
  failing.set(apiKey, err);
  t.after(() => failing.delete(apiKey));
}

/** The connection still answers: ApiVersions gets its full answer. */
async function assertStillAnswers(raw: RawSocket, correlationId: number): Promise<void> {
  await raw.write(encodeRequest(ApiVersionsRequest, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }, correlationId));
  const { correlationId: id, body } = decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 3);
  assert.equal(id, correlationId);
  assert.equal(body.errorCode, ErrorCode.NONE);
  assert.ok(body.apiKeys.length > 10, 'ApiVersions lists the APIs');
  assert.equal(raw.isClosed, false);
}

test('a Fetch whose handler throws is answered with UNKNOWN_SERVER_ERROR on every partition, and the connection stays open', async (t) => {
  failWhile(t, 1, new Error('injected: fetch handler failed'));
  const raw = await RawSocket.connect(t, broker.port);
  const partitions = [0, 1].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }));
  await raw.write(encodeRequest(FetchRequest, 12, { maxWaitMs: 0, minBytes: 1, topics: [{ topic: TOPIC, partitions }] }, 7));
  const { correlationId, body } = decodeResponse(await raw.nextFrame(), FetchResponse, 12);
  assert.equal(correlationId, 7);
  assert.equal(body.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
  assert.deepEqual(
    body.responses.map((r: Message) => [r.topic, r.partitions.map((p: Message) => [p.partitionIndex, p.errorCode, p.records?.length])]),
    [[TOPIC, [[0, -1, 0], [1, -1, 0]]]],
    'each requested partition echoed with the error and an empty (not null) record set',
  );
  await assertStillAnswers(raw, 8);
});

test('a Produce whose handler throws an error carrying a Kafka code is answered with that code per partition', async (t) => {
  failWhile(t, 0, new TopicError(ErrorCode.KAFKA_STORAGE_ERROR, 'injected: log directory gone'));
  const raw = await RawSocket.connect(t, broker.port);
  const records = encodeBatch([{ value: Buffer.from('x') }]);
  const topicData = [{ name: TOPIC, partitionData: [{ index: 1, records }, { index: 0, records }] }];
  await raw.write(encodeRequest(ProduceRequest, 9, { acks: -1, timeoutMs: 5000, topicData }, 21));
  const { correlationId, body } = decodeResponse(await raw.nextFrame(), ProduceResponse, 9);
  assert.equal(correlationId, 21);
  assert.deepEqual(
    body.responses.map((r: Message) => [r.name, r.partitionResponses.map((p: Message) => [p.index, p.errorCode])]),
    [[TOPIC, [[1, ErrorCode.KAFKA_STORAGE_ERROR], [0, ErrorCode.KAFKA_STORAGE_ERROR]]]],
  );
  await assertStillAnswers(raw, 22);
});

test('requests pipelined behind a failed one are answered, in order', async (t) => {
  failWhile(t, 3, new Error('injected: metadata handler failed'));
  const raw = await RawSocket.connect(t, broker.port);
  await raw.write(
    Buffer.concat([
      encodeRequest(MetadataRequest, 12, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false }, 31),
      encodeRequest(ApiVersionsRequest, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' }, 32),
    ]),
  );
  const md = decodeResponse(await raw.nextFrame(), MetadataResponse, 12);
  assert.equal(md.correlationId, 31);
  assert.deepEqual(
    md.body.topics.map((x: Message) => [x.name, x.errorCode]),
    [[TOPIC, ErrorCode.UNKNOWN_SERVER_ERROR]],
  );
  const versions = decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 3);
  assert.deepEqual([versions.correlationId, versions.body.errorCode], [32, ErrorCode.NONE]);
});

test('a real client gets the error code of a failed request instead of a dropped connection', async (t) => {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  const admin = new Admin(client);
  await admin.listTopics();
  failWhile(t, 20, new Error('injected: delete-topics handler failed'));
  await assert.rejects(admin.deleteTopic(TOPIC), /UNKNOWN_SERVER_ERROR/);
  failing.delete(20);
  assert.ok((await admin.listTopics()).some((x) => x.name === TOPIC), 'the same client still works, the topic is still there');
});

test('an acks=0 Produce whose handler throws closes the connection, as it has no answer to carry the error', async (t) => {
  failWhile(t, 0, new Error('injected: produce handler failed'));
  const raw = await RawSocket.connect(t, broker.port);
  const records = encodeBatch([{ value: Buffer.from('x') }]);
  await raw.write(encodeRequest(ProduceRequest, 9, { acks: 0, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] }, 41));
  await raw.closedByPeer();
});
