// A kafkajs 2.2.4 consume-transform-produce copier in a process of its own,
// for transactional-copier.test.ts to kill with SIGKILL at any point.
//
//   node transactional-copier.js <bootstrap> <input> <output> <groupId> <transactionalId> <sessionTimeoutMs>
//
// A read_committed consumer in group <groupId> reads <input>; for each batch
// it opens a transaction of producer <transactionalId>, sends every record's
// transform (value "copy of <value>", same key) to <output>, adds the offset
// after the batch through sendOffsets, and commits. Offsets are never
// committed any other way. The producer connects (InitProducerId, which fences
// and completes whatever a killed predecessor left) before the consumer
// fetches its committed offsets, so those offsets are settled when read.
// Events on stdout, one JSON object a line, for the test to kill on:
//   {"event":"ready"}
//   {"event":"sent","partition":0,"records":5}       records written, transaction open
//   {"event":"committing","partition":0}             offsets added, EndTxn(commit) on its way
//   {"event":"committed","partition":0,"next":35}    committed; <next> is the group's new offset

import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const [bootstrap, input, output, groupId, transactionalId, sessionTimeoutMs] = process.argv.slice(2);

function emit(event: object): void {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function transform(value: string): string {
  return `copy of ${value}`;
}

const kafka = new Kafka({ brokers: [bootstrap], clientId: 'txn-copier', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000 });
await producer.connect();
const consumer = kafka.consumer({
  groupId,
  readUncommitted: false,
  sessionTimeout: Number(sessionTimeoutMs),
  heartbeatInterval: Math.max(100, Math.floor(Number(sessionTimeoutMs) / 5)),
  maxWaitTimeInMs: 50,
  // Small fetches: many short transactions, so kills land at many different points.
  maxBytesPerPartition: 400,
});
await consumer.connect();
await consumer.subscribe({ topics: [input], fromBeginning: true });
emit({ event: 'ready' });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const last = batch.messages[batch.messages.length - 1].offset;
    const next = Number(last) + 1;
    const txn = await producer.transaction();
    try {
      await txn.send({ topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: transform(String(m.value)) })) });
      emit({ event: 'sent', partition: batch.partition, records: batch.messages.length });
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: batch.partition, offset: String(next) }] }] });
      emit({ event: 'committing', partition: batch.partition });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => {});
      throw err;
    }
    resolveOffset(last);
    emit({ event: 'committed', partition: batch.partition, next });
    await heartbeat();
  },
});
