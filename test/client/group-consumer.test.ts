// GroupConsumer against a broker in this process: two members split a
// topic's partitions and read each record once; when one closes (committing
// and leaving) the other takes every partition and goes on from the commits;
// a new member of the group resumes from the committed offsets; a member the
// coordinator dropped notices (UNKNOWN_MEMBER_ID on its heartbeat) and joins
// again under a new id; auto.offset.reset decides where a group without
// commits starts.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, type ConsumedRecord, GroupConsumer, type GroupConsumerOptions, KafkaClient, Producer } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { LeaveGroupRequest, LeaveGroupResponse } from '../../src/protocol/messages/leave-group.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';

/** Fast group settings: the broker's smallest session timeout, frequent heartbeats, short long-polls. */
const FAST = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 100, maxWaitMs: 100, autoCommitIntervalMs: 100 };

/**
 * startTestBroker, with everything registered through `defer` (members,
 * clients) closed before the broker: defer's hooks share one t.after,
 * registered here first, and node:test runs t.after hooks in registration order.
 */
async function startBrokerFor(t: TestContext): Promise<RunningBroker> {
  defer(t, () => {});
  return startTestBroker(t);
}

function clientFor(t: TestContext, bootstrap: string, clientId = 'group-test'): KafkaClient {
  const client = new KafkaClient({ bootstrap, clientId });
  defer(t, () => client.close());
  return client;
}

interface Member {
  consumer: GroupConsumer;
  records: ConsumedRecord[];
  /** Stops the poll loop (rethrowing anything it threw) and closes the consumer. */
  close(): Promise<void>;
}

/** A member whose poll loop runs until close(); every record it polls lands in `records`. */
function startMember(t: TestContext, bootstrap: string, options: Partial<GroupConsumerOptions> & { groupId: string; topics: string[] }): Member {
  const consumer = new GroupConsumer(clientFor(t, bootstrap, options.groupId), { ...FAST, autoOffsetReset: 'earliest', ...options });
  const records: ConsumedRecord[] = [];
  let running = true;
  const loop = (async () => {
    while (running) records.push(...(await consumer.poll()));
  })();
  // A failure surfaces in close(), which every test reaches (through defer at the latest).
  loop.catch(() => {});
  const close = async () => {
    if (!running) return;
    running = false;
    consumer.wakeup();
    await loop;
    await consumer.close();
  };
  defer(t, close);
  return { consumer, records, close };
}

async function produceRound(producer: Producer, topic: string, partitions: number, perPartition: number, round: string): Promise<void> {
  const records = [];
  for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) records.push({ partition: p, key: null, value: Buffer.from(`${round}-${p}-${i}`) });
  await producer.sendBatch(topic, records);
}

const partitionsOf = (m: Member) => m.consumer.assignment().flatMap((tp) => tp.partitions);
const keys = (records: ConsumedRecord[]) => records.map((r) => `${r.partition}:${r.offset}`).sort();

test('two members split the partitions; when one leaves the other takes all and goes on from the commits; a new member resumes from them', async (t) => {
  const broker = await startBrokerFor(t);
  const client = clientFor(t, broker.bootstrap);
  const admin = new Admin(client);
  const producer = new Producer(client);
  await admin.createTopic('split', 4);
  const group = { groupId: 'splitters', topics: ['split'] };

  const a = startMember(t, broker.bootstrap, group);
  const b = startMember(t, broker.bootstrap, group);
  await waitFor('both members to hold two partitions each', () => partitionsOf(a).length === 2 && partitionsOf(b).length === 2);
  assert.deepEqual([...partitionsOf(a), ...partitionsOf(b)].sort(), [0, 1, 2, 3]);
  assert.equal(a.consumer.generationId, b.consumer.generationId);
  // The coordinator's view agrees with the members'.
  const [described] = await admin.describeGroups(['splitters']);
  assert.equal(described.state, 'Stable');
  assert.equal(described.protocol, 'range');
  assert.deepEqual(
    described.members.map((m) => [m.memberId, m.assignment]).sort(),
    [a, b].map((m) => [m.consumer.memberId, m.consumer.assignment()]).sort(),
  );

  await produceRound(producer, 'split', 4, 10, 'one');
  await waitFor('all 40 records to be read', () => a.records.length + b.records.length >= 40);
  assert.ok(a.records.every((r) => partitionsOf(a).includes(r.partition)), 'a read only its own partitions');
  assert.ok(b.records.every((r) => partitionsOf(b).includes(r.partition)), 'b read only its own partitions');
  const expectedRoundOne = [0, 1, 2, 3].flatMap((p) => Array.from({ length: 10 }, (_, i) => `${p}:${i}`)).sort();
  assert.deepEqual(keys([...a.records, ...b.records]), expectedRoundOne);

  const bRoundOne = b.records.length;
  await a.close();
  await waitFor('b to hold every partition', () => partitionsOf(b).length === 4);
  await produceRound(producer, 'split', 4, 5, 'two');
  await waitFor('b to read round two', () => b.records.length >= bRoundOne + 20);
  const afterLeave = b.records.slice(bRoundOne);
  // Nothing of round one is read again: a committed what it had read when it left.
  assert.deepEqual(keys(afterLeave), [0, 1, 2, 3].flatMap((p) => Array.from({ length: 5 }, (_, i) => `${p}:${10 + i}`)).sort());
  assert.ok(afterLeave.every((r) => r.value!.toString().startsWith('two-')));

  await b.close();
  const committed = await admin.fetchOffsets('splitters');
  assert.deepEqual(committed.map((c) => [c.topic, c.partition, c.offset]).sort(), [0, 1, 2, 3].map((p) => ['split', p, 15]));
  const [empty] = await admin.describeGroups(['splitters']);
  assert.equal(empty.state, 'Empty');

  await produceRound(producer, 'split', 4, 1, 'three');
  const c = startMember(t, broker.bootstrap, group);
  await waitFor('a new member to read round three', () => c.records.length >= 4);
  assert.deepEqual(keys(c.records), ['0:15', '1:15', '2:15', '3:15']);
  await c.close();
});

test('a member the coordinator dropped gets UNKNOWN_MEMBER_ID on its heartbeat and joins again under a new id', async (t) => {
  const broker = await startBrokerFor(t);
  const client = clientFor(t, broker.bootstrap);
  const admin = new Admin(client);
  await admin.createTopic('dropped', 2);
  const assignments: number[] = [];
  const m = startMember(t, broker.bootstrap, { groupId: 'dropped', topics: ['dropped'], onAssigned: (_, generation) => assignments.push(generation) });
  await waitFor('the member to join', () => partitionsOf(m).length === 2);
  const firstId = m.consumer.memberId;

  // Another client removes the member, as `kafka-consumer-groups --delete ... --members` would.
  const conn = await admin.coordinatorOf('dropped');
  const left = await conn.send({ request: LeaveGroupRequest, response: LeaveGroupResponse }, { groupId: 'dropped', memberId: firstId, members: [{ memberId: firstId, groupInstanceId: null }] });
  assert.equal(left.errorCode, ErrorCode.NONE);

  await waitFor('the member to rejoin with a new id', () => m.consumer.memberId !== firstId && m.consumer.memberId !== '' && partitionsOf(m).length === 2);
  assert.equal(assignments.length, 2);
  assert.ok(assignments[1] > assignments[0], `generations ${assignments.join(', ')}`);
  const [described] = await admin.describeGroups(['dropped']);
  assert.deepEqual(described.members.map((x) => x.memberId), [m.consumer.memberId]);

  // It still consumes.
  await new Producer(client).sendBatch('dropped', [{ partition: 1, key: null, value: Buffer.from('after') }]);
  await waitFor('the record produced after the rejoin', () => m.records.some((r) => r.value?.toString() === 'after'));
});

test('without a committed offset a group starts at the end (latest) or the beginning (earliest)', async (t) => {
  const broker = await startBrokerFor(t);
  const client = clientFor(t, broker.bootstrap);
  const admin = new Admin(client);
  await admin.createTopic('reset', 1);
  const producer = new Producer(client);
  await producer.sendBatch('reset', [{ key: null, value: Buffer.from('old') }]);

  const starts = new Map<string, number>();
  for (const policy of ['latest', 'earliest'] as const) {
    const m = startMember(t, broker.bootstrap, { groupId: `g-${policy}`, topics: ['reset'], autoOffsetReset: policy, onAssigned: (a) => starts.set(policy, a[0].offset) });
    await waitFor(`the ${policy} member to be assigned`, () => starts.has(policy));
    if (policy === 'earliest') await waitFor('the earliest member to read the old record', () => m.records.length === 1);
    await m.close();
    // Closing commits the position even when nothing was read, so the group's lag shows at once.
    assert.deepEqual((await admin.fetchOffsets(`g-${policy}`)).map((c) => c.offset), [1]);
  }
  assert.deepEqual(Object.fromEntries(starts), { latest: 1, earliest: 0 });
});
