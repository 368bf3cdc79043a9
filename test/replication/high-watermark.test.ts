// The leader's high watermark over the ISR and what acks=all answers: a write
// is acknowledged once every ISR follower has reported it; min.insync.replicas
// refuses it before the append (NOT_ENOUGH_REPLICAS) or after, when the ISR
// shrank below it while it waited (NOT_ENOUGH_REPLICAS_AFTER_APPEND); a
// leader that lost leadership or its registration answers
// NOT_LEADER_OR_FOLLOWER. The follower is played by the test, reporting
// by calling the leader's partition, as its Fetch path does for followers.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { produceTo, startCluster, until, whenRole } from './brokers.js';

/** Broker 1 leads; replica 2 is played by the test. */
async function twoReplicas(t: TestContext, topic: string, minInsync: number) {
  const { plane, brokers } = await startCluster(t, [1], {}, [2]);
  const leader = brokers.get(1) as RunningBroker;
  await plane.createTopic(topic, 1, { 'min.insync.replicas': String(minInsync) }, { replicationFactor: 2, assignments: [[1, 2]] });
  await whenRole(leader, topic, 0, 'leader');
  const partition = leader.broker.partition(topic, 0)!;
  return { plane, leader, partition };
}

/** A produce in flight, and whether it has been answered. */
function inFlight(answer: Promise<Message>): { answer: Promise<Message>; answered: () => boolean } {
  let done = false;
  void answer.then(() => (done = true));
  return { answer, answered: () => done };
}

test('acks=all is answered only once every ISR follower has the records, and the high watermark follows the slowest', async (t) => {
  const { leader, partition } = await twoReplicas(t, 'all-isr', 2);
  const produce = inFlight(produceTo(t, leader, 'all-isr', 0, ['a', 'b']));
  await until(() => partition.logEndOffset === 2, 'the append');
  await partition.log.awaitDurable(1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(partition.highWatermark, 0, 'durable on the leader, but not yet on the follower');
  assert.equal(produce.answered(), false);

  partition.followerFetched(2, 1, Date.now());
  assert.equal(partition.highWatermark, 1, 'the follower has the first record only');
  partition.followerFetched(2, 2, Date.now());
  assert.equal(partition.highWatermark, 2);
  const answer = await produce.answer;
  assert.equal(answer.errorCode, ErrorCode.NONE);
  assert.equal(answer.baseOffset, 0);

  partition.followerFetched(2, 1, Date.now());
  assert.equal(partition.highWatermark, 2, 'never backwards');
});

test('min.insync.replicas: with the ISR below it, acks=all is refused before the append, acks=1 still written', async (t) => {
  const { plane, leader, partition } = await twoReplicas(t, 'short-isr', 2);
  plane.update('short-isr', 0, { isr: [1] });
  await until(() => partition.isr.length === 1, 'the ISR shrink to reach the leader');

  const refused = await produceTo(t, leader, 'short-isr', 0, ['refused']);
  assert.equal(refused.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
  assert.equal(partition.logEndOffset, 0, 'nothing appended');
  const written = await produceTo(t, leader, 'short-isr', 0, ['acks=1'], 1);
  assert.equal(written.errorCode, ErrorCode.NONE);
  assert.equal(partition.logEndOffset, 1);
});

test('an ISR that shrinks below min.insync.replicas while acks=all waits answers NOT_ENOUGH_REPLICAS_AFTER_APPEND', async (t) => {
  const { plane, leader, partition } = await twoReplicas(t, 'shrunk', 2);
  const produce = produceTo(t, leader, 'shrunk', 0, ['waiting']);
  await until(() => partition.logEndOffset === 1, 'the append');
  plane.update('shrunk', 0, { isr: [1] });
  assert.equal((await produce).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  assert.equal(partition.highWatermark, 1, 'the leader alone in the ISR commits it');
});

test('a leader that loses leadership answers its waiting acks=all produces NOT_LEADER_OR_FOLLOWER', async (t) => {
  const { plane, leader, partition } = await twoReplicas(t, 'deposed', 1);
  const produce = produceTo(t, leader, 'deposed', 0, ['waiting']);
  await until(() => partition.logEndOffset === 1, 'the append');
  plane.moveLeader('deposed', 0, 2);
  assert.equal((await produce).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(partition.highWatermark, 0);
});

test('a leader whose registration lapsed acknowledges nothing', async (t) => {
  const { plane, leader, partition } = await twoReplicas(t, 'lapsed', 1);
  const waiting = produceTo(t, leader, 'lapsed', 0, ['waiting']);
  await until(() => partition.logEndOffset === 1, 'the append');
  plane.lapse(1);
  partition.followerFetched(2, 1, Date.now());
  assert.equal((await waiting).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'committed, but no longer surely the leader');
  assert.equal((await produceTo(t, leader, 'lapsed', 0, ['refused'], 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(partition.logEndOffset, 1);
});
