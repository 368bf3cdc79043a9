// Group config changes reach share groups and partitions that already exist
// (the coordinator hands them getters of the group's configs): on a fake
// clock, a new lock duration applies to the next acquisition while locks
// already granted keep their deadline, a new delivery-count limit to the next
// release, and new heartbeat and session settings to the next heartbeat.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShareGroup, type ShareHeartbeat } from '../../../src/coordinator/share/share-group.js';
import { AcknowledgeType, SharePartition } from '../../../src/coordinator/share/share-partition.js';
import { silentLogger } from '../../../src/logger.js';
import { FakeClock } from '../../helpers/fake-clock.js';

test('a changed lock duration applies from the next acquisition on; records acquired before keep their deadline', () => {
  const clock = new FakeClock();
  const settings = { lockDurationMs: 30_000, deliveryCountLimit: 5 };
  const partition = new SharePartition(0, { clock, maxInFlightRecords: 100, get lockDurationMs() { return settings.lockDurationMs; }, get deliveryCountLimit() { return settings.deliveryCountLimit; } });
  partition.acquire('m1', [{ first: 0, last: 4 }], 5);
  settings.lockDurationMs = 15_000;
  partition.acquire('m2', [{ first: 5, last: 9 }], 5);

  clock.advance(15_000);
  assert.deepEqual(partition.acquire('m3', [{ first: 0, last: 9 }], 10), [{ firstOffset: 5, lastOffset: 9, deliveryCount: 2 }], 'the second lock expired at 15 s, the first did not');
  clock.advance(15_000);
  assert.deepEqual(partition.acquire('m4', [{ first: 0, last: 4 }], 5), [{ firstOffset: 0, lastOffset: 4, deliveryCount: 2 }], 'the first lock kept its 30 s');
});

test('a lowered delivery-count limit archives records at their next release', () => {
  const clock = new FakeClock();
  const settings = { lockDurationMs: 30_000, deliveryCountLimit: 5 };
  const archived: number[][] = [];
  const partition = new SharePartition(0, {
    clock,
    maxInFlightRecords: 100,
    get lockDurationMs() { return settings.lockDurationMs; },
    get deliveryCountLimit() { return settings.deliveryCountLimit; },
    onArchived: (first, last, _reason, deliveryCount) => archived.push([first, last, deliveryCount]),
  });
  const release = { firstOffset: 0, lastOffset: 1, acknowledgeTypes: [AcknowledgeType.Release] };
  partition.acquire('m1', [{ first: 0, last: 1 }], 2);
  partition.acknowledge('m1', [release]);
  partition.acquire('m1', [{ first: 0, last: 1 }], 2);
  settings.deliveryCountLimit = 2;
  partition.acknowledge('m1', [release]);
  assert.deepEqual(archived, [[0, 1, 2]]);
  assert.equal(partition.startOffset, 2);
});

test('a changed heartbeat interval is sent at the next heartbeat, and a changed session timeout applies from it', () => {
  const clock = new FakeClock();
  const settings = { heartbeatIntervalMs: 5000, sessionTimeoutMs: 45_000 };
  const gone: string[] = [];
  const group = new ShareGroup('workers', {
    clock,
    get heartbeatIntervalMs() { return settings.heartbeatIntervalMs; },
    get sessionTimeoutMs() { return settings.sessionTimeoutMs; },
    topics: { byName: () => ({ topicId: 'aa', name: 'jobs', partitions: 1 }), byId: () => undefined, all: () => [] },
    log: silentLogger(),
    onMemberGone: (_group, memberId, why) => gone.push(`${memberId} ${why}`),
  });
  const beat = (memberEpoch: number): ShareHeartbeat => ({ memberId: 'a', memberEpoch, rackId: null, subscribedTopicNames: memberEpoch === 0 ? ['jobs'] : null, clientId: 'c', clientHost: 'h' });
  const joined = group.heartbeat(beat(0));
  assert.equal(joined.heartbeatIntervalMs, 5000);
  settings.heartbeatIntervalMs = 12_000;
  settings.sessionTimeoutMs = 60_000;
  assert.equal(group.heartbeat(beat(joined.memberEpoch)).heartbeatIntervalMs, 12_000);
  clock.advance(59_999);
  assert.deepEqual(gone, [], 'the session timeout in force at the heartbeat counts');
  clock.advance(1);
  assert.deepEqual(gone, ['a timed out']);
});
