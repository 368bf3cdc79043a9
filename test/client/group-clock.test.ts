// GroupConsumer on an injected clock (test/helpers/fake-clock.ts), against a
// real broker: automatic commits inside poll() wait autoCommitIntervalMs of
// that clock, and heartbeats run on it, so a member notices a rebalance
// exactly when the test moves its time on.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, GroupConsumer, KafkaClient, Producer } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startGroupMember } from '../helpers/group-member.js';

const TOPIC = 'timed';

async function setUp(t: TestContext): Promise<{ broker: RunningBroker; client: KafkaClient; admin: Admin }> {
  defer(t, () => {}); // registered first: members close before the broker does
  const broker = await startTestBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  await admin.createTopic(TOPIC, 2);
  return { broker, client, admin };
}

test('automatic commits inside poll() wait autoCommitIntervalMs of the injected clock', async (t) => {
  const { client, admin } = await setUp(t);
  await new Producer(client).sendBatch(TOPIC, [0, 0, 1, 1].map((partition) => ({ partition, key: null, value: Buffer.from('x') })));
  const clock = new FakeClock();
  const consumer = new GroupConsumer(client, {
    groupId: 'timed-commits',
    topics: [TOPIC],
    clock,
    autoOffsetReset: 'earliest',
    autoCommitIntervalMs: 5000,
    heartbeatIntervalMs: 3000,
    sessionTimeoutMs: 30_000,
    maxWaitMs: 100,
  });
  defer(t, () => consumer.close());
  let read = 0;
  while (read < 4) read += (await consumer.poll()).length;
  await consumer.poll();
  assert.deepEqual(await admin.fetchOffsets('timed-commits'), [], 'polled again before the interval: nothing committed');

  clock.advance(5000);
  await consumer.poll();
  assert.deepEqual(
    (await admin.fetchOffsets('timed-commits')).map((c) => [c.partition, c.offset]).sort(),
    [
      [0, 2],
      [1, 2],
    ],
  );
});

test('heartbeats run on the injected clock: a member notices a rebalance when its clock reaches the next heartbeat', async (t) => {
  const { broker, admin } = await setUp(t);
  const clock = new FakeClock();
  const options = { groupId: 'timed-beats', topics: [TOPIC], sessionTimeoutMs: 30_000, heartbeatIntervalMs: 1000, maxWaitMs: 100 };
  const a = startGroupMember(t, broker.bootstrap, 'a', { ...options, clock });
  await waitFor('a to hold both partitions', () => a.partitions().length === 2);
  const generation = a.consumer.generationId;
  assert.equal(clock.pending(), 1, 'the next heartbeat is due on the fake clock');

  const b = startGroupMember(t, broker.bootstrap, 'b', options);
  await waitFor('b to start a rebalance', async () => (await admin.describeGroups(['timed-beats']))[0].state === 'PreparingRebalance');
  // a sends JoinGroup only after a heartbeat tells it of the rebalance, so the group waits for a's clock.
  assert.equal(a.consumer.generationId, generation);

  clock.advance(1000);
  await waitFor('a and b to hold one partition each', () => a.partitions().length === 1 && b.partitions().length === 1);
  assert.ok(a.consumer.generationId > generation);
});
