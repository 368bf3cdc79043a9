// Bad input a broker must survive (research: reliability.md section 4), sent
// from a raw socket or, where only the record bytes are bad, through Sluice's
// own connection. Each case checks the exact outcome (the connection closed,
// or a per-partition / per-topic Kafka error) and then that the broker still
// serves: a fresh client gets correct metadata, the connection opened before
// the bad input still answers, and nothing was appended to the witness topic.
// The last test replays every connection-closing case while a producer runs
// and checks that no acknowledged record is lost.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, KafkaClient, LATEST, Producer } from '../../src/client/index.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from '../../src/protocol/messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../../src/protocol/messages/create-topics.js';
import { FetchRequest, FetchResponse } from '../../src/protocol/messages/fetch.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { ProduceRequest, ProduceResponse } from '../../src/protocol/messages/produce.js';
import { Attr, Codec, writeCrc } from '../../src/protocol/record-batch.js';
import { encodeBatch } from '../../src/protocol/records.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { RawSocket, decodeResponse, encodeRequest, frameOf, headerV1, int16, int32 } from '../helpers/raw-socket.js';
import { readStoredBatches, recordsOf } from '../helpers/stored-batches.js';

const MAX_REQUEST_BYTES = 1024 * 1024;
/** A topic with known content; no bad input may change it. */
const WITNESS = 'mf-witness';
const WITNESS_VALUES = ['w0', 'w1', 'w2'];

/** A client connected before any bad input, kept for the whole file. */
let steady: KafkaClient;

// Registered before the broker's own cleanup, so the client leaves before it stops.
after(async () => {
  await steady?.close();
});

const broker: RunningBroker = await startInProcessBroker({ after }, { socketRequestMaxBytes: MAX_REQUEST_BYTES });

before(async () => {
  steady = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'steady' });
  await new Producer(steady, { acks: -1 }).sendBatch(
    WITNESS,
    WITNESS_VALUES.map((v) => ({ value: Buffer.from(v), partition: 0 })),
  );
});

/** The broker is up and unharmed: fresh and old connections get correct answers; the witness is intact. */
async function assertBrokerServes(what: string): Promise<void> {
  const fresh = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'after-bad-input' });
  try {
    const md = await fresh.metadata(null);
    assert.deepEqual(
      md.brokers.map((b) => [b.nodeId, b.host, b.port]),
      [[0, broker.host, broker.port]],
      `${what}: a fresh client gets the broker list`,
    );
    assert.ok(
      md.topics.some((t) => t.name === WITNESS),
      `${what}: a fresh client sees the witness topic`,
    );
  } finally {
    await fresh.close();
  }
  const stored = recordsOf(await readStoredBatches(steady, WITNESS, 0, { minRecords: WITNESS_VALUES.length }));
  assert.deepEqual(
    stored.map((r) => r.value?.toString()),
    WITNESS_VALUES,
    `${what}: the connection opened before still answers and the witness is unchanged`,
  );
}

// --- frames that close the connection ------------------------------------------

/** Writes a uvarint (for hand-built flexible requests). */
function uvarint(n: number): Buffer {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

/** Bytes after which the broker must close the connection (and nothing else). */
const CLOSING_CASES: { name: string; bytes: Buffer }[] = [
  { name: 'frame size -1', bytes: int32(-1) },
  { name: 'frame size -2^31', bytes: int32(-(2 ** 31)) },
  { name: 'frame size 0 (no header)', bytes: int32(0) },
  { name: 'frame size 2^31-1, over socketRequestMaxBytes, and nothing after', bytes: int32(2 ** 31 - 1) },
  { name: 'frame size one byte over socketRequestMaxBytes', bytes: int32(MAX_REQUEST_BYTES + 1) },
  { name: 'header cut short (no correlation id)', bytes: frameOf(int16(18), int16(0)) },
  { name: 'client id length past the end of the frame', bytes: frameOf(int16(18), int16(0), int32(1), int16(1000), Buffer.from('abc')) },
  { name: 'client id length -2', bytes: frameOf(int16(18), int16(0), int32(1), int16(-2)) },
  { name: 'unknown API key 999', bytes: frameOf(headerV1(999, 0, 1)) },
  { name: 'API key -1', bytes: frameOf(headerV1(-1, 0, 1)) },
  { name: 'unsupported Metadata version 13', bytes: frameOf(headerV1(3, 13, 1), uvarint(0), uvarint(0)) },
  { name: 'Metadata version -1', bytes: frameOf(headerV1(3, -1, 1), int32(-1)) },
  { name: 'Metadata v1 topic name length past the end', bytes: frameOf(headerV1(3, 1, 1), int32(1), int16(500), Buffer.from('abc')) },
  { name: 'Metadata v1 topic name length -2', bytes: frameOf(headerV1(3, 1, 1), int32(1), int16(-2)) },
  { name: 'Metadata v1 array of 2^31-1 topics in 0 bytes', bytes: frameOf(headerV1(3, 1, 1), int32(2 ** 31 - 1)) },
  { name: 'Metadata v1 array length -2', bytes: frameOf(headerV1(3, 1, 1), int32(-2)) },
  { name: 'Metadata v9 compact array of 2^32-2 topics', bytes: frameOf(headerV1(3, 9, 1), uvarint(0), uvarint(0xffffffff)) },
  { name: 'flexible header with 2^31 tagged fields', bytes: frameOf(headerV1(3, 9, 1), uvarint(2 ** 31)) },
  { name: 'flexible header tagged field larger than the frame', bytes: frameOf(headerV1(3, 9, 1), uvarint(1), uvarint(0), uvarint(1000), Buffer.from('xy')) },
  { name: 'varint longer than 5 bytes', bytes: frameOf(headerV1(3, 9, 1), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])) },
  { name: 'Produce v7 body cut short', bytes: frameOf(headerV1(0, 7, 1), int16(-1), int16(1)) },
  { name: 'Produce v7 records length past the end', bytes: frameOf(headerV1(0, 7, 1), int16(-1), int16(1), int32(1000), int32(1), int16(1), Buffer.from('t'), int32(1), int32(0), int32(5000), Buffer.alloc(20)) },
];

for (const c of CLOSING_CASES) {
  test(`closes the connection on ${c.name}, and keeps serving`, async (t) => {
    const raw = await RawSocket.connect(t, broker.port);
    await raw.write(c.bytes);
    await raw.closedByPeer();
    await assertBrokerServes(c.name);
  });
}

test('complete frames before a bad frame size in the same read are answered before the connection closes', async (t) => {
  const raw = await RawSocket.connect(t, broker.port);
  // A long-poll Fetch (answered only after its wait), ApiVersions, then a size of -1, all in one write.
  const fetch = encodeRequest(FetchRequest, 11, { maxWaitMs: 300, minBytes: 1 << 20, topics: [{ topic: WITNESS, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }] }, 61);
  await raw.write(Buffer.concat([fetch, encodeRequest(ApiVersionsRequest, 0, {}, 62), int32(-1)]));
  const fetched = decodeResponse(await raw.nextFrame(), FetchResponse, 11);
  assert.equal(fetched.correlationId, 61);
  assert.deepEqual(
    fetched.body.responses.map((r: Message) => r.partitions.map((p: Message) => [p.errorCode, p.highWatermark])),
    [[[0, WITNESS_VALUES.length]]],
  );
  const versions = decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 0);
  assert.deepEqual([versions.correlationId, versions.body.errorCode], [62, 0]);
  await raw.closedByPeer();
  await assertBrokerServes('frames before a bad size');
});

test('complete frames before an unreadable header in the same read are answered before the connection closes', async (t) => {
  const raw = await RawSocket.connect(t, broker.port);
  await raw.write(Buffer.concat([encodeRequest(ApiVersionsRequest, 0, {}, 71), frameOf(headerV1(999, 0, 72)), encodeRequest(ApiVersionsRequest, 0, {}, 73)]));
  const versions = decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 0);
  assert.deepEqual([versions.correlationId, versions.body.errorCode], [71, 0]);
  await raw.closedByPeer(); // and the request after the unreadable one is not answered
});

test('a truncated frame (size 100, 10 bytes sent, then the client hangs up) harms nothing', async (t) => {
  const raw = await RawSocket.connect(t, broker.port);
  await raw.write(Buffer.concat([int32(100), Buffer.alloc(10, 7)]));
  // While the frame is incomplete, other connections are served.
  await assertBrokerServes('a pending partial frame');
  assert.equal(raw.isClosed, false, 'the broker waits for the rest of the frame');
  raw.end();
  await raw.closedByPeer();
  await assertBrokerServes('a truncated frame');
});

test('a request sent one byte at a time, and requests pipelined in one write, are answered in order', async (t) => {
  const raw = await RawSocket.connect(t, broker.port);
  const slow = encodeRequest(ApiVersionsRequest, 0, {}, 100);
  for (const byte of slow) await raw.write(Buffer.from([byte]));
  const first = decodeResponse(await raw.nextFrame(), ApiVersionsResponse, 0);
  assert.equal(first.correlationId, 100);
  assert.equal(first.body.errorCode, 0);

  const versions = [1, 4, 9, 12];
  await raw.write(Buffer.concat(versions.map((v, i) => encodeRequest(MetadataRequest, v, { topics: [{ name: WITNESS }], allowAutoTopicCreation: false }, 200 + i))));
  for (const [i, v] of versions.entries()) {
    const { correlationId, body } = decodeResponse(await raw.nextFrame(), MetadataResponse, v);
    assert.equal(correlationId, 200 + i, `response ${i} in request order`);
    assert.deepEqual(
      body.topics.map((x: Message) => [x.name, x.errorCode, x.partitions.length]),
      [[WITNESS, 0, 1]],
      `Metadata v${v}`,
    );
  }
});

// --- ApiVersions of an unknown version (KIP-511) ---------------------------------

/** Parses an ApiVersions v0 body by hand: error code, then int32-counted (key, min, max) triples, nothing else. */
function parseApiVersionsV0(frame: Buffer): { correlationId: number; errorCode: number; apiKeys: [number, number, number][] } {
  const correlationId = frame.readInt32BE(0);
  const errorCode = frame.readInt16BE(4);
  const n = frame.readInt32BE(6);
  assert.equal(frame.length, 10 + 6 * n, `a v0 body is exactly ${n} entries of 6 bytes, with no throttle time or tagged fields`);
  const apiKeys: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const at = 10 + 6 * i;
    apiKeys.push([frame.readInt16BE(at), frame.readInt16BE(at + 2), frame.readInt16BE(at + 4)]);
  }
  return { correlationId, errorCode, apiKeys };
}

test('ApiVersions of an unsupported version is answered with UNSUPPORTED_VERSION in the v0 shape, listing the API keys', async (t) => {
  const raw = await RawSocket.connect(t, broker.port);
  // v99 with a body the broker must not try to read.
  await raw.write(frameOf(headerV1(18, 99, 42), Buffer.from([1, 2, 3, 4, 5])));
  const unsupported = parseApiVersionsV0(await raw.nextFrame());
  assert.equal(unsupported.correlationId, 42);
  assert.equal(unsupported.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  assert.equal(unsupported.errorCode, 35);

  // v4, as @platformatic/kafka 1.x sends it: flexible header (tagged fields) and compact strings.
  await raw.write(frameOf(headerV1(18, 4, 43), uvarint(0), uvarint(4), Buffer.from('plt'), uvarint(2), Buffer.from('1'), uvarint(0)));
  const v4 = parseApiVersionsV0(await raw.nextFrame());
  assert.deepEqual([v4.correlationId, v4.errorCode], [43, 35]);
  assert.deepEqual(v4.apiKeys, unsupported.apiKeys);

  // The connection stays usable, and a supported version lists the same keys.
  await raw.write(encodeRequest(ApiVersionsRequest, 0, {}, 44));
  const ok = parseApiVersionsV0(await raw.nextFrame());
  assert.deepEqual([ok.correlationId, ok.errorCode], [44, 0]);
  assert.deepEqual(unsupported.apiKeys, ok.apiKeys);
  const byKey = new Map(ok.apiKeys.map(([key, min, max]) => [key, [min, max]]));
  assert.deepEqual(byKey.get(18), [0, 3], 'ApiVersions 0-3');
  assert.deepEqual(byKey.get(3), [0, 12], 'Metadata 0-12');
  assert.ok(byKey.has(0) && byKey.has(1), 'Produce and Fetch are listed');
  await assertBrokerServes('ApiVersions v99');
});

// --- bad record batches: per-partition errors, nothing stored ------------------------

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };
const CORRUPT_TOPIC = 'mf-batches';
/** max.message.bytes of CORRUPT_TOPIC. */
const MAX_MESSAGE_BYTES = 4096;

function goodBatch(): Buffer {
  return encodeBatch(['a', 'b', 'c'].map((v) => ({ key: Buffer.from(`k-${v}`), value: Buffer.from(`value ${v}`) })));
}

/** A good batch changed by `edit`; the CRC is recomputed afterwards when `recrc`. */
function edited(edit: (b: Buffer) => void, recrc: boolean): Buffer {
  const b = goodBatch();
  edit(b);
  if (recrc) writeCrc(b, 0);
  return b;
}

/** A legacy message set of one message (magic 0 or 1), as Produce v0-2 carried them. */
function legacyMessageSet(magic: 0 | 1): Buffer {
  const key = Buffer.from('k');
  const value = Buffer.from('a legacy record, as long as a small real one: '.padEnd(80, '.'));
  const body = Buffer.concat([
    Buffer.from([magic, 0]), // magic, attributes
    magic === 1 ? Buffer.alloc(8) : Buffer.alloc(0), // timestamp
    int32(key.length),
    key,
    int32(value.length),
    value,
  ]);
  const crc = int32(0); // the broker must refuse on magic before it looks at this
  return Buffer.concat([Buffer.alloc(8), int32(4 + body.length), crc, body]);
}

const BATCH_CASES: { name: string; records: () => Buffer | null; errorCode: number; version?: number }[] = [
  { name: 'CRC flipped', records: () => edited((b) => (b[17] ^= 0xff), false), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'a record byte flipped under the CRC', records: () => edited((b) => (b[b.length - 1] ^= 0x01), false), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'compression codec 5', records: () => edited((b) => b.writeInt16BE(5, 21), true), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'compression codec 7', records: () => edited((b) => b.writeInt16BE(7, 21), true), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'the control bit set by a client', records: () => edited((b) => b.writeInt16BE(Attr.Control, 21), true), errorCode: ErrorCode.INVALID_RECORD },
  { name: 'magic 1 message set in Produce v9', records: () => legacyMessageSet(1), errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT },
  { name: 'magic 1 message set in Produce v2', records: () => legacyMessageSet(1), errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, version: 2 },
  { name: 'magic 0 message set in Produce v0', records: () => legacyMessageSet(0), errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, version: 0 },
  { name: 'lastOffsetDelta 5 with 3 records', records: () => edited((b) => b.writeInt32BE(5, 23), true), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'record count 0', records: () => edited((b) => (b.writeInt32BE(0, 57), b.writeInt32BE(-1, 23)), true), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'record count 100000 in a few bytes', records: () => edited((b) => (b.writeInt32BE(100000, 57), b.writeInt32BE(99999, 23)), true), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'batch length past the bytes sent', records: () => edited((b) => b.writeInt32BE(b.readInt32BE(8) + 10, 8), false), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'batch length shorter than its header', records: () => edited((b) => b.writeInt32BE(20, 8), false), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'trailing bytes after the last batch', records: () => Buffer.concat([goodBatch(), Buffer.from([1, 2, 3])]), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'a good batch then a corrupt one (all or nothing)', records: () => Buffer.concat([goodBatch(), edited((b) => (b[17] ^= 1), false)]), errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'null records', records: () => null, errorCode: ErrorCode.CORRUPT_MESSAGE },
  { name: 'empty records', records: () => Buffer.alloc(0), errorCode: ErrorCode.CORRUPT_MESSAGE },
  {
    name: 'a batch over the topic max.message.bytes',
    records: () => encodeBatch([{ value: Buffer.alloc(MAX_MESSAGE_BYTES, 1) }]),
    errorCode: ErrorCode.MESSAGE_TOO_LARGE,
  },
];

/** The log end offset of CORRUPT_TOPIC-0, from ListOffsets (latest). */
async function logEndOffset(): Promise<number> {
  const offsets = await new Admin(steady).listOffsets(CORRUPT_TOPIC, [0], LATEST);
  return offsets.get(0)?.offset ?? -1;
}

test('bad record batches get their Kafka error per partition and store nothing', async (t) => {
  await new Admin(steady).createTopic(CORRUPT_TOPIC, 1, { 'max.message.bytes': String(MAX_MESSAGE_BYTES) });
  const conn = await steady.any();
  const seed = await conn.send(PRODUCE, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: CORRUPT_TOPIC, partitionData: [{ index: 0, records: goodBatch() }] }] });
  assert.equal(seed.responses[0].partitionResponses[0].errorCode, 0, 'a good batch is accepted');
  const endBefore = await logEndOffset();
  assert.equal(endBefore, 3);

  for (const c of BATCH_CASES) {
    await t.test(c.name, async () => {
      const body = { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: CORRUPT_TOPIC, partitionData: [{ index: 0, records: c.records() }] }] };
      const res = c.version === undefined ? await conn.send(PRODUCE, body) : await conn.sendVersion(PRODUCE, c.version, body);
      const p = res.responses[0].partitionResponses[0];
      assert.deepEqual([p.index, p.errorCode, p.baseOffset], [0, c.errorCode, -1], c.name);
      assert.equal(await logEndOffset(), endBefore, `${c.name}: log end offset unchanged`);
    });
  }
  const stored = recordsOf(await readStoredBatches(steady, CORRUPT_TOPIC, 0, { minRecords: endBefore }));
  assert.deepEqual(
    stored.map((r) => r.value?.toString()),
    ['value a', 'value b', 'value c'],
    'only the first good batch is stored',
  );
  await assertBrokerServes('bad record batches');
});

// Regression: produce validation once read only batch headers, so a compressed
// batch claiming 100000 records while holding 3 was stored and the log end
// offset jumped by 100000. Kafka decompresses and counts on produce; so does Sluice.
test(
  'a compressed batch claiming more records than it holds is refused',
  async () => {
    const topic = 'mf-lying-count';
    const batch = encodeBatch(['a', 'b', 'c'].map((v) => ({ value: Buffer.from(v) })), { codec: Codec.Gzip });
    batch.writeInt32BE(100_000, 57);
    batch.writeInt32BE(99_999, 23);
    writeCrc(batch, 0);
    const conn = await steady.any();
    const res = await conn.send(PRODUCE, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
    const p = res.responses[0].partitionResponses[0];
    assert.ok(p.errorCode === ErrorCode.CORRUPT_MESSAGE || p.errorCode === ErrorCode.INVALID_RECORD, `error code ${p.errorCode}`);
    const offsets = await new Admin(steady).listOffsets(topic, [0], LATEST);
    assert.equal(offsets.get(0)?.offset, 0, 'nothing stored');
  },
);

test('acks other than 0, 1 and -1 get INVALID_REQUIRED_ACKS and store nothing', async () => {
  const conn = await steady.any();
  const res = await conn.send(PRODUCE, { transactionalId: null, acks: 2, timeoutMs: 5000, topicData: [{ name: WITNESS, partitionData: [{ index: 0, records: goodBatch() }] }] });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  await assertBrokerServes('acks 2');
});

// --- bad names and counts in admin requests -------------------------------------------

const CREATE_TOPICS = { request: CreateTopicsRequest, response: CreateTopicsResponse };
const BAD_NAMES = ['bad/name', 'has space', 'semi;colon', '.', '..', 'x'.repeat(250), 'ünïcode', ''];

function newTopic(name: string, numPartitions = 1, replicationFactor = -1): Message {
  return { name, numPartitions, replicationFactor, assignments: [], configs: [] };
}

test('illegal topic names get INVALID_TOPIC_EXCEPTION in CreateTopics and Metadata, and nothing is created', async () => {
  const res = await steady.send(CREATE_TOPICS, { topics: [...BAD_NAMES.map((n) => newTopic(n)), newTopic('mf-good-neighbour')], timeoutMs: 5000, validateOnly: false });
  assert.deepEqual(
    res.topics.map((x: Message) => [x.name, x.errorCode]),
    [...BAD_NAMES.map((n) => [n, ErrorCode.INVALID_TOPIC_EXCEPTION]), ['mf-good-neighbour', 0]],
    'each topic gets its own answer',
  );
  const md = await steady.metadata(BAD_NAMES, true);
  assert.deepEqual(
    md.topics.map((x: Message) => [x.name, x.errorCode, x.partitions.length]),
    BAD_NAMES.map((n) => [n, ErrorCode.INVALID_TOPIC_EXCEPTION, 0]),
    'Metadata with auto-creation allowed refuses the names instead of creating them',
  );
  const all = await steady.metadata(null);
  const names = all.topics.map((x: Message) => x.name);
  for (const n of BAD_NAMES) assert.ok(!names.includes(n), `"${n}" was not created`);
  assert.ok(names.includes('mf-good-neighbour'));
  await assertBrokerServes('illegal topic names');
});

test('bad partition counts and replication factors get INVALID_PARTITIONS / INVALID_REPLICATION_FACTOR', async () => {
  const res = await steady.send(CREATE_TOPICS, {
    topics: [newTopic('mf-negative', -5), newTopic('mf-zero', 0), newTopic('mf-huge', 100_001), newTopic('mf-rf3', 1, 3), newTopic('mf-rf0', 1, 0)],
    timeoutMs: 5000,
    validateOnly: false,
  });
  assert.deepEqual(
    res.topics.map((x: Message) => [x.name, x.errorCode]),
    [
      ['mf-negative', ErrorCode.INVALID_PARTITIONS],
      ['mf-zero', ErrorCode.INVALID_PARTITIONS],
      ['mf-huge', ErrorCode.INVALID_PARTITIONS],
      ['mf-rf3', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['mf-rf0', ErrorCode.INVALID_REPLICATION_FACTOR],
    ],
  );
  const grow = await steady.send(
    { request: CreatePartitionsRequest, response: CreatePartitionsResponse },
    {
      topics: [
        { name: WITNESS, count: -1, assignments: null },
        { name: WITNESS, count: 1, assignments: null },
        { name: 'mf-no-such-topic', count: 2, assignments: null },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    },
  );
  assert.deepEqual(
    grow.results.map((x: Message) => [x.name, x.errorCode]),
    [
      [WITNESS, ErrorCode.INVALID_PARTITIONS],
      [WITNESS, ErrorCode.INVALID_PARTITIONS],
      ['mf-no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  const md = await steady.metadata(null);
  const names = md.topics.map((x: Message) => x.name);
  for (const n of ['mf-negative', 'mf-zero', 'mf-huge', 'mf-rf3', 'mf-rf0', 'mf-no-such-topic']) assert.ok(!names.includes(n), `${n} was not created`);
  assert.equal((await steady.topic(WITNESS)).partitions.length, 1, 'the witness kept its one partition');
  await assertBrokerServes('bad partition counts');
});

// --- all of it while a producer works ----------------------------------------------------

test('no acknowledged record is lost while every closing case hits the broker', async (t) => {
  const topic = 'mf-workload';
  const producerClient = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'workload' });
  t.after(() => producerClient.close());
  const producer = new Producer(producerClient, { acks: -1 });
  const acked: { offset: number; value: string }[] = [];
  let stop = false;
  const MIN_SENDS = 30;
  const workload = (async () => {
    for (let i = 0; !stop || i < MIN_SENDS; i++) {
      const value = `work-${i}`;
      const { offset } = await producer.send(topic, { value: Buffer.from(value), partition: 0 });
      acked.push({ offset, value });
    }
  })();
  try {
    for (const c of CLOSING_CASES) {
      const raw = await RawSocket.connect(t, broker.port);
      await raw.write(c.bytes);
      await raw.closedByPeer();
    }
  } finally {
    stop = true;
    await workload;
  }
  assert.ok(acked.length >= MIN_SENDS);
  const stored = recordsOf(await readStoredBatches(producerClient, topic, 0, { minRecords: acked.length }));
  assert.deepEqual(
    stored.map((r) => ({ offset: r.offset, value: r.value?.toString() })),
    acked,
    'every acknowledged record, at its offset, and nothing else',
  );
});

test('clients can neither auto-create nor write the internal offsets topic', async (t) => {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  const md = await client.metadata(['__consumer_offsets'], true);
  assert.equal(md.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Metadata does not auto-create it');
  const conn = await client.any();
  const res = await conn.send(PRODUCE, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: '__consumer_offsets', partitionData: [{ index: 0, records: encodeBatch([{ value: Buffer.from('forged') }]) }] }],
  });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  assert.equal(broker.broker.cluster.topic('__consumer_offsets'), undefined, 'nothing was created');
});
