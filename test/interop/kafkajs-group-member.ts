// A kafkajs 2.2.4 group member in a process of its own, for
// kafkajs-groups.test.ts to kill with SIGKILL: no LeaveGroup, no last
// commit; its heartbeats simply stop.
//
//   node kafkajs-group-member.js <bootstrap> <topic> <groupId> <sessionTimeoutMs>
//
// It never commits on its own. Events on stdout, one JSON object a line:
//   {"event":"joined","memberId":"...","partitions":[0,3]}
//   {"event":"record","partition":0,"offset":12}
//   {"event":"committed","offsets":{"0":13}}
// Commands on stdin, one a line:
//   commit   commits, for every partition read so far, the offset after the last record read

import readline from 'node:readline';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const [bootstrap, topic, groupId, sessionTimeoutMs] = process.argv.slice(2);

function emit(event: object): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

const kafka = new Kafka({ brokers: [bootstrap], clientId: 'killable-member', logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, sessionTimeout: Number(sessionTimeoutMs), heartbeatInterval: 500, maxWaitTimeInMs: 100 });
/** partition -> offset of the next record to read */
const readUpTo = new Map<number, number>();

consumer.on(consumer.events.GROUP_JOIN, (e) => emit({ event: 'joined', memberId: e.payload.memberId, partitions: e.payload.memberAssignment[topic] ?? [] }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'commit') return;
  const offsets = [...readUpTo].map(([partition, next]) => ({ topic, partition, offset: String(next) }));
  consumer.commitOffsets(offsets).then(
    () => emit({ event: 'committed', offsets: Object.fromEntries(readUpTo) }),
    (err: Error) => emit({ event: 'error', message: err.message }),
  );
});

await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    const offset = Number(message.offset);
    readUpTo.set(partition, offset + 1);
    emit({ event: 'record', partition, offset });
  },
});
