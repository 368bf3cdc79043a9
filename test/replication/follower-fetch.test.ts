// The leader's side of replication, driven by raw Fetch requests with a
// replica id as a follower sends them: a follower reads past the high
// watermark and its fetch offset moves it; a follower that catches up joins
// the ISR and one that stops fetching leaves it after replica.lag.time.max.ms
// (then acks=all with min.insync.replicas=2 is refused until it is back); a
// parked follower fetch wakes on an append; leader epochs and leadership are
// checked on Fetch and ListOffsets; Metadata lists replicas, ISR and
// leaderless partitions as the control plane says.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../../src/protocol/messages/list-offsets.js';
import { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { countBatchRecords } from '../../src/protocol/records.js';
import type { RunningBroker } from '../../src/start-broker.js';
import type { StartOptions } from '../../src/start-broker.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fetchFrom, produceTo, request, startCluster, until, whenRole } from './brokers.js';

/** Broker 1 leads; replica 2 is a broker too, or (`byHand`) played by the test with raw fetches. */
async function twoReplicas(t: TestContext, topic: string, byHand: boolean, configs: Record<string, string> = {}, options: StartOptions = {}) {
  const { plane, brokers } = await startCluster(t, byHand ? [1] : [1, 2], options, byHand ? [2] : []);
  const [leader, follower] = [brokers.get(1) as RunningBroker, brokers.get(2)];
  await plane.createTopic(topic, 1, configs, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(leader, topic, 0, 'leader'), follower && whenRole(follower, topic, 0, 'follower')]);
  return { plane, leader, follower: follower as RunningBroker, partition: leader.broker.partition(topic, 0)! };
}

test('a follower reads past the high watermark, and the offset it fetches at moves the high watermark', async (t) => {
  const { leader, partition } = await twoReplicas(t, 'past-hw', true);
  assert.equal((await produceTo(t, leader, 'past-hw', 0, ['a', 'b'], 1)).errorCode, ErrorCode.NONE);
  await partition.log.awaitDurable(1);

  const consumer = await fetchFrom(t, leader, { topic: 'past-hw', partition: 0, fetchOffset: 0, replicaId: -1 });
  assert.equal(countBatchRecords(consumer.records), 0, 'a consumer reads below the high watermark only');
  const first = await fetchFrom(t, leader, { topic: 'past-hw', partition: 0, fetchOffset: 0, replicaId: 2 });
  assert.equal(countBatchRecords(first.records), 2, 'the follower gets what the leader has');
  assert.equal(first.highWatermark, 0);
  const next = await fetchFrom(t, leader, { topic: 'past-hw', partition: 0, fetchOffset: 2, replicaId: 2 });
  assert.equal(next.highWatermark, 2, 'its next fetch says it has both');
  assert.equal(countBatchRecords((await fetchFrom(t, leader, { topic: 'past-hw', partition: 0, fetchOffset: 0, replicaId: -1 })).records), 2);
});

test('a caught-up fetch from a broker that holds no replica of the partition is served but never proposed for the ISR', async (t) => {
  const { plane, leader, partition } = await twoReplicas(t, 'stranger', true);
  plane.update('stranger', 0, { isr: [1] });
  await until(() => partition.isr.length === 1, 'the ISR of the leader alone');
  const answer = await fetchFrom(t, leader, { topic: 'stranger', partition: 0, fetchOffset: 0, replicaId: 7 });
  assert.equal(answer.errorCode, ErrorCode.NONE);
  // The shared control plane answers an ISR change within the same turn: one asked would show by now.
  assert.deepEqual([plane.assignment('stranger', 0).isr, partition.replicas.pendingIsr], [[1], null], 'no ISR change asked');
  await fetchFrom(t, leader, { topic: 'stranger', partition: 0, fetchOffset: 0, replicaId: 2 });
  await until(() => partition.isr.length === 2, 'the replica, caught up, to join');
  assert.deepEqual(plane.assignment('stranger', 0).isr, [1, 2]);
});

test('a parked follower fetch wakes on an append, not at its max wait', async (t) => {
  const { leader } = await twoReplicas(t, 'wake', true);
  const started = Date.now();
  const parked = fetchFrom(t, leader, { topic: 'wake', partition: 0, fetchOffset: 0, replicaId: 2, maxWaitMs: 20_000, minBytes: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await produceTo(t, leader, 'wake', 0, ['x'], 1)).errorCode, ErrorCode.NONE);
  const answer = await parked;
  assert.equal(countBatchRecords(answer.records), 1);
  assert.ok(Date.now() - started < 10_000, 'answered by the append');
});

test('a follower that stops fetching leaves the ISR after replica.lag.time.max.ms, and acks=all with min.insync.replicas=2 is refused until it is back', async (t) => {
  const clock = new FakeClock();
  const { plane, leader, partition } = await twoReplicas(t, 'lag', true, { 'min.insync.replicas': '2' }, { clock, replicaLagTimeMaxMs: 1000 });
  clock.advance(1000);
  assert.deepEqual(plane.assignment('lag', 0).isr, [1, 2], 'not past the lag time yet');
  clock.advance(600);
  await until(() => partition.isr.length === 1, 'the ISR to shrink');
  assert.deepEqual(plane.assignment('lag', 0).isr, [1]);
  assert.equal((await produceTo(t, leader, 'lag', 0, ['refused'])).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);

  assert.equal((await produceTo(t, leader, 'lag', 0, ['one copy'], 1)).errorCode, ErrorCode.NONE);
  await until(() => partition.highWatermark === 1, 'the high watermark of the leader alone');
  await fetchFrom(t, leader, { topic: 'lag', partition: 0, fetchOffset: 0, replicaId: 2 });
  assert.deepEqual(plane.assignment('lag', 0).isr, [1], 'behind the high watermark: not in sync yet');
  await fetchFrom(t, leader, { topic: 'lag', partition: 0, fetchOffset: 1, replicaId: 2 });
  await until(() => partition.isr.length === 2, 'the ISR to expand');
  assert.deepEqual(plane.assignment('lag', 0).isr, [1, 2]);

  const acked = produceTo(t, leader, 'lag', 0, ['two copies']);
  await until(() => partition.logEndOffset === 2, 'the append');
  await fetchFrom(t, leader, { topic: 'lag', partition: 0, fetchOffset: 2, replicaId: 2 });
  assert.equal((await acked).errorCode, ErrorCode.NONE);
});

test('leader epochs on Fetch and ListOffsets: older is fenced, newer unknown; a follower serves neither consumers nor followers', async (t) => {
  const { plane, leader, follower } = await twoReplicas(t, 'epochs', false);
  plane.moveLeader('epochs', 0, 2);
  plane.moveLeader('epochs', 0, 1);
  await Promise.all([whenRole(leader, 'epochs', 0, 'leader', 2), whenRole(follower, 'epochs', 0, 'follower', 2)]);

  const fetchAt = (b: RunningBroker, epoch: number, replicaId: number) => fetchFrom(t, b, { topic: 'epochs', partition: 0, fetchOffset: 0, replicaId, currentLeaderEpoch: epoch });
  assert.equal((await fetchAt(leader, 1, 2)).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
  assert.equal((await fetchAt(leader, 3, 2)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
  assert.equal((await fetchAt(leader, 2, 2)).errorCode, ErrorCode.NONE);
  assert.equal((await fetchAt(leader, -1, -1)).errorCode, ErrorCode.NONE, 'no epoch: unchecked');
  assert.equal((await fetchAt(follower, 2, 3)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal((await fetchAt(follower, -1, -1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);

  const listAt = async (b: RunningBroker, epoch: number) => {
    const body = { replicaId: -1, isolationLevel: 0, topics: [{ name: 'epochs', partitions: [{ partitionIndex: 0, currentLeaderEpoch: epoch, timestamp: -1 }] }] };
    return (await request(t, b, ListOffsetsRequest, ListOffsetsResponse, 7, body)).topics[0].partitions[0].errorCode;
  };
  assert.equal(await listAt(leader, 1), ErrorCode.FENCED_LEADER_EPOCH);
  assert.equal(await listAt(leader, 3), ErrorCode.UNKNOWN_LEADER_EPOCH);
  assert.equal(await listAt(leader, 2), ErrorCode.NONE);
  assert.equal(await listAt(follower, 2), ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

test('Metadata lists replicas and ISR as the control plane has them, and a partition without a leader as LEADER_NOT_AVAILABLE', async (t) => {
  const { plane, follower } = await twoReplicas(t, 'described', false);
  plane.update('described', 0, { isr: [1] });
  const describe = async () => (await request(t, follower, MetadataRequest, MetadataResponse, 12, { topics: [{ topicId: Buffer.alloc(16), name: 'described' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).topics[0].partitions[0];
  const led = await describe();
  assert.deepEqual([led.errorCode, led.leaderId, led.replicaNodes, led.isrNodes], [ErrorCode.NONE, 1, [1, 2], [1]]);
  plane.moveLeader('described', 0, -1);
  const leaderless = await describe();
  assert.deepEqual([leaderless.errorCode, leaderless.leaderId, leaderless.leaderEpoch], [ErrorCode.LEADER_NOT_AVAILABLE, -1, 1]);
});
