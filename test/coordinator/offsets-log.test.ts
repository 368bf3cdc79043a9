// The __consumer_offsets record layouts (Kafka's OffsetCommitKey v1 /
// OffsetCommitValue v3 / GroupMetadataKey v2 / GroupMetadataValue v3), byte
// for byte where the layout is short enough to spell out, and Kafka's rule for
// which partition holds a group.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeOffsetsRecord,
  groupMetadataKey,
  groupMetadataValue,
  offsetCommitKey,
  offsetCommitValue,
  offsetsPartitionFor,
  type StoredGroup,
} from '../../src/coordinator/group/offsets-log.js';

test('OffsetCommitKey v1 is version, group, topic, partition', () => {
  assert.deepEqual(
    offsetCommitKey('g', 'tp', 7),
    Buffer.from([0, 1, /* group */ 0, 1, 0x67, /* topic */ 0, 2, 0x74, 0x70, /* partition */ 0, 0, 0, 7]),
  );
});

test('OffsetCommitValue v3 is version, offset, leader epoch, metadata, commit timestamp', () => {
  const value = offsetCommitValue({ offset: 258, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1000 });
  assert.deepEqual(
    value,
    Buffer.from([0, 3, /* offset */ 0, 0, 0, 0, 0, 0, 1, 2, /* epoch */ 0, 0, 0, 3, /* metadata */ 0, 1, 0x6d, /* ts */ 0, 0, 0, 0, 0, 0, 3, 0xe8]),
  );
  assert.deepEqual(decodeOffsetsRecord(offsetCommitKey('g', 'tp', 7), value), {
    kind: 'offset',
    groupId: 'g',
    topic: 'tp',
    partition: 7,
    value: { offset: 258, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1000 },
  });
});

test('older OffsetCommitValue versions decode too (v1 with its expire timestamp)', () => {
  const v1 = Buffer.from([0, 1, /* offset */ 0, 0, 0, 0, 0, 0, 0, 9, /* metadata */ 0, 0, /* ts */ 0, 0, 0, 0, 0, 0, 0, 5, /* expire */ 0, 0, 0, 0, 0, 0, 0, 6]);
  const key = Buffer.from([0, 0, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 0]);
  assert.deepEqual(decodeOffsetsRecord(key, v1), {
    kind: 'offset',
    groupId: 'g',
    topic: 't',
    partition: 0,
    value: { offset: 9, leaderEpoch: -1, metadata: '', commitTimestamp: 5 },
  });
});

test('GroupMetadata key and value round-trip, members included; null values are tombstones', () => {
  const group: StoredGroup = {
    protocolType: 'consumer',
    generationId: 4,
    protocolName: 'range',
    leaderId: 'm-1',
    currentStateTimestamp: 1234,
    members: [
      {
        memberId: 'm-1',
        groupInstanceId: 'instance-1',
        clientId: 'c',
        clientHost: '/127.0.0.1',
        rebalanceTimeoutMs: 60000,
        sessionTimeoutMs: 10000,
        subscription: Buffer.from('sub'),
        assignment: Buffer.from('asg'),
      },
    ],
  };
  assert.deepEqual(groupMetadataKey('g'), Buffer.from([0, 2, 0, 1, 0x67]));
  const value = groupMetadataValue(group);
  assert.equal(value.readInt16BE(0), 3);
  assert.deepEqual(decodeOffsetsRecord(groupMetadataKey('g'), value), { kind: 'group', groupId: 'g', value: group });
  assert.deepEqual(decodeOffsetsRecord(groupMetadataKey('g'), null), { kind: 'group', groupId: 'g', value: null });
  assert.deepEqual(decodeOffsetsRecord(offsetCommitKey('g', 't', 1), null), { kind: 'offset', groupId: 'g', topic: 't', partition: 1, value: null });
});

test('records with key versions this broker does not know are skipped', () => {
  assert.equal(decodeOffsetsRecord(Buffer.from([0, 9, 0, 0]), null), null);
});

test("a group's partition is abs(Java String.hashCode) mod N, with Kafka's abs(MIN_VALUE) = 0", () => {
  // "hello".hashCode() == 99162322 in Java.
  assert.equal(offsetsPartitionFor('hello', 50), 99162322 % 50);
  assert.equal(offsetsPartitionFor('hello', 7), 99162322 % 7);
  // "polygenelubricants".hashCode() == Integer.MIN_VALUE.
  assert.equal(offsetsPartitionFor('polygenelubricants', 50), 0);
  // Negative hashes: "my-group".hashCode() == -1906497762.
  assert.equal(offsetsPartitionFor('my-group', 50), 1906497762 % 50);
  assert.equal(offsetsPartitionFor('', 50), 0);
});
