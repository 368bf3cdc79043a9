// Cooperative rebalancing (KIP-429) between Sluice GroupConsumers offering
// 'cooperative-sticky': when a member joins, the others keep consuming the
// partitions they keep while the rebalance runs, give up (and name in
// onRevoked) only the partitions that move, and the group ends balanced with
// every partition owned once and no record lost or read twice; when a member
// leaves, the others revoke nothing and take its partitions from its commits.
//
// To hold the rebalance open without timing, one member's poll loop is
// paused (test/helpers/group-member.ts), and meanwhile another member proves
// it still reads its partitions.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { startTestBrokerBeforeClients } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { type GroupMember, cooperativeOptions, startGroupMember } from '../helpers/group-member.js';

const TOPIC = 'coop';
const GROUP = 'coop-group';


function startMember(t: TestContext, bootstrap: string, name: string): GroupMember {
  return startGroupMember(t, bootstrap, name, cooperativeOptions(GROUP, TOPIC));
}

const partitionsOf = (m: GroupMember) => m.partitions();
const ALL = [0, 1, 2, 3, 4, 5];

/** A broker with the topic (six partitions), an Admin, and a way to produce one record, `value`, to each of `partitions`. */
async function setUp(t: TestContext) {
  const broker = await startTestBrokerBeforeClients(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  const producer = new Producer(client);
  await admin.createTopic(TOPIC, ALL.length);
  const produce = (partitions: number[], value: string) => producer.sendBatch(TOPIC, partitions.map((partition) => ({ partition, key: null, value: Buffer.from(value) })));
  return { broker, admin, produce };
}

test('a member joining a cooperative-sticky group: the others read their kept partitions through the rebalance and revoke only what moves', async (t) => {
  const { broker, admin, produce } = await setUp(t);

  const a = startMember(t, broker.bootstrap, 'a');
  const c = startMember(t, broker.bootstrap, 'c');
  await waitFor('a and c to hold three partitions each', () => partitionsOf(a).length === 3 && partitionsOf(c).length === 3);
  assert.equal(a.consumer.generationId, c.consumer.generationId);
  const aBefore = partitionsOf(a);
  const cBefore = partitionsOf(c);
  await produce(ALL, 'one');
  await waitFor('the first round to be read', () => a.records.length + c.records.length === 6);

  // c stops polling, so the rebalance b starts stays open until c rejoins.
  await c.pause();
  const generationBefore = a.consumer.generationId;
  const b = startMember(t, broker.bootstrap, 'b');
  await waitFor('a to rejoin', () => a.rejoins.includes(generationBefore), 10_000);

  // a has sent JoinGroup and the coordinator waits for c: what a reads now it reads during the rebalance.
  const aRead = a.records.length;
  await produce(aBefore, 'during');
  await waitFor('a to read its partitions during the rebalance', () => a.records.length === aRead + 3, 10_000);
  const [during] = await admin.describeGroups([GROUP]);
  assert.equal(during.state, 'PreparingRebalance');
  assert.equal(a.consumer.generationId, generationBefore, 'still in the old generation');
  assert.deepEqual(a.revoked, [], 'a gave nothing up before the new assignment');

  c.resume();
  await waitFor(
    'the three members to hold two partitions each',
    () => [a, b, c].every((m) => partitionsOf(m).length === 2) && new Set([a, b, c].map((m) => m.consumer.generationId)).size === 1,
    20_000,
  );
  assert.deepEqual([a, b, c].flatMap(partitionsOf).sort(), ALL);
  // Each old member gave up exactly the one partition b took, and kept the others all along.
  for (const [m, before] of [
    [a, aBefore],
    [c, cBefore],
  ] as const) {
    assert.equal(m.revoked.length, 1);
    const lost = m.revoked[0].flatMap((tp) => tp.partitions);
    assert.equal(lost.length, 1);
    assert.ok(partitionsOf(b).includes(lost[0]));
    assert.deepEqual(partitionsOf(m), before.filter((p) => p !== lost[0]));
  }
  assert.deepEqual(b.revoked, []);

  await produce(ALL, 'after');
  const expected = 6 + 3 + 6;
  const all = () => [a, b, c].flatMap((m) => m.records);
  await waitFor('every record to be read', () => all().length >= expected, 10_000);
  const keys = all().map((r) => `${r.partition}:${r.offset}`);
  assert.equal(new Set(keys).size, keys.length, 'no record read twice');
  assert.equal(keys.length, expected);
  for (const m of [a, b, c]) {
    const last = m.records.slice(-2).map((r) => r.partition).sort();
    assert.deepEqual(last, partitionsOf(m), 'the last round was read by each partition’s owner');
  }
});

test('a member leaving a cooperative-sticky group: the others revoke nothing and share its partitions, resuming from its commits', async (t) => {
  const { broker, produce } = await setUp(t);

  const members = ['a', 'b', 'c'].map((name) => startMember(t, broker.bootstrap, name));
  const [a, b, c] = members;
  await waitFor('each member to hold two partitions', () => members.every((m) => partitionsOf(m).length === 2), 20_000);
  await produce(ALL, 'one');
  await waitFor('round one to be read', () => members.flatMap((m) => m.records).length === 6);
  const aBefore = partitionsOf(a);
  const bBefore = partitionsOf(b);
  const cBefore = partitionsOf(c);

  await c.close();
  await waitFor('a and b to hold three partitions each', () => partitionsOf(a).length === 3 && partitionsOf(b).length === 3, 20_000);
  assert.deepEqual([a, b].map((m) => m.revoked), [[], []]);
  assert.ok(aBefore.every((p) => partitionsOf(a).includes(p)));
  assert.ok(bBefore.every((p) => partitionsOf(b).includes(p)));
  assert.deepEqual([...partitionsOf(a), ...partitionsOf(b)].filter((p) => !aBefore.includes(p) && !bBefore.includes(p)).sort(), cBefore);

  await produce(ALL, 'two');
  await waitFor('round two to be read', () => a.records.length + b.records.length === 6 - c.records.length + 6);
  const roundTwo = [...a.records, ...b.records].filter((r) => r.value!.toString() === 'two');
  assert.deepEqual(roundTwo.map((r) => r.partition).sort(), ALL);
  assert.ok([...a.records, ...b.records].every((r) => r.value!.toString() === 'two' || !cBefore.includes(r.partition)), "nothing of c's partitions read again");
});
