// Coordinators follow the leadership of their internal topics' partitions:
// when this broker stops leading a partition of __consumer_offsets or
// __transaction_state, the groups, offsets and transactions it holds are
// dropped and their requests answer NOT_COORDINATOR (over the wire too); when
// it leads the partition again they are loaded back exactly as they were.
// The leadership changes are emitted on broker.leadership as the replication
// data plane emits them. kafkajs, told NOT_COORDINATOR, looks its coordinator
// up again and carries on once the partition is back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { BrokerConnection } from '../../src/client/connection.js';
import type { GroupCoordinator } from '../../src/coordinator/group/group-coordinator.js';
import { offsetCommitKey, offsetCommitValue, offsetsPartitionFor } from '../../src/coordinator/group/offsets-log.js';
import { OFFSETS_TOPIC } from '../../src/coordinator/group/offset-store.js';
import { TXN_STATE_TOPIC } from '../../src/coordinator/txn/txn-state-store.js';
import { encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from '../../src/protocol/messages/describe-groups.js';
import { OffsetFetchRequest, OffsetFetchResponse } from '../../src/protocol/messages/offset-fetch.js';
import { type RequestEvent, requestChannel } from '../../src/server/request-channel.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker, startTestBrokerBeforeClients } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';

const PARTITIONS = 3;

function moveAway(broker: RunningBroker, topic: string, partition: number): void {
  broker.broker.leadership.emit({ topic, partition, role: 'follower', leaderEpoch: 1 });
}

function moveBack(broker: RunningBroker, topic: string, partition: number): void {
  broker.broker.leadership.emit({ topic, partition, role: 'leader', leaderEpoch: 2 });
}

/** Two group ids whose __consumer_offsets partitions differ. */
function groupsInTwoPartitions(): [string, string] {
  const first = 'orders';
  for (let i = 0; ; i++) {
    const other = `billing-${i}`;
    if (offsetsPartitionFor(other, PARTITIONS) !== offsetsPartitionFor(first, PARTITIONS)) return [first, other];
  }
}

function joinRequest(memberId = '') {
  return {
    memberId,
    groupInstanceId: null,
    clientId: 'moves-test',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription({ version: 0, topics: ['t'], userData: null, ownedPartitions: [] }) }],
    requireKnownMemberId: false,
  };
}

/** One member, Stable, in generation 1. */
async function stableMember(groups: GroupCoordinator, groupId: string): Promise<{ memberId: string; groupInstanceId: null; generationId: number }> {
  const joined = await groups.join(groupId, joinRequest());
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const assignments = new Map([[joined.memberId, Buffer.from('assignment')]]);
  assert.equal((await groups.sync(groupId, { memberId: joined.memberId, groupInstanceId: null, generationId: joined.generationId, assignments })).errorCode, ErrorCode.NONE);
  return { memberId: joined.memberId, groupInstanceId: null, generationId: joined.generationId };
}

const commitEntry = (partition: number, offset: number) => ({ topic: 't', partition, offset, leaderEpoch: 4, metadata: `at ${offset}`, commitTimestamp: -1 });

test('a partition of __consumer_offsets that moves away and back keeps its groups and offsets exactly; meanwhile its groups answer NOT_COORDINATOR', async (t) => {
  const broker = await startTestBrokerBeforeClients(t, { offsetsTopicNumPartitions: PARTITIONS });
  await broker.broker.createTopic('t', 2, {});
  const { groups } = broker;
  const [moved, stays] = groupsInTwoPartitions();
  const member = await stableMember(groups, moved);
  assert.deepEqual(await groups.commitOffsets(moved, member, [commitEntry(0, 42), commitEntry(1, 7)]), [ErrorCode.NONE, ErrorCode.NONE]);
  assert.deepEqual(await groups.commitOffsets(stays, { memberId: '', groupInstanceId: null, generationId: -1 }, [commitEntry(0, 3)]), [ErrorCode.NONE]);
  const offsetsBefore = groups.fetchOffsets(moved, null);
  const describedBefore = groups.describeGroup(moved);
  const partition = offsetsPartitionFor(moved, PARTITIONS);

  moveAway(broker, OFFSETS_TOPIC, partition);
  assert.equal(groups.heartbeat(moved, member.memberId, null, member.generationId), ErrorCode.NOT_COORDINATOR);
  assert.equal((await groups.join(moved, joinRequest())).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.deepEqual(await groups.commitOffsets(moved, member, [commitEntry(0, 50)]), [ErrorCode.NOT_COORDINATOR]);
  assert.equal(await groups.deleteGroup(moved), ErrorCode.NOT_COORDINATOR);
  assert.deepEqual(groups.fetchOffsets(moved, null), [], "the moved group's offsets are no longer held here");
  assert.ok(!groups.listGroups().some((g) => g.groupId === moved));
  // Over the wire, as clients see it.
  const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId: 'moves-test' });
  defer(t, () => conn.close());
  const fetched = await conn.sendVersion({ request: OffsetFetchRequest, response: OffsetFetchResponse }, 5, { groupId: moved, topics: null });
  assert.equal(fetched.errorCode, ErrorCode.NOT_COORDINATOR);
  const described = await conn.sendVersion({ request: DescribeGroupsRequest, response: DescribeGroupsResponse }, 5, { groups: [moved, stays], includeAuthorizedOperations: false });
  assert.deepEqual(
    described.groups.map((g: { groupId: string; errorCode: number }) => [g.groupId, g.errorCode]),
    [
      [moved, ErrorCode.NOT_COORDINATOR],
      [stays, ErrorCode.NONE],
    ],
  );
  // A group of another partition is served as before.
  assert.deepEqual(groups.fetchOffsets(stays, null).map((o) => o.offset), [3]);

  moveBack(broker, OFFSETS_TOPIC, partition);
  assert.deepEqual(groups.fetchOffsets(moved, null), offsetsBefore);
  assert.deepEqual(groups.describeGroup(moved), describedBefore);
  // The member carries on in its generation, as after a Kafka coordinator failover.
  assert.equal(groups.heartbeat(moved, member.memberId, null, member.generationId), ErrorCode.NONE);
  assert.deepEqual(await groups.commitOffsets(moved, member, [commitEntry(0, 60)]), [ErrorCode.NONE]);
  assert.equal(groups.fetchOffsets(moved, [{ topic: 't', partitions: [0] }])[0].offset, 60);
});

test('a member parked in a rebalance when its group moves away is answered NOT_COORDINATOR', async (t) => {
  const broker = await startTestBroker(t, { offsetsTopicNumPartitions: PARTITIONS });
  await broker.broker.createTopic('t', 1, {});
  const { groups } = broker;
  await groups.ensureOffsetsTopic();
  const first = await stableMember(groups, 'g');
  // A second member's join parks until the first rejoins.
  const parked = groups.join('g', joinRequest());
  moveAway(broker, OFFSETS_TOPIC, offsetsPartitionFor('g', PARTITIONS));
  assert.equal((await parked).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(groups.heartbeat('g', first.memberId, null, first.generationId), ErrorCode.NOT_COORDINATOR);
});

test('an offset commit whose partition moves away before it is committed answers NOT_COORDINATOR', async (t) => {
  const broker = await startTestBroker(t, { offsetsTopicNumPartitions: PARTITIONS });
  await broker.broker.createTopic('t', 1, {});
  const { groups } = broker;
  const simple = { memberId: '', groupInstanceId: null, generationId: -1 };
  assert.deepEqual(await groups.commitOffsets('g', simple, [commitEntry(0, 1)]), [ErrorCode.NONE]);
  const inFlight = groups.commitOffsets('g', simple, [commitEntry(0, 2)]);
  moveAway(broker, OFFSETS_TOPIC, offsetsPartitionFor('g', PARTITIONS));
  assert.deepEqual(await inFlight, [ErrorCode.NOT_COORDINATOR]);
  // Its record did reach the log, so the next leader's load has it, as Kafka's would; the client's retry is idempotent.
  moveBack(broker, OFFSETS_TOPIC, offsetsPartitionFor('g', PARTITIONS));
  assert.equal(groups.fetchOffsets('g', null)[0].offset, 2);
});

test('a partition of __transaction_state that moves away and back keeps its ongoing transaction exactly; meanwhile it answers NOT_COORDINATOR', async (t) => {
  const broker = await startTestBroker(t, { transactionStateNumPartitions: PARTITIONS });
  await broker.broker.createTopic('out', 2, {});
  const { txns } = broker;
  const init = await txns.initProducerId('tx', 60_000);
  assert.equal(init.errorCode, ErrorCode.NONE);
  const added = await txns.addPartitions('tx', init.producerId, init.producerEpoch, [{ topic: 'out', partitions: [0, 1] }]);
  assert.deepEqual(added[0].partitions.map((p) => p.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
  const before = txns.describe('tx');
  assert.equal(before.state, 'Ongoing');
  const partition = offsetsPartitionFor('tx', PARTITIONS);

  moveAway(broker, TXN_STATE_TOPIC, partition);
  assert.equal(txns.describe('tx').errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(await txns.endTxn('tx', init.producerId, init.producerEpoch, true), ErrorCode.NOT_COORDINATOR);
  assert.equal((await txns.initProducerId('tx', 60_000)).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.ok(!txns.list([], []).transactions.some((x) => x.transactionalId === 'tx'));

  moveBack(broker, TXN_STATE_TOPIC, partition);
  assert.deepEqual(txns.describe('tx'), before);
  assert.equal(await txns.endTxn('tx', init.producerId, init.producerEpoch, true), ErrorCode.NONE);
  assert.equal(txns.describe('tx').state, 'CompleteCommit');
});

test('a kafkajs consumer whose group moves away is told NOT_COORDINATOR, looks the coordinator up again and carries on when it is back', async (t) => {
  const broker = await startTestBrokerBeforeClients(t, { offsetsTopicNumPartitions: PARTITIONS });
  await broker.broker.createTopic('t', 1, {});
  const answered: RequestEvent[] = [];
  const observe = (message: unknown) => {
    const event = message as RequestEvent;
    if (event.listenerPort === broker.port) answered.push(event);
  };
  requestChannel.subscribe(observe);
  defer(t, () => requestChannel.unsubscribe(observe));
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'moves-kafkajs', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50, maxRetryTime: 500 } });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const consumer = kafka.consumer({ groupId: 'moving', heartbeatInterval: 100, maxWaitTimeInMs: 100 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topics: ['t'], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ autoCommitInterval: 50, eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });

  await producer.send({ topic: 't', messages: [{ value: 'before-0' }, { value: 'before-1' }] });
  await waitFor('the first records consumed and committed', () => broker.groups.fetchOffsets('moving', null)[0]?.offset === 2, 30_000);
  const partition = offsetsPartitionFor('moving', PARTITIONS);
  moveAway(broker, OFFSETS_TOPIC, partition);
  const movedAt = answered.length;
  await waitFor('kafkajs told NOT_COORDINATOR', () => answered.slice(movedAt).some((e) => e.errorCode === ErrorCode.NOT_COORDINATOR), 30_000);
  const toldAt = answered.findIndex((e, i) => i >= movedAt && e.errorCode === ErrorCode.NOT_COORDINATOR);
  await waitFor('kafkajs looking its coordinator up again', () => answered.slice(toldAt).some((e) => e.api === 'FindCoordinator'), 30_000);
  await producer.send({ topic: 't', messages: [{ value: 'during-0' }] });

  moveBack(broker, OFFSETS_TOPIC, partition);
  await producer.send({ topic: 't', messages: [{ value: 'after-0' }] });
  await waitFor('every record consumed and committed', () => broker.groups.fetchOffsets('moving', null)[0]?.offset === 4, 30_000);
  assert.deepEqual([...new Set(seen)], ['before-0', 'before-1', 'during-0', 'after-0']);
});

test('a share group whose partition of __consumer_offsets moves away answers its heartbeats NOT_COORDINATOR until it is back', async (t) => {
  const broker = await startTestBroker(t, { offsetsTopicNumPartitions: PARTITIONS });
  await broker.broker.createTopic('jobs', 1, {});
  await broker.groups.ensureOffsetsTopic();
  const heartbeat = (memberEpoch: number) =>
    broker.shares.heartbeat('workers', { memberId: 'm1', memberEpoch, rackId: null, subscribedTopicNames: ['jobs'], clientId: 'c', clientHost: 'h' });
  const joined = heartbeat(0);
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const partition = offsetsPartitionFor('workers', PARTITIONS);
  moveAway(broker, OFFSETS_TOPIC, partition);
  assert.equal(heartbeat(joined.memberEpoch).errorCode, ErrorCode.NOT_COORDINATOR);
  moveBack(broker, OFFSETS_TOPIC, partition);
  assert.equal(heartbeat(joined.memberEpoch).errorCode, ErrorCode.NONE);
});

test('a partition taken over while its high watermark trails its log end loads once it catches up, answering COORDINATOR_LOAD_IN_PROGRESS until then', async (t) => {
  const broker = await startTestBroker(t, { offsetsTopicNumPartitions: PARTITIONS });
  await broker.broker.createTopic('t', 1, {});
  await broker.groups.ensureOffsetsTopic();
  const index = offsetsPartitionFor('g', PARTITIONS);
  moveAway(broker, OFFSETS_TOPIC, index);
  // What the previous leader wrote last, not yet committed when this broker takes over.
  const record = { key: offsetCommitKey('g', 't', 0), value: offsetCommitValue({ offset: 9, leaderEpoch: -1, metadata: '', commitTimestamp: 1 }), timestamp: 1 };
  const partition = broker.broker.partition(OFFSETS_TOPIC, index)!;
  const { committed } = partition.append(encodeBatch([record]));
  moveBack(broker, OFFSETS_TOPIC, index);
  assert.ok(partition.highWatermark < partition.logEndOffset);
  assert.equal(broker.groups.coordinatorError('g'), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal(broker.groups.heartbeat('g', 'm', null, 1), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  await committed;
  await waitFor('the partition loaded', () => broker.groups.coordinatorError('g') === ErrorCode.NONE);
  assert.deepEqual(broker.groups.fetchOffsets('g', null).map((o) => o.offset), [9]);
});
