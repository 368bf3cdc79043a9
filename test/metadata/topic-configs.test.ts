// The topic config table: validators at their edges, and how a topic's
// overrides and the broker's defaults become the LogConfig of its partitions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config.js';
import { BrokerConfigs } from '../../src/metadata/broker-configs.js';
import type { ConfigMap } from '../../src/metadata/config-def.js';
import { logConfigFor, validateTopicConfigs } from '../../src/metadata/topic-configs.js';

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
