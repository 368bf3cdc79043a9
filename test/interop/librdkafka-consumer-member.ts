// A librdkafka 2.15 consumer (@confluentinc/kafka-javascript) using the
// consumer group protocol (KIP-848, group.protocol=consumer) in a process of
// its own, for librdkafka-consumer-protocol.test.ts to kill with SIGKILL: its
// heartbeats simply stop, and what it read since its last auto-commit is read again.
//
//   node librdkafka-consumer-member.js <bootstrap> <topic> <groupId>
//
// Each record read goes to stdout as one JSON object a line:
//   {"partition":0,"offset":12,"value":"..."}

import { loadKafkaJavascript } from '../helpers/interop-tools.js';

const [bootstrap, topic, groupId] = process.argv.slice(2);
const { Kafka } = loadKafkaJavascript().KafkaJS;

function emit(event: object): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

const consumer = new Kafka({ kafkaJS: { brokers: [bootstrap], logLevel: 0 } }).consumer({
  kafkaJS: { groupId, fromBeginning: true, autoCommit: true, autoCommitInterval: 200 },
  'group.protocol': 'consumer',
  'client.id': 'killable-member',
});
await consumer.connect();
await consumer.subscribe({ topic });
await consumer.run({
  eachMessage: async ({ partition, message }: { partition: number; message: { offset: string; value: Buffer } }) => {
    emit({ partition, offset: Number(message.offset), value: message.value.toString() });
  },
});
