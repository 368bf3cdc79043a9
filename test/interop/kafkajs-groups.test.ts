// Proves that kafkajs 2.2.4 consumer groups, unchanged, work against Sluice's
// group coordinator: members of a group get disjoint partitions that cover the
// topic and read every record once; a member killed with SIGKILL loses its
// partitions to the others after its session timeout, and they resume from its
// last commit (re-reading only what it read but had not committed); separate
// groups each read everything; committed offsets survive a broker crash; and a
// member of a stale generation gets ILLEGAL_GENERATION, then rejoins (raw
// requests through Sluice's own BrokerConnection); and a member that never
// sends SyncGroup is removed after the rebalance timeout even once the kafkajs
// leader has made the group Stable, as Kafka removes it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { BrokerConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { HeartbeatRequest, HeartbeatResponse } from '../../src/protocol/messages/heartbeat.js';
import { JoinGroupRequest, JoinGroupResponse } from '../../src/protocol/messages/join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from '../../src/protocol/messages/leave-group.js';
import { OffsetCommitRequest, OffsetCommitResponse } from '../../src/protocol/messages/offset-commit.js';
import { SyncGroupRequest, SyncGroupResponse } from '../../src/protocol/messages/sync-group.js';
import { startTestBrokerBeforeClients } from '../helpers/broker.js';
import { defer, makeDataDir, spawnBroker, waitFor } from '../helpers/broker-process.js';

const { Kafka, logLevel, AssignerProtocol } = kafkajs;
type Admin = ReturnType<InstanceType<typeof Kafka>['admin']>;
type Consumer = ReturnType<InstanceType<typeof Kafka>['consumer']>;

const SESSION_TIMEOUT_MS = 6000;
/** Ceiling on waits for rebalances and consumption; a guard that fails the test, not a synchronisation. */
const GROUP_WAIT_MS = 60_000;
const MEMBER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kafkajs-group-member.js');


function kafkaFor(bootstrap: string, clientId: string): InstanceType<typeof Kafka> {
  return new Kafka({ brokers: [bootstrap], clientId, logLevel: logLevel.NOTHING });
}

async function adminFor(t: TestContext, bootstrap: string): Promise<Admin> {
  const admin = kafkaFor(bootstrap, 'groups-admin').admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  return admin;
}

/** Produces `perPartition` records to each of `partitions` partitions; values name round, partition and index. */
async function produce(t: TestContext, bootstrap: string, topic: string, partitions: number, perPartition: number, round: string): Promise<void> {
  const producer = kafkaFor(bootstrap, 'groups-producer').producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const messages = [];
  for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) messages.push({ partition: p, value: `${round}-${p}-${i}` });
  await producer.send({ topic, messages });
  await producer.disconnect();
}

interface Consumed {
  by: string;
  partition: number;
  offset: number;
}

interface GroupMember {
  name: string;
  consumer: Consumer;
  /** The member id kafkajs last reported joining with ('' before its first join). */
  memberId(): string;
}

async function startConsumer(t: TestContext, bootstrap: string, groupId: string, topic: string, name: string, sink: Consumed[]): Promise<GroupMember> {
  const consumer = kafkaFor(bootstrap, name).consumer({ groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  let memberId = '';
  consumer.on(consumer.events.GROUP_JOIN, (e) => (memberId = e.payload.memberId));
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      sink.push({ by: name, partition, offset: Number(message.offset) });
    },
  });
  return { name, consumer, memberId: () => memberId };
}

/**
 * Waits until DescribeGroups shows the group Stable with exactly `memberIds()`
 * as members, and returns each member's partitions of `topic`, sorted.
 */
async function stableAssignment(admin: Admin, groupId: string, topic: string, memberIds: () => string[], timeoutMs = GROUP_WAIT_MS): Promise<Map<string, number[]>> {
  let assignment = new Map<string, number[]>();
  await waitFor(
    `group ${groupId} to be Stable with members ${memberIds().join(', ')}`,
    async () => {
      const [g] = (await admin.describeGroups([groupId])).groups;
      const expected = memberIds();
      if (g.state !== 'Stable' || g.members.length !== expected.length) return false;
      if (!expected.every((id) => g.members.some((m) => m.memberId === id))) return false;
      assignment = new Map(
        g.members.map((m) => [m.memberId, [...(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])].sort((a, b) => a - b)]),
      );
      return true;
    },
    timeoutMs,
  );
  return assignment;
}

/** Committed offset per partition (-1 when none). */
async function committed(admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
}

async function waitCommitted(admin: Admin, groupId: string, topic: string, partitions: number[], offset: number): Promise<void> {
  await waitFor(
    `${groupId} to commit offset ${offset} on partitions ${partitions.join(',')} of ${topic}`,
    async () => {
      const c = await committed(admin, groupId, topic);
      return partitions.every((p) => c.get(p) === offset);
    },
    GROUP_WAIT_MS,
  );
}

function keysOf(records: { partition: number; offset: number }[]): string[] {
  return records.map((r) => `${r.partition}:${r.offset}`).sort();
}

function range(from: number, to: number): number[] {
  return [...Array(to - from).keys()].map((i) => from + i);
}

const ALL_SIX = range(0, 6);

// --- a group member in a child process ---------------------------------------

interface MemberEvent {
  event: string;
  memberId?: string;
  partition?: number;
  offset?: number;
}

interface ChildMember {
  memberId(): string;
  records(): { partition: number; offset: number }[];
  events: MemberEvent[];
  send(command: string): void;
  kill9(): Promise<void>;
}

function spawnMember(t: TestContext, bootstrap: string, topic: string, groupId: string): ChildMember {
  const child = spawn(process.execPath, [MEMBER_SCRIPT, bootstrap, topic, groupId, String(SESSION_TIMEOUT_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: MemberEvent[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line) as MemberEvent));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  defer(t, kill9);
  return {
    events,
    memberId: () => events.filter((e) => e.event === 'joined').at(-1)?.memberId ?? '',
    records: () => events.filter((e) => e.event === 'record').map((e) => ({ partition: e.partition!, offset: e.offset! })),
    send: (command) => child.stdin!.write(command + '\n'),
    kill9,
  };
}

// --- tests -------------------------------------------------------------------

test('three consumers in one group split six partitions between them and read every record once', async (t) => {
  const broker = await startTestBrokerBeforeClients(t);
  const admin = await adminFor(t, broker.bootstrap);
  await admin.createTopics({ topics: [{ topic: 'split', numPartitions: 6 }] });
  const consumed: Consumed[] = [];
  const members: GroupMember[] = [];
  for (const name of ['c1', 'c2', 'c3']) members.push(await startConsumer(t, broker.bootstrap, 'split-group', 'split', name, consumed));

  const assignment = await stableAssignment(admin, 'split-group', 'split', () => members.map((m) => m.memberId()));
  assert.deepEqual([...assignment.values()].flat().sort((a, b) => a - b), ALL_SIX, 'disjoint, and together all six partitions');
  for (const parts of assignment.values()) assert.equal(parts.length, 2);
  const ownerOf = new Map<number, string>();
  for (const m of members) for (const p of assignment.get(m.memberId())!) ownerOf.set(p, m.name);

  await produce(t, broker.bootstrap, 'split', 6, 50, 'r');
  await waitCommitted(admin, 'split-group', 'split', ALL_SIX, 50);
  assert.deepEqual(keysOf(consumed), keysOf(ALL_SIX.flatMap((partition) => range(0, 50).map((offset) => ({ partition, offset })))));
  for (const c of consumed) assert.equal(c.by, ownerOf.get(c.partition), `partition ${c.partition} was read by ${c.by}, not its owner`);
});

test('a member killed without leaving loses its partitions after the session timeout; the others resume from its last commit', async (t) => {
  const broker = await startTestBrokerBeforeClients(t);
  const admin = await adminFor(t, broker.bootstrap);
  await admin.createTopics({ topics: [{ topic: 'crash', numPartitions: 6 }] });
  const consumed: Consumed[] = [];
  const survivors = [
    await startConsumer(t, broker.bootstrap, 'crash-group', 'crash', 'a', consumed),
    await startConsumer(t, broker.bootstrap, 'crash-group', 'crash', 'b', consumed),
  ];
  const doomed = spawnMember(t, broker.bootstrap, 'crash', 'crash-group');
  const assignment = await stableAssignment(admin, 'crash-group', 'crash', () => [...survivors.map((s) => s.memberId()), doomed.memberId()]);
  const doomedParts = assignment.get(doomed.memberId())!;
  const survivorParts = ALL_SIX.filter((p) => !doomedParts.includes(p));
  assert.equal(doomedParts.length, 2);

  // Round 1: everyone reads and commits offsets 0-9.
  await produce(t, broker.bootstrap, 'crash', 6, 10, 'r1');
  await waitFor('the child member to read round 1', () => doomed.records().length === 2 * 10, GROUP_WAIT_MS);
  doomed.send('commit');
  await waitFor('the child member to commit', () => doomed.events.some((e) => e.event === 'committed'), GROUP_WAIT_MS);
  await waitCommitted(admin, 'crash-group', 'crash', ALL_SIX, 10);

  // Round 2: the child reads offsets 10-19 of its partitions but never commits them.
  await produce(t, broker.bootstrap, 'crash', 6, 10, 'r2');
  await waitFor('the child member to read round 2', () => doomed.records().length === 2 * 20, GROUP_WAIT_MS);
  await waitCommitted(admin, 'crash-group', 'crash', survivorParts, 20);
  const consumedBeforeKill = consumed.length;

  const killedAt = Date.now();
  await doomed.kill9();
  const after = await stableAssignment(admin, 'crash-group', 'crash', () => survivors.map((s) => s.memberId()));
  const takeoverMs = Date.now() - killedAt;
  assert.ok(takeoverMs >= SESSION_TIMEOUT_MS - 1500, `partitions moved ${takeoverMs} ms after the kill, before the ${SESSION_TIMEOUT_MS} ms session timeout`);
  assert.deepEqual([...after.values()].flat().sort((a, b) => a - b), ALL_SIX);

  await waitCommitted(admin, 'crash-group', 'crash', ALL_SIX, 20);
  // Exactly what the child had read but not committed is read again; nothing committed is.
  assert.deepEqual(
    keysOf(consumed.slice(consumedBeforeKill)),
    keysOf(doomedParts.flatMap((partition) => range(10, 20).map((offset) => ({ partition, offset })))),
  );

  // Round 3: the two survivors read everything new exactly once.
  const beforeRound3 = consumed.length;
  await produce(t, broker.bootstrap, 'crash', 6, 10, 'r3');
  await waitCommitted(admin, 'crash-group', 'crash', ALL_SIX, 30);
  assert.deepEqual(keysOf(consumed.slice(beforeRound3)), keysOf(ALL_SIX.flatMap((partition) => range(20, 30).map((offset) => ({ partition, offset })))));
});

test('two groups on one topic each read every record', async (t) => {
  const broker = await startTestBrokerBeforeClients(t);
  const admin = await adminFor(t, broker.bootstrap);
  await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 3 }] });
  const left: Consumed[] = [];
  const right: Consumed[] = [];
  const leftMembers = [
    await startConsumer(t, broker.bootstrap, 'left', 'shared', 'left-1', left),
    await startConsumer(t, broker.bootstrap, 'left', 'shared', 'left-2', left),
  ];
  const rightMember = await startConsumer(t, broker.bootstrap, 'right', 'shared', 'right-1', right);
  await stableAssignment(admin, 'left', 'shared', () => leftMembers.map((m) => m.memberId()));
  await stableAssignment(admin, 'right', 'shared', () => [rightMember.memberId()]);

  await produce(t, broker.bootstrap, 'shared', 3, 20, 'r');
  await waitCommitted(admin, 'left', 'shared', [0, 1, 2], 20);
  await waitCommitted(admin, 'right', 'shared', [0, 1, 2], 20);
  const everything = keysOf([0, 1, 2].flatMap((partition) => range(0, 20).map((offset) => ({ partition, offset }))));
  assert.deepEqual(keysOf(left), everything);
  assert.deepEqual(keysOf(right), everything);
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
  assert.deepEqual(groups, ['left', 'right']);
});

test('committed offsets survive a broker crash (kill -9) and a new consumer of the group resumes from them', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await spawnBroker(t, { dataDir });
  const admin = kafkaFor(first.bootstrap, 'crash-admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 3 }] });
  await produce(t, first.bootstrap, 'durable', 3, 10, 'before');
  const firstRun: Consumed[] = [];
  const reader = await startConsumer(t, first.bootstrap, 'durable-group', 'durable', 'first-run', firstRun);
  await waitCommitted(admin, 'durable-group', 'durable', [0, 1, 2], 10);
  await reader.consumer.disconnect();
  await admin.disconnect();
  await first.kill9();

  const second = await spawnBroker(t, { dataDir });
  const admin2 = await adminFor(t, second.bootstrap);
  assert.deepEqual(
    [...(await committed(admin2, 'durable-group', 'durable'))].sort(),
    [
      [0, 10],
      [1, 10],
      [2, 10],
    ],
  );
  await produce(t, second.bootstrap, 'durable', 3, 5, 'after');
  const secondRun: Consumed[] = [];
  await startConsumer(t, second.bootstrap, 'durable-group', 'durable', 'second-run', secondRun);
  await waitCommitted(admin2, 'durable-group', 'durable', [0, 1, 2], 15);
  assert.deepEqual(keysOf(secondRun), keysOf([0, 1, 2].flatMap((partition) => range(10, 15).map((offset) => ({ partition, offset })))));
});

test('a member of a stale generation gets ILLEGAL_GENERATION and rejoins (raw JoinGroup/SyncGroup/Heartbeat)', async (t) => {
  const broker = await startTestBrokerBeforeClients(t);
  const JOIN = { request: JoinGroupRequest, response: JoinGroupResponse };
  const SYNC = { request: SyncGroupRequest, response: SyncGroupResponse };
  const HEARTBEAT = { request: HeartbeatRequest, response: HeartbeatResponse };
  const COMMIT = { request: OffsetCommitRequest, response: OffsetCommitResponse };
  const LEAVE = { request: LeaveGroupRequest, response: LeaveGroupResponse };
  const connect = async (clientId: string) => {
    const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId });
    defer(t, () => conn.close());
    return conn;
  };
  // a speaks the versions kafkajs uses; b the flexible ones (JoinGroup v7, SyncGroup/Heartbeat v4).
  const a = { conn: await connect('raw-a'), join: 5, sync: 3, heartbeat: 3 };
  const b = { conn: await connect('raw-b'), join: 7, sync: 4, heartbeat: 4 };
  type Side = typeof a;
  const join = (s: Side, memberId: string) =>
    s.conn.sendVersion(JOIN, s.join, {
      groupId: 'raw',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('subscription') }],
    });
  const sync = (s: Side, memberId: string, generationId: number, assignments: { memberId: string; assignment: Buffer }[] = []) =>
    s.conn.sendVersion(SYNC, s.sync, { groupId: 'raw', generationId, memberId, groupInstanceId: null, assignments });
  const heartbeat = async (s: Side, memberId: string, generationId: number) =>
    (await s.conn.sendVersion(HEARTBEAT, s.heartbeat, { groupId: 'raw', generationId, memberId, groupInstanceId: null })).errorCode;

  // a joins alone: KIP-394 first hands out its member id.
  const aFirst = await join(a, '');
  assert.equal(aFirst.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const idA: string = aFirst.memberId;
  const gen1 = await join(a, idA);
  assert.deepEqual([gen1.errorCode, gen1.generationId, gen1.leader], [ErrorCode.NONE, 1, idA]);
  assert.equal((await sync(a, idA, 1, [{ memberId: idA, assignment: Buffer.from('all') }])).assignment.toString(), 'all');

  // b joins; a learns of the rebalance from its heartbeat and rejoins: generation 2.
  const bFirst = await join(b, '');
  assert.equal(bFirst.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const idB: string = bFirst.memberId;
  const bJoin = join(b, idB);
  assert.equal(await heartbeat(a, idA, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  const [aGen2, bGen2] = await Promise.all([join(a, idA), bJoin]);
  assert.equal(aGen2.generationId, 2);
  assert.equal(bGen2.generationId, 2);
  assert.equal(bGen2.protocolType, 'consumer', 'JoinGroup v7 echoes the protocol type');
  assert.equal(aGen2.leader, idA);
  assert.deepEqual(aGen2.members.map((m: { memberId: string }) => m.memberId).sort(), [idA, idB].sort());
  assert.deepEqual(bGen2.members, []);
  const bSync = sync(b, idB, 2);
  await sync(a, idA, 2, [
    { memberId: idA, assignment: Buffer.from('half-a') },
    { memberId: idB, assignment: Buffer.from('half-b') },
  ]);
  assert.equal((await bSync).assignment.toString(), 'half-b');

  // b still speaks as generation 1: refused, for heartbeats and commits alike.
  assert.equal(await heartbeat(b, idB, 1), ErrorCode.ILLEGAL_GENERATION);
  await broker.broker.createTopic('raw-topic', 1, {});
  const commit = await b.conn.sendVersion(COMMIT, 5, {
    groupId: 'raw',
    generationIdOrMemberEpoch: 1,
    memberId: idB,
    topics: [{ name: 'raw-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
  });
  assert.equal(commit.topics[0].partitions[0].errorCode, ErrorCode.ILLEGAL_GENERATION);

  // It rejoins with its member id: a follower with unchanged metadata gets generation 2 back, no rebalance.
  const bAgain = await join(b, idB);
  assert.deepEqual([bAgain.errorCode, bAgain.generationId, bAgain.leader], [ErrorCode.NONE, 2, idA]);
  assert.equal((await sync(b, idB, 2)).assignment.toString(), 'half-b');
  assert.equal(await heartbeat(b, idB, 2), ErrorCode.NONE);
  assert.equal(await heartbeat(a, idA, 2), ErrorCode.NONE);

  // LeaveGroup v3 names members in a list; the one left behind is told to rejoin at once.
  const left = await b.conn.sendVersion(LEAVE, 3, { groupId: 'raw', members: [{ memberId: idB, groupInstanceId: null }] });
  assert.deepEqual([left.errorCode, left.members[0].errorCode], [ErrorCode.NONE, ErrorCode.NONE]);
  assert.equal(await heartbeat(a, idA, 2), ErrorCode.REBALANCE_IN_PROGRESS);
});

test('a member that never sends SyncGroup is removed after the rebalance timeout though the kafkajs leader made the group Stable; kafkajs then takes every partition', async (t) => {
  // Kafka's pending-sync expiry (KAFKA-12890): the sync phase is bounded by the
  // members' largest rebalance timeout from the join's completion, Stable or not.
  const broker = await startTestBrokerBeforeClients(t);
  const admin = await adminFor(t, broker.bootstrap);
  await admin.createTopics({ topics: [{ topic: 'unsynced', numPartitions: 2 }] });
  const REBALANCE_MS = 3000;
  const consumer = kafkaFor(broker.bootstrap, 'syncing-leader').consumer({
    groupId: 'unsynced-group',
    sessionTimeout: SESSION_TIMEOUT_MS,
    rebalanceTimeout: REBALANCE_MS,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  const assigned: number[][] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => assigned.push([...(e.payload.memberAssignment.unsynced ?? [])].sort((a, b) => a - b)));
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topics: ['unsynced'], fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  await waitFor('kafkajs to hold both partitions', () => assigned.at(-1)?.length === 2, GROUP_WAIT_MS);

  // A member (raw requests) that joins, heartbeats, and never sends SyncGroup.
  const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId: 'never-syncs' });
  defer(t, () => conn.close());
  const JOIN = { request: JoinGroupRequest, response: JoinGroupResponse };
  const join = (memberId: string) =>
    conn.sendVersion(JOIN, 5, {
      groupId: 'unsynced-group',
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: REBALANCE_MS,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['unsynced'], userData: Buffer.alloc(0) }) }],
    });
  const first = await join('');
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const joined = await join(first.memberId);
  const joinedAt = Date.now();
  assert.equal(joined.errorCode, ErrorCode.NONE);
  let heard: number = ErrorCode.NONE;
  const beat = setInterval(() => {
    conn
      .sendVersion({ request: HeartbeatRequest, response: HeartbeatResponse }, 3, { groupId: 'unsynced-group', generationId: joined.generationId, memberId: first.memberId, groupInstanceId: null })
      .then((res) => (heard = res.errorCode), () => {});
  }, 300);
  defer(t, () => clearInterval(beat));

  await waitFor('the member that never synced to be removed', () => heard === ErrorCode.UNKNOWN_MEMBER_ID, GROUP_WAIT_MS);
  clearInterval(beat);
  assert.ok(Date.now() - joinedAt >= REBALANCE_MS - 500, `removed ${Date.now() - joinedAt} ms after the join, before the rebalance timeout`);
  assert.ok(assigned.some((partitions) => partitions.length === 1), 'kafkajs shared the partitions while the member was in the group');
  await waitFor('kafkajs to hold both partitions again', () => assigned.at(-1)?.length === 2, GROUP_WAIT_MS);
});
