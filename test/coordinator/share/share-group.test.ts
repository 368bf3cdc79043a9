// Share group membership on a fake clock: joining, the shared assignment
// (every partition covered, partitions shared when members outnumber them),
// epochs and fencing, subscription and partition-count changes, leaving and
// session expiry handing the member's records back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopicInfo } from '../../../src/coordinator/group/consumer/consumer-group.js';
import { assignShares } from '../../../src/coordinator/share/share-assignor.js';
import { SHARE_LEAVE_EPOCH, ShareGroup, type ShareHeartbeat } from '../../../src/coordinator/share/share-group.js';
import { silentLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const SESSION_MS = 45_000;

function makeGroup(topics: TopicInfo[]) {
  const clock = new FakeClock();
  const gone: string[] = [];
  const byName = new Map(topics.map((t) => [t.name, t]));
  const group = new ShareGroup('workers', {
    clock,
    heartbeatIntervalMs: 5000,
    sessionTimeoutMs: SESSION_MS,
    topics: { byName: (n) => byName.get(n), byId: (id) => topics.find((t) => t.topicId === id), all: () => byName.values() },
    log: silentLogger(),
    onMemberGone: (_group, memberId, why) => gone.push(`${memberId} ${why}`),
  });
  return { group, clock, gone, byName };
}

const beat = (memberId: string, memberEpoch: number, subscribedTopicNames: string[] | null = null): ShareHeartbeat => ({
  memberId,
  memberEpoch,
  rackId: null,
  subscribedTopicNames,
  clientId: 'c',
  clientHost: '/127.0.0.1',
});

const orders: TopicInfo = { topicId: 'aa', name: 'orders', partitions: 3 };

test('the assignor covers every partition and shares partitions when members outnumber them', () => {
  const topic = (name: string) => (name === 'orders' ? orders : undefined);
  const two = assignShares([{ memberId: 'a', topics: ['orders'] }, { memberId: 'b', topics: ['orders'] }], topic);
  assert.deepEqual(two.get('a')?.get('aa'), [0, 2]);
  assert.deepEqual(two.get('b')?.get('aa'), [1]);
  const five = assignShares(['a', 'b', 'c', 'd', 'e'].map((memberId) => ({ memberId, topics: ['orders'] })), topic);
  assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((m) => five.get(m)?.get('aa')), [[0], [1], [2], [0], [1]]);
  const unknown = assignShares([{ memberId: 'a', topics: ['missing'] }], topic);
  assert.deepEqual([...unknown.get('a')!], []);
});

test('members join with epoch 0, get the shared assignment, and must carry their epoch', () => {
  const { group } = makeGroup([orders]);
  const a = group.heartbeat(beat('a', 0, ['orders']));
  assert.deepEqual([a.errorCode, a.memberId, a.memberEpoch], [ErrorCode.NONE, 'a', 1]);
  assert.deepEqual(a.assignment, { topicPartitions: [{ topicId: 'aa', partitions: [0, 1, 2] }] });
  assert.equal(group.state, 'Stable');

  const b = group.heartbeat(beat('b', 0, ['orders']));
  assert.equal(b.memberEpoch, 2);
  assert.deepEqual(b.assignment, { topicPartitions: [{ topicId: 'aa', partitions: [1] }] });
  assert.equal(group.isAssigned('a', 'aa', 1), true, 'a is not told yet');

  const a2 = group.heartbeat(beat('a', 1));
  assert.equal(a2.memberEpoch, 2);
  assert.deepEqual(a2.assignment, { topicPartitions: [{ topicId: 'aa', partitions: [0, 2] }] });
  assert.equal(group.isAssigned('a', 'aa', 1), false);
  assert.equal(group.heartbeat(beat('a', 2)).assignment, null, 'nothing new');

  assert.equal(group.heartbeat(beat('a', 1)).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  assert.equal(group.heartbeat(beat('zed', 4)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(group.heartbeat(beat('c', 0)).errorCode, ErrorCode.INVALID_REQUEST, 'joining needs topics');
});

test('an empty member id gets one from the group', () => {
  const { group } = makeGroup([orders]);
  const joined = group.heartbeat(beat('', 0, ['orders']));
  assert.match(joined.memberId ?? '', /^[0-9a-f-]{36}$/);
});

test('a subscribed topic that grows moves the group epoch and the new partitions are assigned', () => {
  const { group, byName } = makeGroup([orders]);
  group.heartbeat(beat('a', 0, ['orders']));
  byName.set('orders', { ...orders, partitions: 4 });
  const again = group.heartbeat(beat('a', 1));
  assert.equal(again.memberEpoch, 2);
  assert.deepEqual(again.assignment, { topicPartitions: [{ topicId: 'aa', partitions: [0, 1, 2, 3] }] });
});

test('a member that leaves or falls silent is removed and its records are handed back', () => {
  const { group, clock, gone } = makeGroup([orders]);
  group.heartbeat(beat('a', 0, ['orders']));
  group.heartbeat(beat('b', 0, ['orders']));
  assert.equal(group.heartbeat(beat('b', SHARE_LEAVE_EPOCH)).errorCode, ErrorCode.NONE);
  assert.deepEqual(gone, ['b left']);

  clock.advance(SESSION_MS - 1);
  assert.equal(group.members.has('a'), true);
  clock.advance(1);
  assert.equal(group.members.has('a'), false);
  assert.deepEqual(gone, ['b left', 'a timed out']);
  assert.equal(group.state, 'Empty');
});
