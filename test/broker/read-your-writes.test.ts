// Read-your-writes under the default group-commit flush policy, on raw frames
// over TCP. acks=1 is answered before the fsync that lets the high watermark
// pass the record; DeleteRecords up to the log end, a Fetch at the new record
// (even one that may not wait) and ListOffsets pipelined behind the produce on
// the same connection must still see it. Long-polls keep working: a parked
// fetch wakes for an acks=1 record, and a min_bytes wait ends at max_wait_ms.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from '../../src/protocol/messages/delete-records.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { decodeBatch, encodeBatch, forEachBatch } from '../../src/protocol/records.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest } from '../helpers/raw-socket.js';

const TRIES = 30;
const TOPIC = 'ryw';

async function setUp(t: TestContext): Promise<{ broker: RunningBroker; producerSocket: RawSocket; readerSocket: RawSocket }> {
  const broker = await startInProcessBroker(t, { flushPolicy: 'group-commit' });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  await new Admin(client).createTopic(TOPIC, 1);
  return { broker, producerSocket: await RawSocket.connect(t, broker.port), readerSocket: await RawSocket.connect(t, broker.port) };
}

let correlation = 0;

function request(schema: MessageSchema, version: number, body: Message): { frame: Buffer; id: number } {
  const id = ++correlation;
  return { frame: encodeRequest(schema, version, body, id), id };
}

async function answer(raw: RawSocket, schema: MessageSchema, version: number, id: number): Promise<Message> {
  const res = decodeResponse(await raw.nextFrame(), schema, version);
  assert.equal(res.correlationId, id, `${schema.name}: responses come in request order`);
  return res.body;
}

function produceRequest(value: string): { frame: Buffer; id: number } {
  const records = encodeBatch([{ value: Buffer.from(value) }]);
  return request(ProduceRequest, 9, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] });
}

/** Produces one record with acks=1 and returns its offset. */
async function produceAcks1(raw: RawSocket, value: string): Promise<number> {
  const { frame, id } = produceRequest(value);
  await raw.write(frame);
  const p = (await answer(raw, ProduceResponse, 9, id)).responses[0].partitionResponses[0];
  assert.equal(p.errorCode, ErrorCode.NONE);
  return Number(p.baseOffset);
}

function fetchRequest(fetchOffset: number, maxWaitMs: number, minBytes: number): { frame: Buffer; id: number } {
  return request(FetchRequest, 11, {
    replicaId: -1, maxWaitMs, minBytes, maxBytes: 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1024 * 1024 }] }], forgottenTopicsData: [], rackId: '',
  });
}

/** The values a Fetch v11 answer holds for the one partition asked. */
function fetchedValues(body: Message): string[] {
  const p = body.responses[0].partitions[0];
  assert.equal(p.errorCode, ErrorCode.NONE);
  const values: string[] = [];
  forEachBatch(p.records, (pos, size) => {
    for (const r of decodeBatch(p.records.subarray(pos, pos + size)).records) values.push(r.value!.toString());
  });
  return values;
}

test('DeleteRecords up to the log end right after an acks=1 produce succeeds, every try', async (t) => {
  const { producerSocket, readerSocket } = await setUp(t);
  for (let i = 0; i < TRIES; i++) {
    const end = (await produceAcks1(producerSocket, `v${i}`)) + 1;
    const { frame, id } = request(DeleteRecordsRequest, 2, { topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: end }] }], timeoutMs: 5000 });
    await readerSocket.write(frame);
    const p = (await answer(readerSocket, DeleteRecordsResponse, 2, id)).topics[0].partitions[0];
    assert.deepEqual([p.errorCode, Number(p.lowWatermark)], [ErrorCode.NONE, end], `try ${i}`);
  }
});

test('a Fetch that may not wait, right after an acks=1 produce, returns the record, every try', async (t) => {
  const { producerSocket, readerSocket } = await setUp(t);
  for (let i = 0; i < TRIES; i++) {
    const offset = await produceAcks1(producerSocket, `v${i}`);
    const { frame, id } = fetchRequest(offset, 0, 0);
    await readerSocket.write(frame);
    assert.deepEqual(fetchedValues(await answer(readerSocket, FetchResponse, 11, id)), [`v${i}`], `try ${i}`);
  }
});

test('ListOffsets pipelined behind an acks=1 produce on one connection sees the record, answers in order', async (t) => {
  const { producerSocket } = await setUp(t);
  for (let i = 0; i < TRIES; i++) {
    const produce = produceRequest(`v${i}`);
    const list = request(ListOffsetsRequest, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
    await producerSocket.write(Buffer.concat([produce.frame, list.frame]));
    const offset = Number((await answer(producerSocket, ProduceResponse, 9, produce.id)).responses[0].partitionResponses[0].baseOffset);
    const p = (await answer(producerSocket, ListOffsetsResponse, 7, list.id)).topics[0].partitions[0];
    assert.deepEqual([p.errorCode, Number(p.offset)], [ErrorCode.NONE, offset + 1], `try ${i}`);
  }
});

test('a parked fetch wakes for an acks=1 record; a min_bytes wait still ends at max_wait_ms', async (t) => {
  const { producerSocket, readerSocket } = await setUp(t);
  const parked = fetchRequest(0, 10_000, 1);
  await readerSocket.write(parked.frame);
  const started = Date.now();
  await produceAcks1(producerSocket, 'wake');
  assert.deepEqual(fetchedValues(await answer(readerSocket, FetchResponse, 11, parked.id)), ['wake']);
  assert.ok(Date.now() - started < 5_000, 'woken by the record, not by max_wait_ms');

  // More than there is: the fetch waits out max_wait_ms, then answers what there is.
  const short = fetchRequest(0, 300, 1024 * 1024);
  const sent = Date.now();
  await readerSocket.write(short.frame);
  await produceAcks1(producerSocket, 'more');
  assert.deepEqual(fetchedValues(await answer(readerSocket, FetchResponse, 11, short.id)), ['wake', 'more']);
  assert.ok(Date.now() - sent >= 250, 'held for max_wait_ms, as min_bytes was not reached');
});
