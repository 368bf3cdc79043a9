// Transaction markers for partitions another broker leads: WriteTxnMarkers
// served by the partition's leader appends COMMIT and ABORT markers that
// read_committed consumers (kafkajs) honour, and the coordinator's sender
// retries a marker until it lands, at whoever leads the partition by then.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { BrokerConnection } from '../../../src/client/connection.js';
import type { BrokerInfo, PartitionAssignment, TopicMetadata } from '../../../src/cluster/control-plane.js';
import { systemClock } from '../../../src/clock.js';
import { TxnMarkerSender } from '../../../src/coordinator/txn/txn-marker-sender.js';
import { createLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../../src/protocol/messages/write-txn-markers.js';
import type { RunningBroker } from '../../../src/start-broker.js';
import { startTestBrokerBeforeClients } from '../../helpers/broker.js';
import { defer } from '../../helpers/broker-process.js';
import { refusedAddress } from '../../helpers/unresponsive-broker.js';
import { readWithKafkajs } from '../../helpers/sluice-client.js';

const kafkaFor = (broker: RunningBroker) => new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'markers-test', logLevel: kafkajs.logLevel.NOTHING });

/** Opens a transaction of `transactionalId` that writes `values` to partition 0 of 'out' and leaves it open; returns its producer id and epoch. */
async function openTransaction(t: TestContext, broker: RunningBroker, transactionalId: string, values: string[]): Promise<{ producerId: number; producerEpoch: number }> {
  const producer = kafkaFor(broker).producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const txn = await producer.transaction();
  await txn.send({ topic: 'out', messages: values.map((value) => ({ value, partition: 0 })) });
  const { producerId, producerEpoch, state } = broker.txns.describe(transactionalId);
  assert.equal(state, 'Ongoing');
  return { producerId, producerEpoch };
}

async function produceSentinel(t: TestContext, broker: RunningBroker): Promise<void> {
  const producer = kafkaFor(broker).producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: 'out', messages: [{ value: 'sentinel', partition: 0 }] });
}

test('WriteTxnMarkers served by the leader commits and aborts transactions as read_committed kafkajs sees them', async (t) => {
  const broker = await startTestBrokerBeforeClients(t);
  await broker.broker.createTopic('out', 1, {});
  const committed = await openTransaction(t, broker, 'committed', ['c-0', 'c-1']);
  const aborted = await openTransaction(t, broker, 'aborted', ['a-0', 'a-1']);

  const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId: 'markers-test' });
  defer(t, () => conn.close());
  const res = await conn.sendVersion({ request: WriteTxnMarkersRequest, response: WriteTxnMarkersResponse }, 1, {
    markers: [
      { ...committed, transactionResult: true, topics: [{ name: 'out', partitionIndexes: [0] }], coordinatorEpoch: 0 },
      { ...aborted, transactionResult: false, topics: [{ name: 'out', partitionIndexes: [0] }, { name: 'missing', partitionIndexes: [0] }], coordinatorEpoch: 0 },
    ],
  });
  assert.deepEqual(
    res.markers.map((m: { producerId: number; topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }) => [
      m.producerId,
      m.topics.map((tp) => [tp.name, tp.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    ]),
    [
      [committed.producerId, [['out', [[0, ErrorCode.NONE]]]]],
      [aborted.producerId, [['out', [[0, ErrorCode.NONE]]], ['missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]]]],
    ],
  );
  // Both transactions are decided in the partition: its last stable offset passes them.
  await produceSentinel(t, broker);
  const read = await readWithKafkajs(broker.bootstrap, 'out', 3);
  assert.deepEqual(read.map((r) => r.value?.toString()), ['c-0', 'c-1', 'sentinel']);
});

test("the coordinator's marker sender retries until the partition's leader takes the marker, at whoever leads by then", async (t) => {
  const broker = await startTestBrokerBeforeClients(t);
  await broker.broker.createTopic('out', 1, {});
  const open = await openTransaction(t, broker, 'remote', ['r-0', 'r-1']);

  // The control plane as the coordinator's broker sees it: 'out' led by broker 7, first at an address that refuses, then at the real broker.
  const [refusedHost, refusedPort] = (await refusedAddress()).split(':');
  const at = (host: string, port: number): BrokerInfo => ({ nodeId: 7, host, port, rack: null, replicationHost: host, replicationPort: port });
  const refused = at(refusedHost, Number(refusedPort));
  const partition: PartitionAssignment = { partition: 0, leader: 7, leaderEpoch: 0, replicas: [7], isr: [7], partitionEpoch: 0 };
  const topic: TopicMetadata = { name: 'out', topicId: Buffer.alloc(16), partitions: [partition], configs: {} };
  // The sender asks for the live brokers once per try: the leader moves to the real broker at the third.
  let tries = 0;
  const cluster = { topic: (name: string) => (name === 'out' ? topic : undefined), brokers: () => [++tries >= 3 ? at('127.0.0.1', broker.port) : refused] };
  const sender = new TxnMarkerSender(cluster, systemClock, createLogger('silent'));
  defer(t, () => sender.close());

  await sender.send({ topic: 'out', partition: 0, producerId: open.producerId, producerEpoch: open.producerEpoch, commit: true });
  assert.equal(tries, 3, 'two refused tries, then the marker landed at the new leader');

  await produceSentinel(t, broker);
  const read = await readWithKafkajs(broker.bootstrap, 'out', 3);
  assert.deepEqual(read.map((r) => r.value?.toString()), ['r-0', 'r-1', 'sentinel']);
  // A partition that no longer exists ends the retries at once.
  await sender.send({ topic: 'gone', partition: 0, producerId: open.producerId, producerEpoch: open.producerEpoch, commit: true });
});
