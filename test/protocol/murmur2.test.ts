// Proves murmur2 and partitionForKey place keys exactly where the Java client,
// kafkajs and @platformatic/kafka do. The kafkajs and platformatic hashes are
// separate implementations used here only as oracles.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { murmur2 as platformaticMurmur2 } from '@platformatic/kafka';
import { murmur2, partitionForKey } from '../../src/protocol/murmur2.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
const kafkajsPartitioner = require('kafkajs/src/producer/partitioners/default/index.js') as () => (args: {
  topic: string;
  partitionMetadata: { partitionId: number; leader: number }[];
  message: { key: Buffer };
}) => number;

test('murmur2 matches the values in Kafka UtilsTest.testMurmur2', () => {
  const cases: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [key, hash] of cases) assert.equal(murmur2(Buffer.from(key)), hash, key);
});

test('murmur2 agrees with kafkajs and @platformatic/kafka for every tail length and random keys', () => {
  const keys: Buffer[] = [Buffer.alloc(0), Buffer.from([0xff]), Buffer.from([0x80, 0x81]), Buffer.from([0xff, 0xfe, 0xfd])];
  for (let len = 0; len < 40; len++) keys.push(randomBytes(len));
  for (let i = 0; i < 200; i++) keys.push(randomBytes(1 + (i % 300)));
  for (const key of keys) {
    const expected = kafkajsMurmur2(key);
    assert.equal(murmur2(key), expected, `kafkajs, key ${key.toString('hex')}`);
    assert.equal(murmur2(key), platformaticMurmur2(key, false), `platformatic, key ${key.toString('hex')}`);
  }
});

test('partitionForKey matches the kafkajs default partitioner', () => {
  const partition = kafkajsPartitioner();
  for (const numPartitions of [1, 3, 7, 12, 100]) {
    const partitionMetadata = Array.from({ length: numPartitions }, (_, i) => ({ partitionId: i, leader: 0 }));
    for (let i = 0; i < 100; i++) {
      const key = randomBytes(1 + (i % 50));
      const expected = partition({ topic: 't', partitionMetadata, message: { key } });
      assert.equal(partitionForKey(key, numPartitions), expected, `key ${key.toString('hex')} over ${numPartitions}`);
    }
  }
});

test('partitionForKey masks the sign bit instead of taking the absolute value', () => {
  // "foobar" hashes negative: -790332482 & 0x7fffffff = 1357151166, while Math.abs gives 790332482.
  const key = Buffer.from('foobar');
  assert.equal(partitionForKey(key, 1000), 1357151166 % 1000);
  assert.notEqual(partitionForKey(key, 1000), 790332482 % 1000);
});

test('partitionForKey rejects a partition count that is not a positive integer', () => {
  for (const n of [0, -1, 1.5, Number.NaN]) assert.throws(() => partitionForKey(Buffer.from('k'), n), RangeError);
});
