// librdkafka 2.15 (@confluentinc/kafka-javascript 1.10.1) consumers on the
// consumer group protocol of Kafka 4 (KIP-848, group.protocol=consumer)
// against a real broker: members split a topic's partitions, disjoint and
// complete, as its admin client's describeGroups (ConsumerGroupDescribe)
// shows; members that leave or are killed hand their partitions over while
// the others keep reading; committed offsets survive a broker restart, after
// which members rejoin (the broker keeps consumer-protocol groups in memory);
// classic members (kafkajs) and consumer-protocol members share one group,
// whichever came first (KIP-848 online migration); regex subscriptions and
// new partitions reach the members.
// The broker's heartbeat interval and session timeout are set small, so moves
// take a couple of seconds.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { defer, makeDataDir, waitFor } from '../helpers/broker-process.js';
import { startTestBroker } from '../helpers/broker.js';
import { kafkaJavascript, loadKafkaJavascript, skipUnless } from '../helpers/interop-tools.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';

const HEARTBEAT_MS = 200;
const SESSION_MS = 2000;
const BROKER_CONFIG = { groupConsumerHeartbeatIntervalMs: HEARTBEAT_MS, groupConsumerSessionTimeoutMs: SESSION_MS };
/** Ceiling on waits for assignments and records; a guard that fails the test, not a synchronisation. */
const WAIT_MS = 30_000;
const MEMBER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'librdkafka-consumer-member.js');
/** ConsumerGroupTypes.CONSUMER of kafka-javascript's admin client. */
const CONSUMER_GROUP_TYPE = 1;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Read {
  by: string;
  partition: number;
  offset: number;
  value: string;
  /** When it was read (ms). */
  at: number;
}

interface Member {
  name: string;
  partitions(): number[];
  disconnect(): Promise<void>;
}

/** `fn` run on the first call only; later calls resolve at once (a member disconnected by the test and again at cleanup). */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await fn();
  };
}

function kafkaFor(bootstrap: string): Any {
  const { Kafka } = loadKafkaJavascript().KafkaJS;
  return new Kafka({ kafkaJS: { brokers: [bootstrap], logLevel: 0 } });
}

async function adminFor(t: TestContext, kafka: Any): Promise<Any> {
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  return admin;
}

/**
 * A broker with small consumer-group timeouts, a kafka-javascript client and
 * admin, and `topic`. Clients registered later with defer disconnect before
 * the broker closes (defer's hooks, registered here first, run first).
 */
async function setUp(t: TestContext, topic: string, partitions: number): Promise<{ broker: RunningBroker; kafka: Any; admin: Any }> {
  defer(t, () => {});
  const broker = await startTestBroker(t, BROKER_CONFIG);
  const kafka = kafkaFor(broker.bootstrap);
  const admin = await adminFor(t, kafka);
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  return { broker, kafka, admin };
}

/** A consumer-protocol member reading `topic` from the start, auto-committing every 200 ms; every record read lands in `reads`. */
async function startMember(t: TestContext, kafka: Any, groupId: string, topic: string, name: string, reads: Read[]): Promise<Member> {
  const consumer = kafka.consumer({
    kafkaJS: { groupId, fromBeginning: true, autoCommit: true, autoCommitInterval: 200 },
    'group.protocol': 'consumer',
    'client.id': name,
  });
  await consumer.connect();
  const disconnect = once(() => consumer.disconnect());
  defer(t, disconnect);
  await consumer.subscribe({ topic });
  await consumer.run({
    eachMessage: async ({ partition, message }: Any) => {
      reads.push({ by: name, partition, offset: Number(message.offset), value: message.value.toString(), at: Date.now() });
    },
  });
  return {
    name,
    partitions: () => (consumer.assignment() as { topic: string; partition: number }[]).filter((a) => a.topic === topic).map((a) => a.partition).sort((x, y) => x - y),
    disconnect,
  };
}

/** A member in a child process (librdkafka-consumer-member.ts), killed with SIGKILL by kill9(). */
function spawnMember(t: TestContext, bootstrap: string, topic: string, groupId: string, reads: Read[]): { kill9(): Promise<void> } {
  const child = spawn(process.execPath, [MEMBER_SCRIPT, bootstrap, topic, groupId], { stdio: ['ignore', 'pipe', 'inherit'] });
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const r = JSON.parse(line) as Omit<Read, 'by' | 'at'>;
    reads.push({ ...r, by: 'killed', at: Date.now() });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  defer(t, kill9);
  return { kill9 };
}

/** Client id -> partitions of `topic`, from the admin client's describeGroups (ConsumerGroupDescribe). */
async function describedAssignment(admin: Any, groupId: string, topic: string): Promise<Map<string, number[]>> {
  const { groups } = await admin.describeGroups([groupId]);
  const out = new Map<string, number[]>();
  for (const m of groups[0].members) {
    const parts = (m.assignment?.topicPartitions ?? []).filter((tp: Any) => tp.topic === topic).map((tp: Any) => tp.partition);
    out.set(m.clientId, parts.sort((x: number, y: number) => x - y));
  }
  return out;
}

function isPartitionOf(shares: number[][], count: number): boolean {
  const all = shares.flat();
  return all.length === count && new Set(all).size === count;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('consumer-protocol members split a topic\'s partitions, disjoint and complete, read each record once, and ConsumerGroupDescribe shows the split', skipUnless(kafkaJavascript), async (t) => {
  const { kafka, admin } = await setUp(t, 'split', 6);
  const reads: Read[] = [];
  const members: Member[] = [];
  for (const name of ['c1', 'c2', 'c3']) members.push(await startMember(t, kafka, 'split-group', 'split', name, reads));

  await waitFor('three members with two partitions each', () => isPartitionOf(members.map((m) => m.partitions()), 6) && members.every((m) => m.partitions().length === 2), WAIT_MS);
  const { groups } = await admin.describeGroups(['split-group']);
  assert.equal(groups[0].type, CONSUMER_GROUP_TYPE);
  assert.equal(groups[0].partitionAssignor, 'uniform');
  const described = await describedAssignment(admin, 'split-group', 'split');
  for (const m of members) assert.deepEqual(described.get(m.name), m.partitions(), `${m.name}'s assignment as the broker describes it`);

  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: 'split', messages: range(60).map((i) => ({ partition: i % 6, value: `r${i}` })) });
  await waitFor('every record read', () => reads.length >= 60, WAIT_MS);
  assert.deepEqual(reads.map((r) => r.value).sort(), range(60).map((i) => `r${i}`).sort(), 'each record read once');
  const owner = new Map(members.flatMap((m) => m.partitions().map((p) => [p, m.name] as const)));
  for (const r of reads) assert.equal(r.by, owner.get(r.partition), `partition ${r.partition} read by its owner`);
});

test('a member that leaves and one killed with SIGKILL hand their partitions to the others, who keep reading; only the killed member\'s uncommitted records are read twice', skipUnless(kafkaJavascript), async (t) => {
  const { broker, kafka, admin } = await setUp(t, 'moves', 6);
  const reads: Read[] = [];
  const [c1, c2, leaver] = [await startMember(t, kafka, 'moves-group', 'moves', 'c1', reads), await startMember(t, kafka, 'moves-group', 'moves', 'c2', reads), await startMember(t, kafka, 'moves-group', 'moves', 'leaver', reads)];
  const killed = spawnMember(t, broker.bootstrap, 'moves', 'moves-group', reads);
  await waitFor('four members share the six partitions', async () => {
    const shares = await describedAssignment(admin, 'moves-group', 'moves');
    return shares.size === 4 && isPartitionOf([...shares.values()], 6) && [...shares.values()].every((s) => s.length > 0);
  }, WAIT_MS);

  // One record after another, round-robin over the partitions, until told to stop.
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  let sent = 0;
  let producing = true;
  const producing$ = (async () => {
    while (producing) {
      await producer.send({ topic: 'moves', messages: [{ partition: sent % 6, value: String(sent) }] });
      sent++;
    }
  })();
  await waitFor('every member reading', () => ['c1', 'c2', 'leaver', 'killed'].every((by) => reads.some((r) => r.by === by)), WAIT_MS);

  const movesStart = Date.now();
  await leaver.disconnect();
  await waitFor('the leaver\'s partitions moved', async () => {
    const shares = await describedAssignment(admin, 'moves-group', 'moves');
    return shares.size === 3 && isPartitionOf([...shares.values()], 6);
  }, WAIT_MS);
  const killedPartitions = (await describedAssignment(admin, 'moves-group', 'moves')).get('killable-member')!;
  await killed.kill9();
  await waitFor('the killed member\'s partitions moved after its session timeout', () => isPartitionOf([c1.partitions(), c2.partitions()], 6), WAIT_MS);
  const movesEnd = Date.now();
  const sentAtTakeover = sent;
  await waitFor('records sent after the takeover', () => sent >= sentAtTakeover + 60, WAIT_MS);
  producing = false;
  await producing$;

  await waitFor('every record read', () => new Set(reads.map((r) => r.value)).size === sent, WAIT_MS);
  const times = new Map<string, Read[]>();
  for (const r of reads) times.set(r.value, [...(times.get(r.value) ?? []), r]);
  for (const [value, copies] of times) {
    if (copies.length === 1) continue;
    assert.ok(killedPartitions.includes(copies[0].partition), `record ${value} of partition ${copies[0].partition} read ${copies.length} times (${copies.map((c) => c.by)}), not on the killed member's partitions ${killedPartitions}`);
  }
  // Nobody stops: the members that stay read on through both moves, with no pause near a session timeout.
  for (const by of ['c1', 'c2']) {
    const at = reads.filter((r) => r.by === by && r.at >= movesStart && r.at <= movesEnd).map((r) => r.at);
    assert.ok(at.length > 0, `${by} read during the moves`);
    let gap = 0;
    for (let i = 1; i < at.length; i++) gap = Math.max(gap, at[i] - at[i - 1]);
    gap = Math.max(gap, at[0] - movesStart, movesEnd - at.at(-1)!);
    assert.ok(gap < SESSION_MS / 2, `${by} paused ${gap} ms during the moves (${movesEnd - movesStart} ms)`);
  }
});

test('committed offsets survive a broker restart; the member rejoins by itself and reads on from them, and so does a new member', skipUnless(kafkaJavascript), async (t) => {
  defer(t, () => {});
  const dataDir = await makeDataDir(t, 'sluice-kip848-');
  const first = await startRestartableBroker(t, dataDir, 0, undefined, BROKER_CONFIG);
  const kafka = kafkaFor(first.bootstrap);
  const admin = await adminFor(t, kafka);
  await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const send = (from: number, n: number) => producer.send({ topic: 'durable', messages: range(n).map((i) => ({ partition: (from + i) % 3, value: `r${from + i}` })) });
  const committed = async () => {
    // Topics without a committed offset are left out of the answer.
    const offsets: Any[] = await admin.fetchOffsets({ groupId: 'durable-group', topics: ['durable'] });
    return (offsets[0]?.partitions ?? []).reduce((sum: number, p: Any) => sum + Math.max(0, Number(p.offset)), 0);
  };

  const reads: Read[] = [];
  const member = await startMember(t, kafka, 'durable-group', 'durable', 'm1', reads);
  await send(0, 30);
  await waitFor('30 records read and committed', async () => reads.length >= 30 && (await committed()) === 30, WAIT_MS);

  await first.close();
  const second = await startRestartableBroker(t, dataDir, first.port, undefined, BROKER_CONFIG);
  await waitFor('the member rejoined the restarted broker', () => second.groups.describeConsumerGroup('durable-group').members.length === 1, WAIT_MS);
  await send(30, 15);
  await waitFor('the 15 new records read', () => reads.length >= 45, WAIT_MS);
  await waitFor('45 committed', async () => (await committed()) === 45, WAIT_MS);
  await member.disconnect();

  const fresh: Read[] = [];
  await startMember(t, kafka, 'durable-group', 'durable', 'm2', fresh);
  await send(45, 6);
  await waitFor('a new member reads the 6 records after the committed offsets', () => fresh.length >= 6, WAIT_MS);
  assert.deepEqual(reads.map((r) => r.value).sort(), range(45).map((i) => `r${i}`).sort(), 'the first member read each record once, across the restart');
  assert.deepEqual(fresh.map((r) => r.value).sort(), range(6).map((i) => `r${45 + i}`).sort(), 'the new member started from the committed offsets');
});

/** A kafkajs 2.2.4 member: the classic protocol; its partitions as its last JoinGroup/SyncGroup gave them. */
async function startClassicMember(t: TestContext, bootstrap: string, groupId: string, topic: string, reads: Read[]): Promise<Member> {
  const kafka = new kafkajs.Kafka({ brokers: [bootstrap], clientId: 'classic', logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => (assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((x, y) => x - y)));
  await consumer.connect();
  const disconnect = once(() => consumer.disconnect());
  defer(t, disconnect);
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      reads.push({ by: 'classic', partition, offset: Number(message.offset), value: message.value!.toString(), at: Date.now() });
    },
  });
  return { name: 'classic', partitions: () => assigned, disconnect };
}

for (const classicFirst of [false, true]) {
  const order = classicFirst ? 'a classic group upgraded by a consumer-protocol member' : 'a classic member joining a consumer-protocol group';
  test(`classic and consumer-protocol members share one group (${order}): disjoint and complete, each record read once, and a leaver's partitions move`, skipUnless(kafkaJavascript), async (t) => {
    const { broker, kafka } = await setUp(t, 'mixed', 6);
    const reads: Read[] = [];
    const start = (which: 'classic' | 'consumer') =>
      which === 'classic' ? startClassicMember(t, broker.bootstrap, 'mixed-group', 'mixed', reads) : startMember(t, kafka, 'mixed-group', 'mixed', 'consumer', reads);
    const [firstKind, secondKind] = classicFirst ? (['classic', 'consumer'] as const) : (['consumer', 'classic'] as const);
    const first = await start(firstKind);
    await waitFor(`the ${firstKind} member alone holds all six partitions`, () => first.partitions().length === 6, WAIT_MS);
    const second = await start(secondKind);
    await waitFor('both members share the six partitions', () => isPartitionOf([first.partitions(), second.partitions()], 6) && second.partitions().length > 0 && first.partitions().length > 0, WAIT_MS);
    const described = broker.groups.describeConsumerGroup('mixed-group');
    assert.equal(described.errorCode, 0, 'a consumer-protocol group');
    assert.deepEqual(described.members.map((m) => (m.classicMetadata === null ? 'consumer' : 'classic')).sort(), ['classic', 'consumer']);

    const producer = kafka.producer();
    await producer.connect();
    defer(t, () => producer.disconnect());
    await producer.send({ topic: 'mixed', messages: range(60).map((i) => ({ partition: i % 6, value: `r${i}` })) });
    await waitFor('every record read', () => reads.length >= 60, WAIT_MS);
    assert.deepEqual(reads.map((r) => r.value).sort(), range(60).map((i) => `r${i}`).sort(), 'each record read once');
    const owner = new Map([first, second].flatMap((m) => m.partitions().map((p) => [p, m.name] as const)));
    for (const r of reads) assert.equal(r.by, owner.get(r.partition), `partition ${r.partition} read by its owner`);

    await first.disconnect();
    await waitFor('the remaining member holds all six partitions', () => second.partitions().length === 6, WAIT_MS);
  });
}

test('a regex subscription takes in a matching topic created later, and a subscribed topic\'s new partitions are assigned, each a new group epoch', skipUnless(kafkaJavascript), async (t) => {
  const { broker, kafka, admin } = await setUp(t, 're-a', 2);
  await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 2 }] });
  const consumer = kafka.consumer({ kafkaJS: { groupId: 'regex-group', fromBeginning: true }, 'group.protocol': 'consumer' });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topics: [/^re-.*/, 'grow'] });
  await consumer.run({ eachMessage: async () => {} });
  const assigned = () => (consumer.assignment() as { topic: string; partition: number }[]).map((a) => `${a.topic}-${a.partition}`).sort();
  await waitFor('re-a and grow assigned', () => assigned().length === 4, WAIT_MS);
  assert.deepEqual(assigned(), ['grow-0', 'grow-1', 're-a-0', 're-a-1']);
  const epoch = broker.groups.describeConsumerGroup('regex-group').groupEpoch;

  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  await new Admin(client).createTopic('re-b', 1);
  await waitFor('the new matching topic assigned', () => assigned().includes('re-b-0'), WAIT_MS);
  await new Admin(client).createPartitions('grow', 3);
  await waitFor('the new partition assigned', () => assigned().includes('grow-2'), WAIT_MS);
  assert.deepEqual(assigned(), ['grow-0', 'grow-1', 'grow-2', 're-a-0', 're-a-1', 're-b-0']);
  assert.equal(broker.groups.describeConsumerGroup('regex-group').groupEpoch, epoch + 2);
});
