// The topic config table: validators at their edges, and how a topic's
// overrides and the broker's defaults become the LogConfig of its partitions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config.js';
import { BrokerConfigs } from '../../src/metadata/broker-configs.js';
import type { ConfigMap } from '../../src/metadata/config-def.js';
import { type TopicConfigs, compressionTypeOf, logConfigFor, timestampBounds, validateTopicConfigs } from '../../src/metadata/topic-configs.js';
import { Codec } from '../../src/protocol/record-batch.js';

function brokerWith(options: Parameters<typeof resolveConfig>[0] = {}, dynamic: Record<string, ConfigMap> = {}): BrokerConfigs {
  return new BrokerConfigs(resolveConfig(options), { brokerConfigs: (scope) => dynamic[scope] ?? {} });
}

test('validators accept Kafka ranges at their edges and refuse one past them', () => {
  const ok = (name: string, value: string) => assert.equal(validateTopicConfigs({ [name]: value }), null, `${name}=${value}`);
  const refused = (name: string, value: string) => assert.match(validateTopicConfigs({ [name]: value }) ?? '', new RegExp(name.replace(/\./g, '\\.')), `${name}=${value}`);
  ok('max.compaction.lag.ms', '9223372036854775807');
  refused('max.compaction.lag.ms', '9223372036854775808');
  refused('max.compaction.lag.ms', '0');
  ok('retention.ms', '-1');
  refused('retention.ms', '-2');
  ok('local.retention.ms', '-2');
  ok('compression.gzip.level', '-1');
  refused('compression.gzip.level', '0');
  ok('compression.zstd.level', '-131072');
  refused('max.message.bytes', '2147483648');
  ok('min.cleanable.dirty.ratio', '0');
  refused('min.cleanable.dirty.ratio', 'half');
  ok('preallocate', 'TRUE');
  ok('leader.replication.throttled.replicas', '0:1,1:0');
  refused('leader.replication.throttled.replicas', '0-1');
  ok('cleanup.policy', 'compact, delete');
  refused('remote.storage.enable', 'true');
  assert.equal(validateTopicConfigs({ 'message.format.version': '3.0' }), 'unknown topic config "message.format.version"', 'removed in Kafka 4');
});

test('logConfigFor: topic overrides beat dynamic broker configs, which beat start-up options', () => {
  const broker = brokerWith({ retentionMs: 1000, segmentBytes: 4096 }, { '': { 'log.retention.ms': '2000' }, '0': { 'log.segment.bytes': '8192' } });
  const plain = logConfigFor({}, broker);
  assert.deepEqual([plain.retentionMs, plain.segmentBytes, plain.indexIntervalBytes], [2000, 8192, 4096]);
  const own = logConfigFor({ 'retention.ms': '3000', 'segment.bytes': '2048', 'index.interval.bytes': '512' }, broker);
  assert.deepEqual([own.retentionMs, own.segmentBytes, own.indexIntervalBytes], [3000, 2048, 512]);
  assert.equal(logConfigFor({ 'cleanup.policy': 'compact' }, broker).retentionMs, -1, 'compact alone never deletes by age');
  assert.equal(logConfigFor({}, brokerWith({}, { '': { 'log.cleanup.policy': 'compact' } })).retentionBytes, -1, 'nor when the broker default says so');
});

test('logConfigFor: flush.messages=1 and flush.ms=0 select group-commit, another flush.ms the interval policy, unless flush.policy is set', () => {
  const broker = brokerWith({ flushPolicy: 'os' });
  const flush = (configs: ConfigMap) => {
    const c = logConfigFor(configs, broker);
    return [c.flushPolicy, c.flushIntervalMs];
  };
  assert.deepEqual(flush({}), ['os', 1000]);
  assert.deepEqual(flush({ 'flush.messages': '1' }), ['group-commit', 1000]);
  assert.deepEqual(flush({ 'flush.ms': '0' }), ['group-commit', 1000]);
  assert.deepEqual(flush({ 'flush.ms': '250' }), ['interval', 250]);
  assert.deepEqual(flush({ 'flush.ms': '99999999999' }), ['interval', 2 ** 31 - 1], 'a timer cannot wait longer');
  assert.deepEqual(flush({ 'flush.messages': '100' }), ['os', 1000], 'other flush.messages values have no effect');
  assert.deepEqual(flush({ 'flush.ms': '250', 'flush.policy': 'os' }), ['os', 1000]);
  assert.deepEqual(flush({ 'flush.policy': 'interval', 'flush.interval.ms': '50' }), ['interval', 50]);
});

/** The defaults of a broker started with no options. */
const defaults = brokerWith();

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
  assert.deepEqual(timestampBounds({}, defaults), { beforeMs: Infinity, afterMs: 3_600_000 });
  assert.equal(timestampBounds({ 'message.timestamp.after.max.ms': '9223372036854775807' }, defaults), null, 'both off: nothing to check');
  assert.deepEqual(timestampBounds({ 'message.timestamp.difference.max.ms': '5000' }, defaults), { beforeMs: 5000, afterMs: 5000 });
  assert.deepEqual(timestampBounds({ 'message.timestamp.difference.max.ms': '5000', 'message.timestamp.after.max.ms': '7000' }, defaults), { beforeMs: 5000, afterMs: 7000 });
  assert.equal(timestampBounds({ 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.before.max.ms': '1' }, defaults), null);
});

test('compressionTypeOf: producer keeps the codec; the others name the target and, for gzip and zstd, its level', () => {
  assert.equal(compressionTypeOf({}, defaults), null);
  assert.equal(compressionTypeOf({ 'compression.type': 'producer' }, defaults), null);
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'uncompressed' }, defaults), { codec: Codec.None });
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'lz4', 'compression.lz4.level': '3' }, defaults), { codec: Codec.Lz4 });
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'gzip' }, defaults), { codec: Codec.Gzip, level: -1 });
  assert.deepEqual(compressionTypeOf({ 'compression.type': 'zstd', 'compression.zstd.level': '19' }, defaults), { codec: Codec.Zstd, level: 19 });
});
