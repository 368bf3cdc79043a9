// Static membership (KIP-345) of GroupConsumer against a broker in this
// process: a static member that closes and comes back within the session
// timeout gets its partitions back in the same generation, without a
// rebalance (the other member never gives anything up) and resumes from its
// commits; a second consumer with the same groupInstanceId fences the first,
// whose poll() then throws FENCED_INSTANCE_ID; close({ leaveGroup: true })
// does leave, and the other member takes every partition.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient, KafkaError, Producer } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestBrokerBeforeClients } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { type GroupMember, startGroupMember } from '../helpers/group-member.js';

const TOPIC = 'static';
const GROUP = 'static-group';


function startMember(t: TestContext, bootstrap: string, groupInstanceId: string): GroupMember {
  return startGroupMember(t, bootstrap, groupInstanceId, {
    groupId: GROUP,
    topics: [TOPIC],
    groupInstanceId,
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 100,
    maxWaitMs: 100,
  });
}

const partitionsOf = (m: GroupMember) => m.partitions();

async function setUp(t: TestContext) {
  const broker = await startTestBrokerBeforeClients(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  const producer = new Producer(client);
  await admin.createTopic(TOPIC, 4);
  const produce = (round: string) => producer.sendBatch(TOPIC, [0, 1, 2, 3].map((partition) => ({ partition, key: null, value: Buffer.from(round) })));
  const a = startMember(t, broker.bootstrap, 'host-a');
  const b = startMember(t, broker.bootstrap, 'host-b');
  await waitFor('a and b to hold two partitions each', () => partitionsOf(a).length === 2 && partitionsOf(b).length === 2);
  return { broker, admin, produce, a, b };
}

test('a static member that restarts within the session timeout gets its partitions back in the same generation, without a rebalance', async (t) => {
  const { broker, admin, produce, a, b } = await setUp(t);
  const generation = b.consumer.generationId;
  const aPartitions = partitionsOf(a);
  await produce('one');
  await waitFor('a to read round one', () => a.records.length === 2);

  await a.close();
  const [whileAway] = await admin.describeGroups([GROUP]);
  assert.equal(whileAway.state, 'Stable', 'no LeaveGroup: the group did not rebalance');
  assert.deepEqual(whileAway.members.map((m) => m.groupInstanceId).sort(), ['host-a', 'host-b']);
  await produce('two');

  const again = startMember(t, broker.bootstrap, 'host-a');
  await waitFor('the restarted a to hold its partitions', () => partitionsOf(again).length === 2);
  assert.deepEqual(partitionsOf(again), aPartitions);
  assert.equal(again.consumer.generationId, generation);
  assert.equal(b.consumer.generationId, generation);
  assert.deepEqual(b.revoked, [], 'b never gave anything up');
  await waitFor('the restarted a to read round two', () => again.records.length === 2);
  assert.ok(again.records.every((r) => r.value!.toString() === 'two'), 'it resumed after what it had committed on close');
  const [after] = await admin.describeGroups([GROUP]);
  assert.equal(after.members.find((m) => m.groupInstanceId === 'host-a')!.memberId, again.consumer.memberId);
});

test('a second consumer with the same groupInstanceId fences the first: its poll() throws FENCED_INSTANCE_ID', async (t) => {
  const { broker, a } = await setUp(t);
  const aPartitions = partitionsOf(a);
  const impostor = startMember(t, broker.bootstrap, 'host-a');
  await waitFor('the new host-a to hold the partitions', () => partitionsOf(impostor).length === 2);
  assert.deepEqual(partitionsOf(impostor), aPartitions);
  await waitFor('the old host-a to stop', () => a.failure() !== null);
  const failure = a.failure();
  assert.ok(failure instanceof KafkaError);
  assert.equal(failure.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  assert.match(failure.message, /another consumer joined with groupInstanceId 'host-a'/);
  assert.deepEqual(a.consumer.assignment(), []);
  await assert.rejects(a.consumer.commit(), (err: unknown) => err === failure);
  // The fenced member does not fight back: the new one keeps the membership.
  const generation = impostor.consumer.generationId;
  await a.close();
  assert.equal(impostor.consumer.generationId, generation);
});

test('close({ leaveGroup: true }) makes a static member leave at once: the other member takes every partition', async (t) => {
  const { a, b } = await setUp(t);
  const generation = b.consumer.generationId;
  await a.close({ leaveGroup: true });
  await waitFor('b to hold every partition', () => partitionsOf(b).length === 4);
  assert.ok(b.consumer.generationId > generation);
});
