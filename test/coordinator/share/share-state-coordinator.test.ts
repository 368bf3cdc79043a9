// The share coordinator's side of share-partition state (KIP-932): it answers
// reads and writes for the keys of the __share_group_state partitions it
// leads, from the latest state it holds (kept after writes, and loaded again
// from the log when a partition comes back), fences writes of older leader
// epochs, and answers NOT_COORDINATOR for keys of partitions led elsewhere.
// Over the wire, Read/WriteShareGroupState carry Sluice's notBefore.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerConnection } from '../../../src/client/connection.js';
import { offsetsPartitionFor } from '../../../src/coordinator/group/offsets-log.js';
import { SHARE_STATE_TOPIC, placementKey } from '../../../src/coordinator/share/share-state-store.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ReadShareGroupStateRequest, ReadShareGroupStateResponse } from '../../../src/protocol/messages/read-share-group-state.js';
import { WriteShareGroupStateRequest, WriteShareGroupStateResponse } from '../../../src/protocol/messages/write-share-group-state.js';
import { startTestBroker } from '../../helpers/broker.js';
import { defer } from '../../helpers/broker-process.js';

const PARTITIONS = 3;
const key = { groupId: 'workers', topicId: '0123456789abcdef0123456789abcdef', partition: 2 };
const state = (startOffset: number) => ({ startOffset, stateBatches: [{ firstOffset: startOffset, lastOffset: startOffset + 4, deliveryState: 2, deliveryCount: 1 }] });

test('a key without state reads as none; a write is read back, and stays the latest', async (t) => {
  const broker = await startTestBroker(t, { shareStateTopicNumPartitions: PARTITIONS });
  const states = broker.shares.states;
  assert.deepEqual(await states.read(key), { errorCode: ErrorCode.NONE, snapshot: null });
  assert.equal(await states.write(key, state(10), 3), ErrorCode.NONE);
  assert.deepEqual(await states.read(key), { errorCode: ErrorCode.NONE, snapshot: state(10) });
  assert.deepEqual(await states.read(key), { errorCode: ErrorCode.NONE, snapshot: state(10) }, 'reading does not use it up');
  assert.equal(await states.write(key, null, -1), ErrorCode.NONE);
  assert.deepEqual(await states.read(key), { errorCode: ErrorCode.NONE, snapshot: null }, 'a tombstone forgets it');
});

test('a write from an older leader epoch than the stored one is fenced; an admin write (-1) is not, and keeps the epoch', async (t) => {
  const broker = await startTestBroker(t, { shareStateTopicNumPartitions: PARTITIONS });
  const states = broker.shares.states;
  assert.equal(await states.write(key, state(10), 5), ErrorCode.NONE);
  assert.equal(await states.write(key, state(20), 4), ErrorCode.FENCED_LEADER_EPOCH);
  assert.deepEqual((await states.read(key)).snapshot, state(10), 'the fenced write changed nothing');
  assert.equal(await states.write(key, state(30), -1), ErrorCode.NONE);
  assert.equal(await states.write(key, state(40), 4), ErrorCode.FENCED_LEADER_EPOCH, 'the admin write kept epoch 5');
  assert.equal(await states.write(key, state(50), 6), ErrorCode.NONE);
  assert.deepEqual((await states.read(key)).snapshot, state(50));
});

test('keys of a __share_group_state partition led elsewhere answer NOT_COORDINATOR; led again, the partition is loaded with the latest states and epochs', async (t) => {
  const broker = await startTestBroker(t, { shareStateTopicNumPartitions: PARTITIONS });
  const states = broker.shares.states;
  assert.equal(await states.write(key, state(10), 5), ErrorCode.NONE);
  const index = offsetsPartitionFor(placementKey(key), PARTITIONS);
  broker.broker.leadership.emit({ topic: SHARE_STATE_TOPIC, partition: index, role: 'follower', leaderEpoch: 1 });
  assert.deepEqual(await states.read(key), { errorCode: ErrorCode.NOT_COORDINATOR });
  assert.equal(await states.write(key, state(20), 6), ErrorCode.NOT_COORDINATOR);
  broker.broker.leadership.emit({ topic: SHARE_STATE_TOPIC, partition: index, role: 'leader', leaderEpoch: 2 });
  assert.deepEqual((await states.read(key)).snapshot, state(10));
  assert.equal(await states.write(key, state(20), 4), ErrorCode.FENCED_LEADER_EPOCH, 'the stored epoch came back from the log');
});

test('WriteShareGroupState and ReadShareGroupState carry a state over the wire, a delayed run keeping its notBefore', async (t) => {
  const broker = await startTestBroker(t, { shareStateTopicNumPartitions: PARTITIONS });
  const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId: 'share-state-test' });
  defer(t, () => conn.close());
  const topicId = Buffer.from(key.topicId, 'hex');
  const notBefore = Date.now() + 60_000;
  const stateBatches = [
    { firstOffset: 0, lastOffset: 3, deliveryState: 2, deliveryCount: 1, notBefore: 0 },
    { firstOffset: 4, lastOffset: 6, deliveryState: 0, deliveryCount: 2, notBefore },
  ];
  const written = await conn.sendVersion({ request: WriteShareGroupStateRequest, response: WriteShareGroupStateResponse }, 0, {
    groupId: key.groupId,
    topics: [{ topicId, partitions: [{ partition: key.partition, stateEpoch: 0, leaderEpoch: 1, startOffset: 0, stateBatches }] }],
  });
  assert.equal(written.results[0].partitions[0].errorCode, ErrorCode.NONE);
  const read = await conn.sendVersion({ request: ReadShareGroupStateRequest, response: ReadShareGroupStateResponse }, 0, {
    groupId: key.groupId,
    topics: [{ topicId, partitions: [{ partition: key.partition, leaderEpoch: 1 }] }],
  });
  const p = read.results[0].partitions[0];
  assert.equal(p.errorCode, ErrorCode.NONE);
  assert.equal(p.startOffset, 0);
  assert.deepEqual(p.stateBatches, stateBatches);
  const unknown = await conn.sendVersion({ request: ReadShareGroupStateRequest, response: ReadShareGroupStateResponse }, 0, {
    groupId: 'nobody',
    topics: [{ topicId, partitions: [{ partition: 0, leaderEpoch: 0 }] }],
  });
  assert.equal(unknown.results[0].partitions[0].startOffset, -1, 'no state: start offset -1');
});
