// Sluice GroupConsumers and librdkafka 2.15 consumers (@confluentinc/
// kafka-javascript, node-rdkafka API) in one cooperative-sticky group, led by
// either: when a librdkafka member joins, the existing members keep their
// other partitions, a Sluice member keeps reading them while the rebalance
// runs, and every member gives up (onRevoked, or librdkafka's revoke
// callback) exactly the partitions that moved; the group ends with every
// partition owned once and no record lost.
//
// One Sluice member is paused (test/helpers/group-member.ts) to hold the
// rebalance open while the other proves it still reads.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { type GroupMember, cooperativeOptions, startGroupMember } from '../helpers/group-member.js';
import { type CooperativeMember, type Read, WAIT_MS, assertGaveUpOnlyWhatMoved, settled, sluiceMember, snapshot } from './cooperative-members.js';
import { kafkaJavascript, loadKafkaJavascript, skipUnless } from '../helpers/interop-tools.js';

const TOPIC = 'coop-mixed';
const PARTITIONS = 8;
const ERR_ASSIGN_PARTITIONS = -175;
interface RdkafkaPartition {
  topic: string;
  partition: number;
}

async function startRdkafkaMember(t: TestContext, bootstrap: string, groupId: string, name: string): Promise<CooperativeMember> {
  const { KafkaConsumer } = loadKafkaJavascript();
  const revoked: number[][] = [];
  const reads: Read[] = [];
  let lost = false;
  const consumer = new KafkaConsumer({
    'bootstrap.servers': bootstrap,
    'group.id': groupId,
    'client.id': name,
    'partition.assignment.strategy': 'cooperative-sticky',
    'session.timeout.ms': 10_000,
    'heartbeat.interval.ms': 200,
    'auto.offset.reset': 'earliest',
    'auto.commit.interval.ms': 100,
    'fetch.wait.max.ms': 100,
    rebalance_cb(
      this: { incrementalAssign(p: RdkafkaPartition[]): void; incrementalUnassign(p: RdkafkaPartition[]): void; assignmentLost(): boolean },
      err: { code: number },
      assignment: RdkafkaPartition[],
    ) {
      if (err.code === ERR_ASSIGN_PARTITIONS) return this.incrementalAssign(assignment);
      if (this.assignmentLost()) lost = true;
      revoked.push(assignment.map((p) => p.partition).sort((a, b) => a - b));
      this.incrementalUnassign(assignment);
    },
  });
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err: Error | null) => (err ? reject(err) : resolve())));
  defer(t, () => new Promise<void>((resolve) => consumer.disconnect(() => resolve())));
  consumer.on('data', (m: { partition: number; offset: number }) => reads.push({ partition: m.partition, offset: m.offset }));
  consumer.subscribe([TOPIC]);
  consumer.consume();
  return {
    name,
    partitions: () => (consumer.assignments() as RdkafkaPartition[]).map((p) => p.partition).sort((a, b) => a - b),
    revoked: () => revoked,
    lost: () => lost,
    reads: () => reads,
  };
}

for (const leader of ['sluice', 'librdkafka'] as const) {
  test(`cooperative-sticky with Sluice and librdkafka members (${leader} leads): a joining member moves only what it takes, and kept partitions are read through the rebalance`, skipUnless(kafkaJavascript), async (t) => {
    defer(t, () => {}); // registered first: members close before the broker does
    const broker: RunningBroker = await startTestBroker(t);
    const client = new KafkaClient({ bootstrap: broker.bootstrap });
    defer(t, () => client.close());
    const admin = new Admin(client);
    const producer = new Producer(client);
    await admin.createTopic(TOPIC, PARTITIONS);
    const groupId = `coop-mixed-${leader}`;
    let rounds = 0;
    const produceTo = async (partitions: number[]) => {
      await producer.sendBatch(TOPIC, partitions.map((partition) => ({ partition, key: null, value: Buffer.from(`round ${rounds}`) })));
      rounds++;
    };
    const all = Array.from({ length: PARTITIONS }, (_, i) => i);
    const sluiceOptions = cooperativeOptions(groupId, TOPIC);

    // The first member to join leads, and stays leader while it stays.
    const members: CooperativeMember[] = [];
    let s1: GroupMember;
    let s2: GroupMember;
    if (leader === 'librdkafka') members.push(await startRdkafkaMember(t, broker.bootstrap, groupId, 'rdkafka-1'));
    members.push(sluiceMember('sluice-1', (s1 = startGroupMember(t, broker.bootstrap, 'sluice-1', sluiceOptions))));
    await settled(admin, groupId, members, PARTITIONS);
    members.push(sluiceMember('sluice-2', (s2 = startGroupMember(t, broker.bootstrap, 'sluice-2', sluiceOptions))));
    await settled(admin, groupId, members, PARTITIONS);
    if (leader === 'sluice') {
      members.push(await startRdkafkaMember(t, broker.bootstrap, groupId, 'rdkafka-1'));
      await settled(admin, groupId, members, PARTITIONS);
    }
    await produceTo(all);
    await waitFor('the first round to be read', () => members.flatMap((m) => m.reads()).length === PARTITIONS, WAIT_MS);
    const before = snapshot(members);

    // sluice-2 holds the rebalance open; sluice-1 rejoins and goes on reading its partitions.
    await s2.pause();
    const generation = s1.consumer.generationId;
    const newcomer = await startRdkafkaMember(t, broker.bootstrap, groupId, 'rdkafka-2');
    await waitFor('sluice-1 to rejoin', () => s1.rejoins.includes(generation), WAIT_MS);
    const s1Read = s1.records.length;
    await produceTo(before.get('sluice-1')!.partitions);
    await waitFor('sluice-1 to read its partitions during the rebalance', () => s1.records.length === s1Read + before.get('sluice-1')!.partitions.length, WAIT_MS);
    assert.equal((await admin.describeGroups([groupId]))[0].state, 'PreparingRebalance');
    assert.equal(s1.consumer.generationId, generation);
    s2.resume();

    members.push(newcomer);
    await settled(admin, groupId, members, PARTITIONS);
    assert.deepEqual(members.map((m) => m.partitions().length), [2, 2, 2, 2]);
    assertGaveUpOnlyWhatMoved(members.slice(0, 3), before, newcomer);

    await produceTo(all);
    const keys = () => new Set(members.flatMap((m) => m.reads()).map((r) => `${r.partition}:${r.offset}`));
    const total = PARTITIONS * 2 + before.get('sluice-1')!.partitions.length;
    await waitFor('every record to be read', () => keys().size === total, WAIT_MS);
  });
}
