// Where a broker config's value comes from, and so a topic's default: this
// broker's dynamic value, the cluster-wide dynamic default, the start-up
// option, the built-in default, in that order; and which changes are refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config.js';
import { BrokerConfigs, brokerConfigProblem } from '../../src/metadata/broker-configs.js';
import { ConfigSource, type ConfigMap } from '../../src/metadata/config-def.js';

function brokerWith(options: Parameters<typeof resolveConfig>[0], dynamic: Record<string, ConfigMap>): BrokerConfigs {
  return new BrokerConfigs(resolveConfig(options), { brokerConfigs: (scope) => dynamic[scope] ?? {} });
}

const chainOf = (described: { def: { name: string }; synonyms: { name: string; value: string; source: number }[] }[], name: string) =>
  described.find((d) => d.def.name === name)?.synonyms.map((s) => [s.name, s.value, s.source]);

test('a topic config takes the first of: topic override, this broker, cluster default, start-up option, built-in default', () => {
  const dynamic: Record<string, ConfigMap> = { '': { 'log.retention.ms': '3000', 'log.segment.bytes': '4096' }, '0': { 'log.retention.ms': '2000' } };
  const broker = brokerWith({ retentionMs: 5000, retentionBytes: 100 }, dynamic);
  const topic = broker.describeTopic({ 'retention.ms': '1000' });
  assert.deepEqual(chainOf(topic, 'retention.ms'), [
    ['retention.ms', '1000', ConfigSource.TOPIC],
    ['log.retention.ms', '2000', ConfigSource.DYNAMIC_BROKER],
    ['log.retention.ms', '3000', ConfigSource.DYNAMIC_DEFAULT_BROKER],
    ['log.retention.ms', '5000', ConfigSource.STATIC_BROKER],
    ['log.retention.ms', '604800000', ConfigSource.DEFAULT],
  ]);
  assert.deepEqual(chainOf(topic, 'retention.bytes'), [
    ['log.retention.bytes', '100', ConfigSource.STATIC_BROKER],
    ['log.retention.bytes', '-1', ConfigSource.DEFAULT],
  ]);
  assert.deepEqual(
    ['retention.ms', 'segment.bytes', 'retention.bytes', 'compression.type', 'dedup.window.ms'].map((n) => broker.topicDefault(n)),
    ['2000', '4096', '100', 'producer', '600000'],
  );
  const described = new Map(broker.describeBroker(false).map((d) => [d.def.name, [d.value, d.source, d.readOnly]]));
  assert.deepEqual(described.get('log.retention.ms'), ['2000', ConfigSource.DYNAMIC_BROKER, false]);
  assert.deepEqual(described.get('num.partitions'), ['1', ConfigSource.DEFAULT, true]);
  assert.deepEqual(
    broker.describeBroker(true).map((d) => [d.def.name, d.value, d.source]),
    [
      ['log.retention.ms', '3000', ConfigSource.DYNAMIC_DEFAULT_BROKER],
      ['log.segment.bytes', '4096', ConfigSource.DYNAMIC_DEFAULT_BROKER],
    ],
  );
});

test('broker config changes: unknown, read-only and bad values are told apart', () => {
  assert.equal(brokerConfigProblem('log.retention.ms', '60000'), null);
  assert.equal(brokerConfigProblem('log.retention.ms', null), null, 'deleting a dynamic config');
  assert.equal(brokerConfigProblem('log.retention.ms', 'x')?.kind, 'invalid');
  assert.equal(brokerConfigProblem('num.partitions', null)?.kind, 'read-only');
  assert.equal(brokerConfigProblem('listeners', 'PLAINTEXT://:9093')?.kind, 'read-only');
  assert.equal(brokerConfigProblem('log.retention.fortnights', '1')?.kind, 'unknown');
});

test('max.connections.per.ip.overrides: ip:count pairs, IPv6 before the last colon; a host name or a bad count is refused', () => {
  const config = resolveConfig({ maxConnectionsPerIpOverrides: '10.0.0.1:5, ::1:2' });
  assert.deepEqual(config.maxConnectionsPerIpOverrides, { '10.0.0.1': 5, '::1': 2 });
  assert.equal(brokerWith({ maxConnectionsPerIpOverrides: config.maxConnectionsPerIpOverrides }, {}).value('max.connections.per.ip.overrides'), '10.0.0.1:5,::1:2');
  assert.throws(() => resolveConfig({ maxConnectionsPerIpOverrides: 'broker.example:5' }), { code: 'SLUICE_ERR_CONFIG' });
  assert.throws(() => resolveConfig({ maxConnectionsPerIpOverrides: '10.0.0.1:-1' }), { code: 'SLUICE_ERR_CONFIG' });
});
