// The ACL messages' byte layouts worked out by hand from Kafka's message
// definitions: v1 with int16-length strings and int32 counts, v2 (flexible)
// with compact strings, compact counts and tagged-field sections; a null
// filter field as length -1 (v1) or 0 (v2). codec.test.ts round-trips every
// version of every field.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Message, MessageCodec } from '../../src/protocol/codec.js';
import { CreateAclsRequest, DescribeAclsRequest } from '../../src/protocol/messages/acls.js';
import { Reader } from '../../src/protocol/reader.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
const encode = (schema: MessageSchema, msg: Message, v: number) => new MessageCodec(schema).encode(new Writer(), msg, v).toBuffer();
const decode = (schema: MessageSchema, buf: Buffer, v: number) => new MessageCodec(schema).decode(new Reader(buf), v);

test('CreateAclsRequest: one creation at v1 and at v2 (flexible)', () => {
  const msg = { creations: [{ resourceType: 2, resourceName: 't', resourcePatternType: 4, principal: 'User:a', host: '*', operation: 4, permissionType: 3 }] };
  // count | type | name | pattern | principal | host | operation | permission
  const v1 = hex('00000001 | 02 | 0001 74 | 04 | 0006 557365723a61 | 0001 2a | 04 | 03');
  assert.deepEqual(encode(CreateAclsRequest, msg, 1), v1);
  assert.deepEqual(decode(CreateAclsRequest, v1, 1), msg);
  // compact: counts and lengths are uvarint(n + 1); the struct and the body each end with empty tagged fields
  const v2 = hex('02 | 02 | 02 74 | 04 | 07 557365723a61 | 02 2a | 04 | 03 | 00 | 00');
  assert.deepEqual(encode(CreateAclsRequest, msg, 2), v2);
  assert.deepEqual(decode(CreateAclsRequest, v2, 2), msg);
});

test('DescribeAclsRequest: null name, principal and host filters at v1 and v3', () => {
  const msg = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
  const v1 = hex('01 | ffff | 01 | ffff | ffff | 01 | 01');
  assert.deepEqual(encode(DescribeAclsRequest, msg, 1), v1);
  assert.deepEqual(decode(DescribeAclsRequest, v1, 1), msg);
  const v3 = hex('01 | 00 | 01 | 00 | 00 | 01 | 01 | 00');
  assert.deepEqual(encode(DescribeAclsRequest, msg, 3), v3);
  assert.deepEqual(decode(DescribeAclsRequest, v3, 3), msg);
});
