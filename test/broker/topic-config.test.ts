// The topic configs the produce path reads (src/broker/topic-config.ts): their
// validation, and how the timestamp bounds and the compression target are
// resolved from what a topic sets, with Kafka's defaults for the rest.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type TopicConfigs, compressionTypeOf, timestampBounds, validateTopicConfigs } from '../../src/broker/topic-config.js';
import { Codec } from '../../src/protocol/record-batch.js';

test('the timestamp and compression configs accept Kafka ranges and refuse the rest', () => {
  for (const ok of <TopicConfigs[]>[
    { 'message.timestamp.before.max.ms': '9223372036854775807' },
    { 'message.timestamp.after.max.ms': '0' },
    { 'message.timestamp.difference.max.ms': '60000' },
    { 'compression.type': 'uncompressed' },
    { 'compression.gzip.level': '-1' },
    { 'compression.lz4.level': '17' },
    { 'compression.zstd.level': '-131072' },
  ]) {
    assert.equal(validateTopicConfigs(ok), null, JSON.stringify(ok));
  }
  for (const bad of <TopicConfigs[]>[
    { 'message.timestamp.before.max.ms': '9223372036854775808' },
    { 'message.timestamp.after.max.ms': '-1' },
    { 'compression.type': 'none' },
    { 'compression.gzip.level': '0' },
    { 'compression.lz4.level': '18' },
    { 'compression.zstd.level': '23' },
  ]) {
    assert.match(validateTopicConfigs(bad) ?? '', /must be/, JSON.stringify(bad));
  }
});

test('timestampBounds: before is off and after is 1 hour by default; difference.max.ms stands in for an unset side; LogAppendTime has none', () => {
  assert.deepEqual(timestampBounds({}), { beforeMs: Infinity, afterMs: 3_600_000 });
  assert.equal(timestampBounds({ 'message.timestamp.after.max.ms': '9223372036854775807' }), null, 'both off: nothing to check');
  assert.deepEqual(timestampBounds({ 'message.timestamp.difference.max.ms': '5000' }), { beforeMs: 5000, afterMs: 5000 });
  assert.deepEqual(timestampBounds({ 'message.timestamp.difference.max.ms': '5000', 'message.timestamp.after.max.ms': '7000' }), { beforeMs: 5000, afterMs: 7000 });
  assert.equal(timestampBounds({ 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.before.max.ms': '1' }), null);
});

test('compressionTypeOf: producer keeps the codec; the others name the target and, for gzip and zstd, its level', () => {
  assert.equal(compressionTypeOf({}), null);
  assert.equal(compressionTypeOf({ 'compression.type': 'producer' }), null);
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'uncompressed' }), { codec: Codec.None });
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'lz4', 'compression.lz4.level': '3' }), { codec: Codec.Lz4 });
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'gzip' }), { codec: Codec.Gzip, level: -1 });
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'zstd', 'compression.zstd.level': '19' }), { codec: Codec.Zstd, level: 19 });
});
