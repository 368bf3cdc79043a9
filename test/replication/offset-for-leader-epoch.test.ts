// OffsetForLeaderEpoch over TCP as KIP-279 says: the latest epoch ends at the
// log end; an older epoch ends where the next newer one starts, answered with
// the largest epoch known not above the one asked; an epoch newer than any is
// UNDEFINED. A new leader's epoch starts at its log end before it appends.
// The requester's current leader epoch is checked (KIP-320) and only the
// leader answers. v0 (no epochs in the answer) still gives the end offset.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../src/protocol/messages/offset-for-leader-epoch.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { produceTo, request, startCluster, whenRole } from './brokers.js';

test('OffsetForLeaderEpoch answers where each epoch ends, as KIP-279 says, only from the leader', async (t) => {
  const { plane, brokers } = await startCluster(t, [1], {}, [2]);
  const leader = brokers.get(1) as RunningBroker;
  await plane.createTopic('epochs', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await whenRole(leader, 'epochs', 0, 'leader', 0);
  plane.update('epochs', 0, { isr: [1] });
  assert.equal((await produceTo(t, leader, 'epochs', 0, ['a', 'b'], 1)).errorCode, ErrorCode.NONE);
  plane.moveLeader('epochs', 0, 1);
  await whenRole(leader, 'epochs', 0, 'leader', 1);
  assert.equal((await produceTo(t, leader, 'epochs', 0, ['c', 'd', 'e'], 1)).errorCode, ErrorCode.NONE);
  plane.moveLeader('epochs', 0, 1);
  await whenRole(leader, 'epochs', 0, 'leader', 2);

  const ask = async (version: number, leaderEpoch: number, currentLeaderEpoch = -1): Promise<Message> => {
    const body = { replicaId: 2, topics: [{ topic: 'epochs', partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }] };
    return (await request(t, leader, OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, version, body)).topics[0].partitions[0];
  };
  const answer = async (leaderEpoch: number, currentLeaderEpoch = 2) => {
    const p = await ask(4, leaderEpoch, currentLeaderEpoch);
    return [p.errorCode, p.leaderEpoch, p.endOffset];
  };
  assert.deepEqual(await answer(0), [ErrorCode.NONE, 0, 2], 'epoch 0 ends where epoch 1 starts');
  assert.deepEqual(await answer(1), [ErrorCode.NONE, 1, 5], 'epoch 1 ends where epoch 2 started, before its first append');
  assert.deepEqual(await answer(2), [ErrorCode.NONE, 2, 5], 'the current epoch ends at the log end');
  assert.deepEqual(await answer(3), [ErrorCode.NONE, -1, -1], 'an epoch newer than any: UNDEFINED');
  assert.deepEqual(await answer(0, 1), [ErrorCode.FENCED_LEADER_EPOCH, -1, -1]);
  assert.deepEqual(await answer(0, 3), [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1]);
  assert.deepEqual(await answer(0, -1), [ErrorCode.NONE, 0, 2], 'no current epoch: unchecked');
  for (const version of [0, 1, 2, 3]) assert.equal((await ask(version, 1)).endOffset, 5, `v${version}`);
  assert.equal((await ask(1, 1)).leaderEpoch, 1, 'v1+ names the epoch found');

  plane.moveLeader('epochs', 0, 2);
  await whenRole(leader, 'epochs', 0, 'follower', 3);
  assert.deepEqual(await answer(0, 3), [ErrorCode.NOT_LEADER_OR_FOLLOWER, -1, -1]);
});
