// Proves that librdkafka 2.15's admin client (@confluentinc/kafka-javascript,
// KafkaJS-style API) gets the answers Kafka gives where Sluice used to differ:
// the authorized operations of groups (DescribeGroups) and topics (Metadata)
// when asked, which without an authorizer are every operation valid for the
// resource type; and ListGroups v5's group types.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import { startTestBroker } from '../helpers/broker.js';
import { kafkaJavascript, loadKafkaJavascript, skipUnless } from '../helpers/interop-tools.js';

test('librdkafka admin: authorized operations and group types', skipUnless(kafkaJavascript), async (t) => {
  const { KafkaJS } = loadKafkaJavascript();
  const { AclOperationTypes: Op, ConsumerGroupTypes } = KafkaJS;
  const broker = await startTestBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  t.after(() => client.close());
  await new Admin(client).createTopic('rdk-ops', 1);
  await new Admin(client).commitOffsets('rdk-ops-group', [{ topic: 'rdk-ops', partition: 0, offset: 0 }]);

  const admin = new KafkaJS.Kafka({ kafkaJS: { brokers: [broker.bootstrap], logLevel: KafkaJS.logLevel.NOTHING } }).admin();
  await admin.connect();
  t.after(() => admin.disconnect());

  const { groups } = await admin.describeGroups(['rdk-ops-group'], { includeAuthorizedOperations: true });
  assert.deepEqual(
    [...groups[0].authorizedOperations].sort((a: number, b: number) => a - b),
    [Op.READ, Op.DELETE, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  );
  const [topic] = await admin.fetchTopicMetadata({ topics: ['rdk-ops'], includeAuthorizedOperations: true });
  assert.deepEqual(
    [...topic.authorizedOperations].sort((a: number, b: number) => a - b),
    [Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  );

  const classic = await admin.listGroups({ matchConsumerGroupTypes: [ConsumerGroupTypes.CLASSIC] });
  assert.deepEqual(classic.errors, []);
  assert.deepEqual(classic.groups.map((g: { groupId: string; type: number }) => [g.groupId, g.type]), [['rdk-ops-group', ConsumerGroupTypes.CLASSIC]]);
  const consumer = await admin.listGroups({ matchConsumerGroupTypes: [ConsumerGroupTypes.CONSUMER] });
  assert.deepEqual([consumer.errors, consumer.groups], [[], []]);
});
