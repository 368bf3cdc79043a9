// confluent-kafka-python 1.7.0 (librdkafka 2.0.2) AdminClient: create_topics
// with the topic configs Sluice used to refuse, describe_configs of the topic
// (values, sources, defaults) and of the broker, alter_configs with effect.
// The client side lives in python/confluent_configs.py.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { TOPIC_CONFIG_DEFS } from '../../src/metadata/topic-configs.js';
import { REPO_ROOT } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { runOk } from './run-command.js';
import { PYTHON, confluentPython, skipUnless } from '../helpers/interop-tools.js';

const SCRIPT = path.join(REPO_ROOT, 'test', 'interop', 'python', 'confluent_configs.py');
// librdkafka's ConfigSource enum values, as confluent_kafka reports them.
const TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

interface Described {
  value: string;
  source: number;
  is_default: boolean;
  read_only: boolean;
}

test('AdminClient creates a topic with Kafka configs, describes them and alters one, and describes the broker', skipUnless(confluentPython), async (t) => {
  const broker = await startInProcessBroker(t);
  const given = {
    'compression.type': 'lz4',
    'min.cleanable.dirty.ratio': '0.3',
    'file.delete.delay.ms': '30000',
    'max.compaction.lag.ms': '86400000',
    'message.timestamp.difference.max.ms': '86400000',
    'segment.bytes': '1048576',
  };
  const out = JSON.parse((await runOk(PYTHON, [SCRIPT, 'configs', broker.bootstrap, 'py-configs', JSON.stringify(given)])).stdout.toString()) as Record<
    'created' | 'altered' | 'broker',
    Record<string, Described>
  >;

  for (const [name, value] of Object.entries(given)) {
    assert.deepEqual([out.created[name]?.value, out.created[name]?.source], [value, TOPIC_CONFIG], name);
  }
  assert.deepEqual(out.created['flush.ms'], { value: '9223372036854775807', source: DEFAULT_CONFIG, is_default: true, read_only: false });
  assert.deepEqual(Object.keys(out.created).sort(), TOPIC_CONFIG_DEFS.map((d) => d.name).sort(), 'every topic config is described');

  assert.deepEqual([out.altered['retention.ms'].value, out.altered['retention.ms'].source], ['3600000', TOPIC_CONFIG]);
  assert.deepEqual([out.altered['compression.type'].value, out.altered['compression.type'].source], ['producer', DEFAULT_CONFIG], 'AlterConfigs replaced the overrides');
  assert.deepEqual(broker.broker.cluster.topic('py-configs')?.configs, { 'retention.ms': '3600000' });

  assert.deepEqual([out.broker['default.replication.factor']?.value, out.broker['default.replication.factor']?.read_only], ['1', true]);
  assert.deepEqual([out.broker['log.retention.ms']?.value, out.broker['log.retention.ms']?.read_only], ['604800000', false]);
});
