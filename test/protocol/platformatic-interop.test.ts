// Proves Sluice's message schemas agree with an independent implementation,
// @platformatic/kafka 1.x, on the versions it speaks. A round trip through our
// own codec cannot catch a field in the wrong place or version, since encoder
// and decoder share the mistake; a client written from Kafka's JSON schemas can.
//   responses: every response version platformatic parses, encoded by us from
//              a filled sample, must parse to the same values there;
//   requests:  requests platformatic builds must decode here to what it was given.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import * as platformatic from '@platformatic/kafka';
import { type Message, MessageCodec } from '../../src/protocol/codec.js';
import { AddOffsetsToTxnRequest } from '../../src/protocol/messages/add-offsets-to-txn.js';
import { ApiVersionsRequest } from '../../src/protocol/messages/api-versions.js';
import { ConsumerGroupHeartbeatRequest } from '../../src/protocol/messages/consumer-group-heartbeat.js';
import { FetchRequest } from '../../src/protocol/messages/fetch.js';
import { FindCoordinatorRequest } from '../../src/protocol/messages/find-coordinator.js';
import { HeartbeatRequest } from '../../src/protocol/messages/heartbeat.js';
import { InitProducerIdRequest } from '../../src/protocol/messages/init-producer-id.js';
import { JoinGroupRequest } from '../../src/protocol/messages/join-group.js';
import { ListOffsetsRequest } from '../../src/protocol/messages/list-offsets.js';
import { MetadataRequest } from '../../src/protocol/messages/metadata.js';
import { OffsetCommitRequest } from '../../src/protocol/messages/offset-commit.js';
import { OffsetFetchRequest } from '../../src/protocol/messages/offset-fetch.js';
import { ProduceRequest } from '../../src/protocol/messages/produce.js';
import { SyncGroupRequest } from '../../src/protocol/messages/sync-group.js';
import { Reader } from '../../src/protocol/reader.js';
import { decodeBatch, encodeBatch } from '../../src/protocol/records.js';
import type { Field, MessageSchema } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';
import { SampleBuilder, isPresent } from './schema-samples.js';

interface PlatformaticApi {
  createRequest?: (...args: never[]) => { buffer: Buffer };
  parseResponse?: (correlationId: number, apiKey: number, apiVersion: number, reader: unknown) => unknown;
}
const apis = platformatic as unknown as Record<string, PlatformaticApi | undefined>;

/** platformatic's module for a message name and version, e.g. MetadataResponse v12 -> metadataV12. */
function apiFor(name: string, version: number): PlatformaticApi | undefined {
  const base = name.replace(/(Request|Response)$/, '');
  return apis[`${base[0].toLowerCase()}${base.slice(1)}V${version}`];
}

const uuidString = (b: Buffer): string => b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');

/** Compares one value with platformatic's, normalising representation only (int64 as bigint, uuid as string). */
function compareValue(ours: unknown, theirs: unknown, path: string): number {
  if (typeof theirs === 'bigint') {
    assert.equal(BigInt(ours as number), theirs, path);
  } else if (Buffer.isBuffer(ours) && typeof theirs === 'string' && ours.length === 16) {
    assert.equal(uuidString(ours), theirs, path);
  } else if (Buffer.isBuffer(ours) && theirs !== null && typeof theirs === 'object' && !Buffer.isBuffer(theirs)) {
    return 0; // a record batch, which platformatic parses into an object
  } else {
    assert.deepEqual(theirs, ours, path);
  }
  return 1;
}

/**
 * Compares the fields on the wire in this version wherever platformatic has a
 * field of the same name. Returns how many leaf values were compared.
 */
function compareFields(fields: Field[], version: number, ours: Message, theirs: Message, path: string): number {
  let n = 0;
  for (const field of fields) {
    if (!isPresent(field, version, true) || field.tag !== null || !(field.name in theirs)) continue;
    const [a, b, p] = [ours[field.name], theirs[field.name], `${path}.${field.name}`];
    if (!Array.isArray(field.type) || a === null) {
      if (field.array && a !== null) {
        assert.equal((b as unknown[]).length, (a as unknown[]).length, `${p}.length`);
        (a as unknown[]).forEach((item, i) => (n += compareValue(item, (b as unknown[])[i], `${p}[${i}]`)));
      } else {
        n += compareValue(a, b, p);
      }
    } else if (field.array) {
      assert.equal((b as Message[]).length, (a as Message[]).length, `${p}.length`);
      (a as Message[]).forEach((item, i) => (n += compareFields(field.type as Field[], version, item, (b as Message[])[i], `${p}[${i}]`)));
    } else {
      n += compareFields(field.type, version, a as Message, b as Message, p);
    }
  }
  return n;
}

/** Offset after the tagged-field section at `pos`. */
function skipTaggedSection(bytes: Buffer, pos: number): number {
  const r = new Reader(bytes, pos);
  for (let n = r.tagCount(); n > 0; n--) {
    r.uvarint();
    r.skip(r.uvarint());
  }
  return r.offset;
}

const messagesDir = new URL('../../src/protocol/messages/', import.meta.url);
const RESPONSES: MessageSchema[] = [];
for (const file of readdirSync(messagesDir).filter((name) => name.endsWith('.js')).sort()) {
  const mod = (await import(new URL(file, messagesDir).href)) as Record<string, MessageSchema>;
  for (const schema of Object.values(mod)) if (schema.name.endsWith('Response')) RESPONSES.push(schema);
}

/**
 * Makes a sample acceptable to a client: every `records` field becomes a real
 * batch, which platformatic parses, and error codes become 0, since it turns
 * others into exceptions and knows only Kafka's codes.
 */
function forClient(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(forClient);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Message = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'records' && v !== null) out[key] = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1_700_000_000_000 }]);
    else if (/errorCode$/i.test(key) && typeof v === 'number') out[key] = 0;
    else out[key] = forClient(v);
  }
  return out;
}

/**
 * Versions where platformatic 1.35 departs from Kafka's JSON schemas: `skip`
 * when it cannot parse Kafka's layout at all, `tail` when only the end differs
 * (the fields it reads are still compared).
 */
const KNOWN_PLATFORMATIC_BUGS: Record<string, 'skip' | 'tail'> = {
  // Reads config_type and documentation, which DescribeConfigsResponse.json has only from v3.
  'DescribeConfigsResponse v2': 'skip',
  // Reads each member's subscribed_topic_names ([]string) as a single string.
  'ConsumerGroupDescribeResponse v0': 'skip',
  // Does not read the assignment struct's own tagged-field section.
  'ConsumerGroupHeartbeatResponse v0': 'tail',
  'ConsumerGroupHeartbeatResponse v1': 'tail',
  // Reads each partition's partition before its error_code: Kafka's order is error_code, then partition.
  'OffsetForLeaderEpochResponse v4': 'skip',
  // Reads cluster_authorized_operations (int32, v8-10) as a one-byte boolean.
  'MetadataResponse v9': 'tail',
  'MetadataResponse v10': 'tail',
  // Its describeClientQuotasV0 is v1: it asks for v1 and reads the flexible layout.
  'DescribeClientQuotasResponse v0': 'skip',
};

/** platformatic returns some old versions in the shape of a newer one; this maps them back to Kafka's names. */
const RESHAPE: Record<string, (parsed: Message) => Message> = {
  // v4 batches results per transaction; v3 and below answer for one, as results_by_topic_v3_and_below.
  'AddPartitionsToTxnResponse v3': (p) => ({ ...p, resultsByTopicV3AndBelow: p.resultsByTransaction[0].topicResults }),
};

test('every response version @platformatic/kafka parses reads back the values we encoded', () => {
  let versionsChecked = 0;
  for (const schema of RESPONSES) {
    for (let v = schema.versions.min; v <= schema.versions.max; v++) {
      const api = apiFor(schema.name, v);
      if (!api?.parseResponse) continue;
      const known = KNOWN_PLATFORMATIC_BUGS[`${schema.name} v${v}`];
      if (known === 'skip') continue;
      // No tagged fields: platformatic 1.x skips a tagged section as if its count were a byte length.
      const sample = forClient(new SampleBuilder('filled', { tagged: false }).message(schema, v)) as Message;
      const bytes = new MessageCodec(schema).encode(new Writer(), sample, v).toBuffer();
      const reader = platformatic.Reader.from(bytes);
      let parsed: unknown;
      try {
        parsed = api.parseResponse(0, schema.apiKey, v, reader);
      } catch (err) {
        // It reports per-record error messages as errors, with the parsed response attached.
        if (!(err instanceof platformatic.ResponseError)) throw err;
        parsed = (err as unknown as { response: unknown }).response;
      }
      if (known !== 'tail') {
        // Some platformatic parsers stop before the body's final tagged-field section; all else must be consumed.
        const flexibleTail = v >= schema.flexibleFrom && reader.position < bytes.length;
        const rest = flexibleTail ? skipTaggedSection(bytes, reader.position) : reader.position;
        assert.equal(rest, bytes.length, `${schema.name} v${v}: platformatic left ${bytes.length - reader.position} bytes unread`);
      }
      const reshape = RESHAPE[`${schema.name} v${v}`] ?? ((p: Message) => p);
      const compared = compareFields(schema.fields, v, sample, reshape(parsed as Message), `${schema.name} v${v}`);
      assert.ok(compared >= 2, `${schema.name} v${v}: only ${compared} values in common`);
      versionsChecked++;
    }
  }
  assert.ok(versionsChecked >= 40, `checked ${versionsChecked} response versions`);
});

/** Decodes bytes platformatic built with our schema and checks every byte was consumed. */
function decodeTheirs(schema: MessageSchema, version: number, writer: { buffer: Buffer }): Message {
  const bytes = writer.buffer;
  const r = new Reader(bytes);
  const msg = new MessageCodec(schema).decode(r, version);
  assert.equal(r.offset, bytes.length, `${schema.name} v${version}: ${bytes.length - r.offset} bytes left unread`);
  return msg;
}

type Create = (...args: unknown[]) => { buffer: Buffer };
const create = (name: string, version: number): Create => {
  const fn = apiFor(name, version)?.createRequest;
  assert.ok(fn, `platformatic has no ${name} v${version}`);
  return fn as unknown as Create;
};

test('requests built by @platformatic/kafka decode to what it was given', () => {
  const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  const idBytes = Buffer.from(id.replace(/-/g, ''), 'hex');

  let m = decodeTheirs(ApiVersionsRequest, 3, create('ApiVersionsRequest', 3)('sluice-test', '9.9.9'));
  assert.deepEqual(m, { clientSoftwareName: 'sluice-test', clientSoftwareVersion: '9.9.9' });

  // Not v11: platformatic 1.35 still writes include_cluster_authorized_operations there, a field Kafka's
  // MetadataRequest.json keeps to versions 8-10, so its v11 request carries one byte too many.
  for (const v of [9, 10, 12]) {
    m = decodeTheirs(MetadataRequest, v, create('MetadataRequest', v)(['orders', 'users'], true, true));
    assert.deepEqual(m.topics.map((t: Message) => t.name), ['orders', 'users'], `metadata v${v}`);
    assert.equal(m.allowAutoTopicCreation, true);
    assert.equal(m.includeTopicAuthorizedOperations, true);
    assert.equal(decodeTheirs(MetadataRequest, v, create('MetadataRequest', v)(null)).topics, null, `metadata v${v} all topics`);
  }

  for (const v of [7, 8, 9]) {
    const records = [{ topic: 'orders', partition: 2, key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000n }];
    m = decodeTheirs(ProduceRequest, v, create('ProduceRequest', v)(-1, 1500, records, { compression: 'lz4' }));
    assert.equal(m.acks, -1);
    assert.equal(m.timeoutMs, 1500);
    assert.equal(m.transactionalId, null);
    assert.equal(m.topicData[0].name, 'orders');
    assert.equal(m.topicData[0].partitionData[0].index, 2);
    const batch = decodeBatch(m.topicData[0].partitionData[0].records);
    assert.deepEqual(batch.records[0].value, Buffer.from('v1'), `produce v${v} carries an lz4 batch we can read`);
  }

  const fetchTopics = [{ topicId: id, partitions: [{ partition: 3, currentLeaderEpoch: 4, fetchOffset: 500n, lastFetchedEpoch: 2, partitionMaxBytes: 1048576 }] }];
  m = decodeTheirs(FetchRequest, 13, create('FetchRequest', 13)(250, 1, 52428800, 1, 7, 8, fetchTopics, [], 'rack-a'));
  assert.equal(m.replicaId, -1);
  assert.equal(m.maxWaitMs, 250);
  assert.equal(m.maxBytes, 52428800);
  assert.equal(m.isolationLevel, 1);
  assert.equal(m.sessionId, 7);
  assert.equal(m.sessionEpoch, 8);
  assert.deepEqual(m.topics[0].topicId, idBytes);
  assert.deepEqual(m.topics[0].partitions[0], { partition: 3, currentLeaderEpoch: 4, fetchOffset: 500, lastFetchedEpoch: 2, logStartOffset: -1, partitionMaxBytes: 1048576 });
  assert.equal(m.rackId, 'rack-a');

  m = decodeTheirs(FindCoordinatorRequest, 4, create('FindCoordinatorRequest', 4)(1, ['txn-1', 'txn-2']));
  assert.deepEqual({ keyType: m.keyType, coordinatorKeys: m.coordinatorKeys }, { keyType: 1, coordinatorKeys: ['txn-1', 'txn-2'] });

  for (const v of [6, 7]) {
    const protocols = [{ name: 'range', metadata: Buffer.from([0, 1, 2]) }];
    m = decodeTheirs(JoinGroupRequest, v, create('JoinGroupRequest', v)('g1', 10000, 30000, 'm-1', 'static-1', 'consumer', protocols));
    assert.deepEqual(
      { ...m, protocols: m.protocols },
      { groupId: 'g1', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 30000, memberId: 'm-1', groupInstanceId: 'static-1', protocolType: 'consumer', protocols },
      `join group v${v}`,
    );
  }

  m = decodeTheirs(SyncGroupRequest, 4, create('SyncGroupRequest', 4)('g1', 5, 'm-1', null, 'consumer', 'range', [{ memberId: 'm-1', assignment: Buffer.from([9]) }]));
  assert.deepEqual(m, { groupId: 'g1', generationId: 5, memberId: 'm-1', groupInstanceId: null, assignments: [{ memberId: 'm-1', assignment: Buffer.from([9]) }] });

  m = decodeTheirs(HeartbeatRequest, 4, create('HeartbeatRequest', 4)('g1', 5, 'm-1', 'static-1'));
  assert.deepEqual(m, { groupId: 'g1', generationId: 5, memberId: 'm-1', groupInstanceId: 'static-1' });

  const commitTopics = [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 77n, committedLeaderEpoch: 3, committedMetadata: 'meta' }] }];
  m = decodeTheirs(OffsetCommitRequest, 8, create('OffsetCommitRequest', 8)('g1', 5, 'm-1', null, commitTopics));
  assert.equal(m.generationIdOrMemberEpoch, 5);
  assert.deepEqual(m.topics[0].partitions[0], { partitionIndex: 1, committedOffset: 77, committedLeaderEpoch: 3, commitTimestamp: -1, committedMetadata: 'meta' });

  m = decodeTheirs(OffsetFetchRequest, 8, create('OffsetFetchRequest', 8)([{ groupId: 'g1', memberEpoch: -1, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }], true));
  // Member id and epoch exist from v9 (KIP-848); v8 decodes them to their defaults.
  assert.deepEqual(m.groups, [{ groupId: 'g1', memberId: '', memberEpoch: -1, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }]);
  assert.equal(m.requireStable, true);
  m = decodeTheirs(OffsetFetchRequest, 9, create('OffsetFetchRequest', 9)([{ groupId: 'g1', memberId: 'm-1', memberEpoch: 4, topics: null }], false));
  assert.deepEqual(m.groups, [{ groupId: 'g1', memberId: 'm-1', memberEpoch: 4, topics: null }]);

  const owned = [{ topicId: '0123456789abcdef0123456789abcdef'.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'), partitions: [0, 2] }];
  m = decodeTheirs(ConsumerGroupHeartbeatRequest, 1, create('ConsumerGroupHeartbeatRequest', 1)('g1', 'm-1', 3, 'static-1', null, 45000, ['orders'], 'ord.*', 'uniform', owned));
  assert.deepEqual(
    { ...m, topicPartitions: m.topicPartitions.map((t: Message) => ({ ...t, topicId: t.topicId.toString('hex') })) },
    {
      groupId: 'g1',
      memberId: 'm-1',
      memberEpoch: 3,
      instanceId: 'static-1',
      rackId: null,
      rebalanceTimeoutMs: 45000,
      subscribedTopicNames: ['orders'],
      subscribedTopicRegex: 'ord.*',
      serverAssignor: 'uniform',
      topicPartitions: [{ topicId: '0123456789abcdef0123456789abcdef', partitions: [0, 2] }],
    },
  );

  for (const v of [6, 7]) {
    m = decodeTheirs(ListOffsetsRequest, v, create('ListOffsetsRequest', v)(-1, 1, [{ name: 'orders', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 2, timestamp: -2n }] }]));
    assert.equal(m.isolationLevel, 1, `list offsets v${v}`);
    assert.deepEqual(m.topics[0].partitions[0], { partitionIndex: 0, currentLeaderEpoch: 2, timestamp: -2, maxNumOffsets: 1 });
  }

  for (const v of [3, 4]) {
    m = decodeTheirs(InitProducerIdRequest, v, create('InitProducerIdRequest', v)('txn-1', 60000, 1234n, 5));
    assert.deepEqual(m, { transactionalId: 'txn-1', transactionTimeoutMs: 60000, producerId: 1234, producerEpoch: 5 }, `init producer id v${v}`);
  }

  m = decodeTheirs(AddOffsetsToTxnRequest, 3, create('AddOffsetsToTxnRequest', 3)('txn-1', 1234n, 5, 'g1'));
  assert.deepEqual(m, { transactionalId: 'txn-1', producerId: 1234, producerEpoch: 5, groupId: 'g1' });
});
