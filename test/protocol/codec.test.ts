// Proves the schema codec: every message in src/protocol/messages round-trips
// at every version with every field filled (and with every nullable field
// null); fields absent from a version are neither written nor read; a few
// messages match byte layouts worked out by hand from the Kafka protocol
// guide; and hostile frames (truncation, huge counts) fail with
// MalformedFrameError before anything is allocated.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { type Message, MessageCodec } from '../../src/protocol/codec.js';
import { MalformedFrameError } from '../../src/protocol/malformed-frame-error.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../../src/protocol/messages/api-versions.js';
import { CreateTopicsResponse } from '../../src/protocol/messages/create-topics.js';
import { DeleteTopicsRequest } from '../../src/protocol/messages/delete-topics.js';
import { ListGroupsRequest } from '../../src/protocol/messages/list-groups.js';
import { MetadataRequest } from '../../src/protocol/messages/metadata.js';
import { Reader } from '../../src/protocol/reader.js';
import { type MessageSchema, a, f, message } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';
import { SampleBuilder, type SampleMode, visible } from './schema-samples.js';

// Every schema exported by src/protocol/messages/*, so a new message is covered without editing this file.
const messagesDir = new URL('../../src/protocol/messages/', import.meta.url);
const SCHEMAS: MessageSchema[] = [];
for (const file of readdirSync(messagesDir).filter((name) => name.endsWith('.js')).sort()) {
  const mod = (await import(new URL(file, messagesDir).href)) as Record<string, unknown>;
  for (const value of Object.values(mod)) {
    if (typeof value === 'object' && value !== null && 'apiKey' in value && 'fields' in value) SCHEMAS.push(value as MessageSchema);
  }
}

function* versions(schema: MessageSchema): Generator<number> {
  for (let v = schema.versions.min; v <= schema.versions.max; v++) yield v;
}

function encode(schema: MessageSchema, msg: Message, version: number): Buffer {
  return new MessageCodec(schema).encode(new Writer(), msg, version).toBuffer();
}

/** Decodes and checks that the whole buffer was consumed. */
function decode(schema: MessageSchema, buf: Buffer, version: number): Message {
  const r = new Reader(buf);
  const msg = new MessageCodec(schema).decode(r, version);
  assert.equal(r.offset, buf.length, `${schema.name} v${version}: ${buf.length - r.offset} bytes left unread`);
  return msg;
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');

test('the message directory yields both directions of every API', () => {
  assert.ok(SCHEMAS.length >= 58, `found ${SCHEMAS.length} schemas`);
  for (const schema of SCHEMAS) assert.ok(Number.isFinite(schema.versions.max), `${schema.name} has a finite version range`);
});

for (const mode of ['filled', 'nulls'] as SampleMode[]) {
  test(`every message round-trips at every version (${mode})`, () => {
    for (const schema of SCHEMAS) {
      for (const v of versions(schema)) {
        const sample = new SampleBuilder(mode).message(schema, v);
        assert.deepEqual(decode(schema, encode(schema, sample, v), v), sample, `${schema.name} v${v}`);
      }
    }
  });
}

test('fields absent from a version are not written, and decode to their defaults', () => {
  for (const schema of SCHEMAS) {
    for (const v of versions(schema)) {
      const everything = new SampleBuilder('everything').message(schema, v);
      const expected = visible(schema, v, everything);
      const bytes = encode(schema, everything, v);
      assert.deepEqual(bytes, encode(schema, expected, v), `${schema.name} v${v}: extra fields changed the bytes`);
      assert.deepEqual(decode(schema, bytes, v), expected, `${schema.name} v${v}`);
    }
  }
});

test('every truncation of every message throws MalformedFrameError', () => {
  for (const schema of SCHEMAS) {
    for (const v of versions(schema)) {
      const bytes = encode(schema, new SampleBuilder('filled').message(schema, v), v);
      for (let len = 0; len < bytes.length; len++) {
        assert.throws(() => new MessageCodec(schema).decode(new Reader(bytes.subarray(0, len)), v), MalformedFrameError, `${schema.name} v${v} cut at ${len}`);
      }
    }
  }
});

// ---- byte layouts worked out by hand --------------------------------------

test('ApiVersionsRequest: v0-2 are empty; v3 has compact strings and an empty tagged-field section', () => {
  const msg = { clientSoftwareName: 'sluice', clientSoftwareVersion: '0.1.0' };
  for (const v of [0, 1, 2]) assert.deepEqual(encode(ApiVersionsRequest, msg, v), Buffer.alloc(0));
  // compact string = uvarint(length + 1), bytes
  const v3 = hex('07 736c75696365 | 06 302e312e30 | 00');
  assert.deepEqual(encode(ApiVersionsRequest, msg, 3), v3);
  assert.deepEqual(decode(ApiVersionsRequest, v3, 3), msg);
});

test('ApiVersionsResponse: v0 int32 array, v1 adds throttle time, v3 compact array with tagged fields', () => {
  const keys = [
    { apiKey: 18, minVersion: 0, maxVersion: 3 },
    { apiKey: 3, minVersion: 0, maxVersion: 12 },
  ];
  const v0 = hex('0023 | 00000002 | 0012 0000 0003 | 0003 0000 000c');
  assert.deepEqual(encode(ApiVersionsResponse, { errorCode: 35, apiKeys: keys }, 0), v0);
  const v1 = hex('0000 | 00000002 | 0012 0000 0003 | 0003 0000 000c | 00000064');
  assert.deepEqual(encode(ApiVersionsResponse, { errorCode: 0, apiKeys: keys, throttleTimeMs: 100 }, 1), v1);

  // v3: each struct ends with its own (empty) tagged fields; the body's tagged fields come
  // last, sorted by tag: count 2 | tag 1, size 8, int64 5 | tag 3, size 1, true.
  const v3 = hex('0000 | 03 | 0012 0000 0003 00 | 0003 0000 000c 00 | 00000064 | 02 | 01 08 0000000000000005 | 03 01 01');
  const msg = {
    errorCode: 0,
    apiKeys: keys,
    throttleTimeMs: 100,
    supportedFeatures: [],
    finalizedFeaturesEpoch: 5,
    finalizedFeatures: [],
    zkMigrationReady: true,
  };
  assert.deepEqual(decode(ApiVersionsResponse, v3, 3), msg);
  assert.deepEqual(encode(ApiVersionsResponse, { errorCode: 0, apiKeys: keys, throttleTimeMs: 100, finalizedFeaturesEpoch: 5, zkMigrationReady: true }, 3), v3);
});

test('tagged fields holding their default are left off the wire, as Kafka does', () => {
  const defaults = { errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false };
  assert.deepEqual(encode(ApiVersionsResponse, defaults, 3), hex('0000 | 01 | 00000000 | 00'));
  // Inside a struct too: CreateTopicsResponse v5's topic_config_error_code (tag 0) of 0.
  const topic = { name: 't', errorCode: 0, errorMessage: null, topicConfigErrorCode: 0, numPartitions: 1, replicationFactor: 1, configs: null };
  const bytes = encode(CreateTopicsResponse, { throttleTimeMs: 0, topics: [topic] }, 5);
  assert.deepEqual(bytes, hex('00000000 | 02 | 02 74 0000 00 00000001 0001 00 | 00 | 00'));
  assert.deepEqual(decode(CreateTopicsResponse, bytes, 5).topics[0], { ...topic, topicId: Buffer.alloc(16) });
});

test('a tagged field the schema does not know is skipped', () => {
  // ApiVersionsResponse v3 with tag 7 (unknown), 3 bytes, before tag 3.
  const bytes = hex('0000 | 01 | 00000000 | 02 | 07 03 aabbcc | 03 01 01');
  assert.equal(decode(ApiVersionsResponse, bytes, 3).zkMigrationReady, true);
});

test('MetadataRequest: v0-v3 int32 arrays and int16 strings; null topics from v1', () => {
  const topics = [{ name: 'a' }, { name: 'bc' }];
  const body = hex('00000002 | 0001 61 | 0002 6263');
  for (const v of [0, 1, 2, 3]) assert.deepEqual(encode(MetadataRequest, { topics }, v), body, `v${v}`);
  assert.deepEqual(encode(MetadataRequest, { topics: null }, 1), hex('ffffffff'));
  assert.equal(decode(MetadataRequest, hex('ffffffff'), 1).topics, null);
  assert.throws(() => decode(MetadataRequest, hex('ffffffff'), 0), MalformedFrameError, 'null topics before v1');
  // v4 adds allow_auto_topic_creation.
  assert.deepEqual(encode(MetadataRequest, { topics, allowAutoTopicCreation: false }, 4), Buffer.concat([body, hex('00')]));
});

test('MetadataRequest: v9 is flexible, v10 adds topic ids, v11 drops the cluster operations flag', () => {
  const msg = { topics: [{ name: 'a' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true };
  // compact array (count + 1) | topic: compact string, tagged fields | three bools | tagged fields
  assert.deepEqual(encode(MetadataRequest, msg, 9), hex('02 | 02 61 00 | 00 01 01 | 00'));
  assert.deepEqual(encode(MetadataRequest, { ...msg, topics: null }, 9), hex('00 | 00 01 01 | 00'));

  const id = Buffer.alloc(16, 0x11);
  const v10 = { ...msg, topics: [{ topicId: id, name: null }] };
  const bytes10 = hex(`02 | ${id.toString('hex')} 00 00 | 00 01 01 | 00`);
  assert.deepEqual(encode(MetadataRequest, v10, 10), bytes10);
  assert.deepEqual(decode(MetadataRequest, bytes10, 10), v10);
  assert.deepEqual(encode(MetadataRequest, v10, 11), hex(`02 | ${id.toString('hex')} 00 00 | 00 01 | 00`));
});

// ---- hostile frames --------------------------------------------------------

/** Asserts MalformedFrameError and returns its message. */
function malformed(fn: () => unknown): string {
  let message = '';
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MalformedFrameError, `expected MalformedFrameError, got ${String(err)}`);
    message = err.message;
    return true;
  });
  return message;
}

const decodeRaw = (schema: MessageSchema, bytes: Buffer, v: number): Message => new MessageCodec(schema).decode(new Reader(bytes), v);

test('an array count of 2^31-1 is refused against the bytes left, in classic and compact encodings', () => {
  assert.match(malformed(() => decodeRaw(MetadataRequest, hex('7fffffff 0001 61'), 1)), /cannot fit/);
  // uvarint(2^31): 2^31 - 1 elements in compact form.
  assert.match(malformed(() => decodeRaw(MetadataRequest, hex('8080808008 02 61 00'), 9)), /cannot fit/);
  assert.match(malformed(() => decodeRaw(ApiVersionsResponse, hex('0000 7fffffff 0012'), 0)), /cannot fit/);
});

test('an array of elements that take no bytes cannot claim 2^31-1 of them', () => {
  // A struct whose only field starts in v5 encodes to nothing in v0; without the
  // count check this would loop two billion times.
  const schema = message(9999, 'EmptyElements', '0-5', 'none', [a('items', '0+', [f('x', 'int32', '5+')])]);
  assert.match(malformed(() => decodeRaw(schema, hex('7fffffff'), 0)), /cannot fit/);
});

test('a tagged-field count of 2^31-1 is refused', () => {
  // ApiVersionsRequest v3: two empty compact strings, then uvarint(2^31 - 1) tagged fields.
  malformed(() => decodeRaw(ApiVersionsRequest, hex('01 01 ffffffff07'), 3));
});

test('a tagged field longer than the frame is refused', () => {
  malformed(() => decodeRaw(ApiVersionsRequest, hex('01 01 01 05 7f 00'), 3));
});

test('lengths below -1, overlong varints and null in a non-nullable field are refused', () => {
  malformed(() => decodeRaw(ApiVersionsRequest, hex('01 01 808080808001'), 3)); // tag count varint of 6 bytes
  malformed(() => decodeRaw(MetadataRequest, hex('00000001 fffe'), 1)); // string length -2
  malformed(() => decodeRaw(MetadataRequest, hex('00000001 ffff'), 1)); // null topic name
  malformed(() => decodeRaw(MetadataRequest, hex('fffffffe'), 1)); // array length -2
  malformed(() => decodeRaw(MetadataRequest, hex('00000001 7fff 61'), 1)); // string of 32767 bytes, 1 present
});

test('a null element in an array of strings is refused (DeleteTopics topic names and ListGroups states filters holding one made their handlers throw)', () => {
  malformed(() => decodeRaw(DeleteTopicsRequest, hex('00000001 ffff 00007530'), 3)); // topicNames [null], timeoutMs
  assert.match(malformed(() => decodeRaw(DeleteTopicsRequest, hex('03 0261 00 00007530 00'), 4)), /topicNames\[1\] may not be null/); // compact topicNames ["a", null]
  assert.deepEqual(decodeRaw(DeleteTopicsRequest, hex('00000001 0001 61 00007530'), 3).topicNames, ['a']);
  malformed(() => decodeRaw(ListGroupsRequest, hex('02 00 00'), 4)); // compact statesFilter [null]
});

test('a tagged field in a schema version that is not flexible is neither written nor read', () => {
  // Tagged fields exist only in flexible versions (KIP-482); v0 here is not flexible.
  const schema = message(9998, 'TaggedLate', '0-1', '1+', [f('a', 'int32'), f('t', 'int32', '0+', { tag: 0 })]);
  const v0 = encode(schema, { a: 5, t: 7 }, 0);
  assert.deepEqual(v0, hex('00000005'));
  assert.deepEqual(decode(schema, v0, 0), { a: 5, t: 0 });
  assert.deepEqual(decode(schema, encode(schema, { a: 5, t: 7 }, 1), 1), { a: 5, t: 7 });
});
