// librdkafka 2.15 (@confluentinc/kafka-javascript, node-rdkafka API) consumers
// with partition.assignment.strategy cooperative-sticky, counting their
// rebalance callbacks, in the scenario of librdkafka's own test
// 0113-cooperative_rebalance l_unsubscribe: two consumers share two topics of
// two partitions, one unsubscribes, both close.
//
// That case expects one assignment callback per consumer before the
// unsubscribe, which holds only if both join the group's first generation,
// i.e. within group.initial.rebalance.delay.ms (Kafka's default 3000 ms; the
// test suite counts on it). With Sluice's default of 0 the first consumer to
// join gets a generation of its own, as it would from Kafka configured with 0,
// and the second one's arrival costs the incremental two-step rebalance of
// KIP-429: both sequences below are Kafka's protocol, callback by callback.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin, KafkaClient } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { defer, waitFor } from '../helpers/broker-process.js';
import { kafkaJavascript, loadKafkaJavascript, skipUnless } from '../helpers/interop-tools.js';

const ERR_ASSIGN_PARTITIONS = -175;
/** Ceiling on waits for rebalances; a guard that fails the test, not a synchronisation. */
const REBALANCE_WAIT_MS = 30_000;

interface CountingConsumer {
  /** The rebalance callbacks so far, as 'assign N' / 'revoke N' / 'lost N' (N partitions). */
  callbacks: string[];
  partitions(): number;
  unsubscribe(): void;
  close(): Promise<void>;
}

async function startBrokerWithTopics(t: TestContext, groupInitialRebalanceDelayMs: number): Promise<RunningBroker> {
  defer(t, () => {}); // registered first: consumers close before the broker does
  const broker = await startTestBroker(t, { groupInitialRebalanceDelayMs });
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  for (const topic of ['coop-1', 'coop-2']) await new Admin(client).createTopic(topic, 2);
  return broker;
}

async function cooperativeConsumer(t: TestContext, broker: RunningBroker, groupId: string, name: string): Promise<CountingConsumer> {
  const { KafkaConsumer } = loadKafkaJavascript();
  const callbacks: string[] = [];
  const consumer = new KafkaConsumer({
    'bootstrap.servers': broker.bootstrap,
    'group.id': groupId,
    'client.id': name,
    'partition.assignment.strategy': 'cooperative-sticky',
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
    rebalance_cb(
      this: { incrementalAssign(p: unknown[]): void; incrementalUnassign(p: unknown[]): void; assignmentLost(): boolean },
      err: { code: number },
      assignment: unknown[],
    ) {
      const assign = err.code === ERR_ASSIGN_PARTITIONS;
      callbacks.push(`${assign ? 'assign' : this.assignmentLost() ? 'lost' : 'revoke'} ${assignment.length}`);
      if (assign) this.incrementalAssign(assignment);
      else this.incrementalUnassign(assignment);
    },
  });
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err: Error | null) => (err ? reject(err) : resolve())));
  let closed = false;
  const close = () =>
    closed ? Promise.resolve() : new Promise<void>((resolve) => consumer.disconnect(() => ((closed = true), resolve())));
  defer(t, close);
  consumer.subscribe(['coop-1', 'coop-2']);
  consumer.consume();
  return { callbacks, partitions: () => consumer.assignments().length, unsubscribe: () => consumer.unsubscribe(), close };
}

test('cooperative-sticky, both consumers in the first generation (initial delay 3000 ms, as Kafka): one assignment each, then the unsubscribe of 0113 l_unsubscribe', skipUnless(kafkaJavascript), async (t) => {
  const broker = await startBrokerWithTopics(t, 3000);
  const c1 = await cooperativeConsumer(t, broker, 'coop-together', 'C_1');
  const c2 = await cooperativeConsumer(t, broker, 'coop-together', 'C_2');
  await waitFor('each consumer to hold two partitions', () => c1.partitions() === 2 && c2.partitions() === 2, REBALANCE_WAIT_MS);
  assert.deepEqual([c1.callbacks, c2.callbacks], [['assign 2'], ['assign 2']]);

  c1.unsubscribe();
  await waitFor('C_2 to hold all four partitions', () => c1.partitions() === 0 && c2.partitions() === 4, REBALANCE_WAIT_MS);
  await c1.close();
  await c2.close();
  assert.deepEqual(c1.callbacks, ['assign 2', 'revoke 2'], 'C_1: no assignment callback after it unsubscribed');
  assert.deepEqual(c2.callbacks, ['assign 2', 'assign 2', 'revoke 4']);
});

test('cooperative-sticky with the default initial delay 0: a consumer joining a Stable group costs the first one a revoke and two empty assignments (KIP-429), exactly', skipUnless(kafkaJavascript), async (t) => {
  const broker = await startBrokerWithTopics(t, 0);
  const c1 = await cooperativeConsumer(t, broker, 'coop-one-by-one', 'C_1');
  await waitFor('C_1 to hold all four partitions', () => c1.partitions() === 4, REBALANCE_WAIT_MS);
  const c2 = await cooperativeConsumer(t, broker, 'coop-one-by-one', 'C_2');
  // Empty assignments change no partition count, so the wait is for the number of callbacks too.
  await waitFor(
    'each consumer to hold two partitions, after four callbacks to C_1 and two to C_2',
    () => c1.partitions() === 2 && c2.partitions() === 2 && c1.callbacks.length >= 4 && c2.callbacks.length >= 2,
    REBALANCE_WAIT_MS,
  );
  // Generation 2: C_1 keeps two partitions and gives up two (nothing is added); C_2 gets nothing yet.
  // Generation 3, after C_1's revocation: C_2 gets the two.
  assert.deepEqual(c1.callbacks, ['assign 4', 'revoke 2', 'assign 0', 'assign 0']);
  assert.deepEqual(c2.callbacks, ['assign 0', 'assign 2']);

  c1.unsubscribe();
  await waitFor('C_2 to hold all four partitions', () => c1.partitions() === 0 && c2.partitions() === 4, REBALANCE_WAIT_MS);
  await c1.close();
  await c2.close();
  assert.deepEqual(c1.callbacks, ['assign 4', 'revoke 2', 'assign 0', 'assign 0', 'revoke 2']);
  assert.deepEqual(c2.callbacks, ['assign 0', 'assign 2', 'assign 2', 'revoke 4']);
});
