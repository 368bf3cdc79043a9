// The scenario of bench/group-rebalance.ts, for correctness only (the
// benchmark measures the time; nothing here asserts one): 50 GroupConsumers,
// each with its own connections, join one group on a 100-partition topic and
// settle on one generation in which every partition is assigned exactly once
// (two each, by the range assignor); when one member leaves, the other 49
// settle on a newer generation that again covers all 100 exactly once.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, GroupConsumer, KafkaClient } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';

const MEMBERS = 50;
const PARTITIONS = 100;
/** A guard against a group that never settles; not a synchronisation. */
const SETTLE_TIMEOUT_MS = 25_000;

interface Member {
  consumer: GroupConsumer;
  close(): Promise<void>;
}

/** Members close before the broker: defer's one t.after hook is registered before startTestBroker's. */
async function startBrokerFor(t: TestContext): Promise<RunningBroker> {
  defer(t, () => {});
  return startTestBroker(t);
}

function startMember(t: TestContext, bootstrap: string, index: number): Member {
  const client = new KafkaClient({ bootstrap, clientId: `member-${index}` });
  const consumer = new GroupConsumer(client, { groupId: 'wide-group', topics: ['wide'], sessionTimeoutMs: 10_000, heartbeatIntervalMs: 100, maxWaitMs: 100 });
  let running = true;
  const loop = (async () => {
    while (running) await consumer.poll();
  })();
  loop.catch(() => {});
  const close = async () => {
    if (!running) return;
    running = false;
    consumer.wakeup();
    await loop;
    await consumer.close();
    await client.close();
  };
  defer(t, close);
  return { consumer, close };
}

/** The generation every member is in with its assignment taken, when they all agree and together hold every partition; else null. */
function settledGeneration(members: Member[]): number | null {
  const generation = members[0].consumer.generationId;
  if (generation < 0 || members.some((m) => m.consumer.generationId !== generation)) return null;
  const held = members.flatMap((m) => m.consumer.assignment().flatMap((tp) => tp.partitions));
  return held.length >= PARTITIONS ? generation : null;
}

function assertEachPartitionOnce(members: Member[]): void {
  const held = members.flatMap((m) => m.consumer.assignment().flatMap((tp) => tp.partitions)).sort((a, b) => a - b);
  assert.deepEqual(held, Array.from({ length: PARTITIONS }, (_, i) => i));
}

test(`${MEMBERS} members on ${PARTITIONS} partitions: each partition is assigned exactly once, before and after a member leaves`, async (t) => {
  const broker = await startBrokerFor(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic('wide', PARTITIONS);

  const members = Array.from({ length: MEMBERS }, (_, i) => startMember(t, broker.bootstrap, i));
  await waitFor(`${MEMBERS} members to settle on one generation`, () => settledGeneration(members) !== null, SETTLE_TIMEOUT_MS);
  const first = settledGeneration(members)!;
  assertEachPartitionOnce(members);
  assert.ok(members.every((m) => m.consumer.assignment()[0].partitions.length === 2));
  const [group] = await admin.describeGroups(['wide-group']);
  assert.equal(group.state, 'Stable');
  assert.deepEqual(
    group.members.map((m) => [m.memberId, m.assignment]).sort(),
    members.map((m) => [m.consumer.memberId, m.consumer.assignment()]).sort(),
  );

  await members[17].close();
  const rest = members.filter((_, i) => i !== 17);
  await waitFor(`the other ${MEMBERS - 1} members to settle on a newer generation`, () => (settledGeneration(rest) ?? -1) > first, SETTLE_TIMEOUT_MS);
  assertEachPartitionOnce(rest);
  // 100 over 49 by range: the first two members (by id) take three, the others two.
  assert.deepEqual(
    rest.map((m) => m.consumer.assignment()[0].partitions.length).sort(),
    [...Array(MEMBERS - 3).fill(2), 3, 3],
  );
});
