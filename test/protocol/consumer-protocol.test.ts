// The consumer embedded protocol. Encodings are checked byte for byte against
// a layout written out by hand and against kafkajs's independent
// implementation (AssignerProtocol), both ways.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js';

const { AssignerProtocol } = kafkajs;

const int16 = (v: number) => Buffer.from([(v >> 8) & 0xff, v & 0xff]);
const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const str = (s: string) => Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);

test('a v1 subscription is version, topics, user data, owned partitions, in classic encoding', () => {
  const bytes = encodeSubscription({ version: 1, topics: ['a', 'bc'], userData: null, ownedPartitions: [{ topic: 'a', partitions: [2, 0] }] });
  const expected = Buffer.concat([int16(1), int32(2), str('a'), str('bc'), int32(-1), int32(1), str('a'), int32(2), int32(2), int32(0)]);
  assert.deepEqual(bytes, expected);
  assert.deepEqual(decodeSubscription(bytes), { version: 1, topics: ['a', 'bc'], userData: null, ownedPartitions: [{ topic: 'a', partitions: [2, 0] }] });
});

test('v0 has no owned partitions; fields a later version appends are ignored', () => {
  const v0 = encodeSubscription({ version: 0, topics: ['t'], userData: Buffer.from('u'), ownedPartitions: [{ topic: 't', partitions: [1] }] });
  assert.deepEqual(v0, Buffer.concat([int16(0), int32(1), str('t'), int32(1), Buffer.from('u')]));
  assert.deepEqual(decodeSubscription(v0), { version: 0, topics: ['t'], userData: Buffer.from('u'), ownedPartitions: [] });
  // v3: ... owned partitions, generation id int32, rack id string.
  const v3 = Buffer.concat([int16(3), int32(1), str('t'), int32(-1), int32(0), int32(7), str('rack-1')]);
  assert.deepEqual(decodeSubscription(v3), { version: 3, topics: ['t'], userData: null, ownedPartitions: [] });
});

test('subscriptions and assignments read what kafkajs writes, and kafkajs reads ours', () => {
  const theirs = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['orders', 'audit'], userData: Buffer.from('x') });
  assert.deepEqual(decodeSubscription(theirs), { version: 0, topics: ['orders', 'audit'], userData: Buffer.from('x'), ownedPartitions: [] });
  const ours = encodeSubscription({ version: 1, topics: ['orders'], userData: null, ownedPartitions: [] });
  assert.deepEqual(AssignerProtocol.MemberMetadata.decode(ours)?.topics, ['orders']);

  const theirAssignment = AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2], audit: [1] }, userData: Buffer.alloc(0) });
  assert.deepEqual(decodeAssignment(theirAssignment), {
    version: 0,
    partitions: [
      { topic: 'orders', partitions: [0, 2] },
      { topic: 'audit', partitions: [1] },
    ],
    userData: Buffer.alloc(0),
  });
  const ourAssignment = encodeAssignment({ version: 0, partitions: [{ topic: 'orders', partitions: [3, 4] }], userData: null });
  assert.deepEqual(AssignerProtocol.MemberAssignment.decode(ourAssignment)?.assignment, { orders: [3, 4] });
});

test('an empty buffer is an empty assignment; truncated bytes throw', () => {
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), { version: 0, partitions: [], userData: null });
  const whole = encodeAssignment({ version: 0, partitions: [{ topic: 'orders', partitions: [1, 2, 3] }], userData: null });
  assert.throws(() => decodeAssignment(whole.subarray(0, whole.length - 8)), /needs|cannot fit/);
  // A count far larger than the bytes left is refused before anything is allocated.
  assert.throws(() => decodeSubscription(Buffer.concat([int16(0), int32(1_000_000_000)])), /cannot fit/);
});
