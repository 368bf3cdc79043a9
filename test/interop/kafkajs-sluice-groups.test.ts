// Sluice GroupConsumers and kafkajs 2.2.4 consumers in one group: they agree
// on the "roundrobin" protocol (kafkajs's own round-robin assigner under the
// name every other Kafka client uses for it), whichever of them leads.
// Through members joining and leaving, every Stable generation assigns each
// partition to exactly one member, no record is lost, and a consumer started
// after everyone left resumes from the committed offsets.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { startGroupMember } from '../helpers/group-member.js';

const { Kafka, logLevel, PartitionAssigners } = kafkajs;

const TOPIC = 'mixed';
const GROUP = 'mixed-group';
const PARTITIONS = 6;
/** Ceiling on waits for rebalances and consumption; a guard that fails the test, not a synchronisation. */
const GROUP_WAIT_MS = 60_000;

interface Read {
  partition: number;
  offset: number;
}

interface Member {
  name: string;
  memberId(): string;
  /** This member's partitions as it sees them (null: not known to it yet). */
  partitions(): number[] | null;
  /** Every record it read. */
  reads(): Read[];
  close(): Promise<void>;
}

/** Members close before the broker: defer's one t.after hook is registered before startTestBroker's. */
async function startBrokerFor(t: TestContext): Promise<RunningBroker> {
  defer(t, () => {});
  return startTestBroker(t);
}

function startSluiceMember(t: TestContext, bootstrap: string, name: string): Member {
  const member = startGroupMember(t, bootstrap, name, {
    groupId: GROUP,
    topics: [TOPIC],
    assignors: ['roundrobin'],
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 100,
    maxWaitMs: 100,
    autoCommitIntervalMs: 100,
  });
  return { name, memberId: () => member.consumer.memberId, partitions: member.partitions, reads: () => member.records, close: () => member.close() };
}

/** A kafkajs member; `leads()` says whether it led the generation it last joined. */
async function startKafkajsMember(t: TestContext, bootstrap: string, name: string): Promise<Member & { leads(): boolean }> {
  const reads: Read[] = [];
  const kafka = new Kafka({ brokers: [bootstrap], clientId: name, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 6000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 100,
    partitionAssigners: [(config) => ({ ...PartitionAssigners.roundRobin(config), name: 'roundrobin' })],
  });
  let memberId = '';
  let partitions: number[] | null = null;
  let leads = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    memberId = e.payload.memberId;
    leads = e.payload.isLeader;
    partitions = [...(e.payload.memberAssignment[TOPIC] ?? [])];
  });
  await consumer.connect();
  const close = () => consumer.disconnect();
  defer(t, close);
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({ autoCommitInterval: 100, eachMessage: async ({ partition, message }) => void reads.push({ partition, offset: Number(message.offset) }) });
  return { name, memberId: () => memberId, partitions: () => partitions, reads: () => reads, leads: () => leads, close };
}

/**
 * Waits until the coordinator describes the group Stable with exactly
 * `members`, under roundrobin, each member seeing the partitions the
 * coordinator lists for it; returns those partitions by member name.
 */
async function settled(admin: Admin, members: Member[]): Promise<Map<string, number[]>> {
  let byName = new Map<string, number[]>();
  await waitFor(
    `${members.map((m) => m.name).join(', ')} to settle`,
    async () => {
      const [g] = await admin.describeGroups([GROUP]);
      if (g.state !== 'Stable' || g.protocol !== 'roundrobin' || g.members.length !== members.length) return false;
      byName = new Map();
      for (const m of members) {
        const described = g.members.find((d) => d.memberId === m.memberId());
        const partitions = described?.assignment.flatMap((tp) => tp.partitions).sort((a, b) => a - b);
        if (!partitions || JSON.stringify([...(m.partitions() ?? [])].sort((a, b) => a - b)) !== JSON.stringify(partitions)) return false;
        byName.set(m.name, partitions);
      }
      return true;
    },
    GROUP_WAIT_MS,
  );
  return byName;
}

function assertEachPartitionOnce(assignment: Map<string, number[]>): void {
  assert.deepEqual([...assignment.values()].flat().sort((a, b) => a - b), Array.from({ length: PARTITIONS }, (_, i) => i));
}

test('Sluice and kafkajs members share a group under roundrobin: each partition owned once through joins and leaves, no record lost, commits resume', async (t) => {
  const broker = await startBrokerFor(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  const producer = new Producer(client);
  await admin.createTopic(TOPIC, PARTITIONS);
  let produced = 0;
  const produceRound = async (round: string) => {
    const records = [];
    for (let p = 0; p < PARTITIONS; p++) for (let i = 0; i < 5; i++) records.push({ partition: p, key: null, value: Buffer.from(`${round}-${p}-${i}`) });
    await producer.sendBatch(TOPIC, records);
    produced += 5;
  };

  await produceRound('before');
  const s1 = startSluiceMember(t, broker.bootstrap, 'sluice-1');
  assert.deepEqual((await settled(admin, [s1])).get('sluice-1'), [0, 1, 2, 3, 4, 5]);

  // A Sluice leader assigns for a kafkajs member.
  const k1 = await startKafkajsMember(t, broker.bootstrap, 'kafkajs-1');
  const two = await settled(admin, [s1, k1]);
  assert.equal(k1.leads(), false);
  assertEachPartitionOnce(two);
  assert.deepEqual([...two.values()].map((p) => p.length), [3, 3]);
  await produceRound('two-members');

  const s2 = startSluiceMember(t, broker.bootstrap, 'sluice-2');
  const three = await settled(admin, [s1, k1, s2]);
  assertEachPartitionOnce(three);
  assert.deepEqual([...three.values()].map((p) => p.length), [2, 2, 2]);
  await produceRound('three-members');

  // The leader leaves; the coordinator makes the oldest remaining member, kafkajs, lead and assign for a Sluice member.
  await s1.close();
  const after = await settled(admin, [k1, s2]);
  assert.equal(k1.leads(), true);
  assertEachPartitionOnce(after);
  assert.deepEqual([...after.values()].map((p) => p.length), [3, 3]);
  await produceRound('after-leave');

  await waitFor(
    'every record to be read',
    () => new Set([s1, k1, s2].flatMap((m) => m.reads()).map((r) => `${r.partition}:${r.offset}`)).size === PARTITIONS * produced,
    GROUP_WAIT_MS,
  );
  await k1.close();
  await s2.close();
  const committed = await admin.fetchOffsets(GROUP);
  assert.deepEqual(
    committed.map((c) => [c.partition, c.offset]).sort((a, b) => a[0] - b[0]),
    Array.from({ length: PARTITIONS }, (_, p) => [p, produced]),
  );

  // A member started later reads only what came after the commits.
  await produceRound('later');
  const late = startSluiceMember(t, broker.bootstrap, 'sluice-late');
  await waitFor('the later round to be read', () => late.reads().length >= PARTITIONS * 5, GROUP_WAIT_MS);
  assert.deepEqual(
    late.reads().map((r) => `${r.partition}:${r.offset}`).sort(),
    Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: 5 }, (_, i) => `${p}:${produced - 5 + i}`)).flat().sort(),
  );
  await late.close();
});
