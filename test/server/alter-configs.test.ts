// AlterConfigs and IncrementalAlterConfigs requests no client library sends,
// answered per resource with Kafka's error (never a dropped connection), and
// DescribeConfigs at each version: v0's is_default, v1+ sources, v3+ types.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { BrokerConnection } from '../../src/client/connection.js';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { AlterConfigsRequest, AlterConfigsResponse } from '../../src/protocol/messages/alter-configs.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from '../../src/protocol/messages/describe-configs.js';
import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../src/protocol/messages/incremental-alter-configs.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';

const INCREMENTAL = { request: IncrementalAlterConfigsRequest, response: IncrementalAlterConfigsResponse };
const ALTER = { request: AlterConfigsRequest, response: AlterConfigsResponse };
const DESCRIBE = { request: DescribeConfigsRequest, response: DescribeConfigsResponse };
const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const TOPIC_NAME = 'raw-configs';

let client: KafkaClient;
let conn: BrokerConnection;
after(async () => {
  await client?.close();
});
const broker: RunningBroker = await startInProcessBroker({ after });

before(async () => {
  client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'raw-configs' });
  await new Admin(client).createTopic(TOPIC_NAME, 1, { 'retention.ms': '3600000' });
  conn = await client.any();
});

function resource(resourceType: number, resourceName: string, configs: { name: string; configOperation?: number; value: string | null }[]): Message {
  return { resourceType, resourceName, configs: configs.map((c) => ({ configOperation: 0, ...c })) };
}

async function incremental(resources: Message[], version = 1): Promise<[number, string | null][]> {
  const res = await conn.sendVersion(INCREMENTAL, version, { resources, validateOnly: false });
  return res.responses.map((r: Message) => [r.errorCode, r.errorMessage]);
}

const codes = (results: [number, string | null][]) => results.map(([code]) => code);

test('IncrementalAlterConfigs answers each bad resource with its Kafka error and changes nothing', async () => {
  for (const version of [0, 1]) {
    const results = await incremental(
      [
        resource(TOPIC, TOPIC_NAME, [{ name: 'retention.ms', configOperation: 9, value: '1' }]),
        resource(TOPIC, 'raw-no-such-topic', [{ name: 'retention.ms', value: '1' }]),
        resource(BROKER, '7', [{ name: 'log.retention.ms', value: '1' }]),
        resource(BROKER_LOGGER, '0', [{ name: 'kafka', value: 'DEBUG' }]),
      ],
      version,
    );
    assert.deepEqual(codes(results), [ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST], `v${version}`);
  }
  const [[nullCode, nullMessage]] = await incremental([resource(TOPIC, TOPIC_NAME, [{ name: 'retention.ms', value: null }])]);
  assert.deepEqual([nullCode, nullMessage], [ErrorCode.INVALID_REQUEST, 'null value not supported for retention.ms']);
  const [[dupCode]] = await incremental([resource(TOPIC, TOPIC_NAME, [{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', configOperation: 1, value: null }])]);
  assert.equal(dupCode, ErrorCode.INVALID_REQUEST, 'one key twice');
  const [[unknownCode, unknownMessage]] = await incremental([resource(TOPIC, TOPIC_NAME, [{ name: 'retention.minutes', configOperation: 1, value: null }])]);
  assert.deepEqual([unknownCode, unknownMessage], [ErrorCode.INVALID_CONFIG, 'unknown topic config "retention.minutes"']);
  assert.deepEqual(
    codes(
      await incremental([
        resource(TOPIC, TOPIC_NAME, [{ name: 'segment.ms', value: '1000' }]),
        resource(TOPIC, TOPIC_NAME, [{ name: 'segment.ms', value: '2000' }]),
      ]),
    ),
    [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    'one resource twice fails both times',
  );

  const topic = broker.broker.cluster.topic(TOPIC_NAME)!;
  assert.deepEqual(topic.configs, { 'retention.ms': '3600000' }, 'nothing changed');
});

test('AlterConfigs v0-2 replaces the overrides; a null value, an unknown name and a read-only broker config are refused', async () => {
  for (const version of [0, 1, 2]) {
    const res = await conn.sendVersion(ALTER, version, {
      resources: [
        { resourceType: TOPIC, resourceName: TOPIC_NAME, configs: [{ name: 'segment.ms', value: String(1000 + version) }] },
        { resourceType: TOPIC, resourceName: TOPIC_NAME + '-absent', configs: [] },
        { resourceType: BROKER, resourceName: '0', configs: [{ name: 'auto.create.topics.enable', value: 'false' }] },
        { resourceType: BROKER, resourceName: '', configs: [{ name: 'no.such.broker.config', value: '1' }] },
      ],
      validateOnly: false,
    });
    assert.deepEqual(
      res.responses.map((r: Message) => [r.errorCode, r.resourceType, r.resourceName]),
      [
        [ErrorCode.NONE, TOPIC, TOPIC_NAME],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, TOPIC, TOPIC_NAME + '-absent'],
        [ErrorCode.INVALID_REQUEST, BROKER, '0'],
        [ErrorCode.INVALID_CONFIG, BROKER, ''],
      ],
      `v${version}`,
    );
    assert.deepEqual(broker.broker.cluster.topic(TOPIC_NAME)!.configs, { 'segment.ms': String(1000 + version) });
  }
  const res = await conn.sendVersion(ALTER, 2, { resources: [{ resourceType: TOPIC, resourceName: TOPIC_NAME, configs: [{ name: 'segment.ms', value: null }] }], validateOnly: false });
  assert.equal(res.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  assert.equal(broker.config.autoCreateTopicsEnable, true);
});

test('DescribeConfigs: v0 marks defaults with is_default, v1+ gives sources and synonyms on request, v3+ types and documentation on request', async () => {
  await conn.sendVersion(ALTER, 2, { resources: [{ resourceType: TOPIC, resourceName: TOPIC_NAME, configs: [{ name: 'retention.ms', value: '60000' }] }], validateOnly: false });
  const ask = (version: number, includeSynonyms: boolean, includeDocumentation: boolean) =>
    conn
      .sendVersion(DESCRIBE, version, { resources: [{ resourceType: TOPIC, resourceName: TOPIC_NAME, configurationKeys: ['retention.ms', 'segment.bytes'] }], includeSynonyms, includeDocumentation })
      .then((res) => res.results[0].configs as Message[]);

  const v0 = await ask(0, false, false);
  assert.deepEqual(v0.map((c) => [c.name, c.value, c.isDefault]), [
    ['retention.ms', '60000', false],
    ['segment.bytes', '1073741824', true],
  ]);
  const v1 = await ask(1, true, false);
  assert.deepEqual(v1.map((c) => [c.name, c.configSource, c.synonyms.length]), [
    ['retention.ms', 1, 2],
    ['segment.bytes', 5, 1],
  ]);
  assert.deepEqual((await ask(2, false, false)).map((c) => c.synonyms.length), [0, 0], 'no synonyms unless asked');
  const v4 = await ask(4, false, true);
  assert.deepEqual(v4.map((c) => [c.configType, typeof c.documentation]), [
    [5, 'string'],
    [3, 'string'],
  ]);
  assert.deepEqual((await ask(3, false, false)).map((c) => c.documentation), [null, null], 'no documentation unless asked');

  const other = await conn.sendVersion(DESCRIBE, 4, { resources: [{ resourceType: BROKER, resourceName: '5', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  assert.equal(other.results[0].errorCode, ErrorCode.INVALID_REQUEST, 'another broker id');
});
