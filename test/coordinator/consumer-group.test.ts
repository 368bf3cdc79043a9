// The consumer rebalance protocol (KIP-848) of one ConsumerGroup, driven by
// heartbeats on a fake clock: joining and epochs, incremental reconciliation
// (a partition reaches its new owner only after the old one stopped reporting
// it), fencing of stale and future epochs, session and revocation timeouts,
// leaving, static members, metadata changes, regex subscriptions, the member
// epoch check of offset commits, request validation, and classic members
// (JoinGroup/SyncGroup/Heartbeat) in the group, also after a classic group's upgrade.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { SERVER_ASSIGNORS } from '../../src/coordinator/group/consumer/assignor.js';
import { ConsumerGroup, type ConsumerGroupContext, type TopicInfo } from '../../src/coordinator/group/consumer/consumer-group.js';
import { Group, type JoinRequest } from '../../src/coordinator/group/group.js';
import { decodeAssignment, encodeAssignment, encodeSubscription, type TopicPartitions } from '../../src/protocol/consumer-protocol.js';
import { type ConsumerHeartbeat, type ConsumerHeartbeatResult, invalidHeartbeat } from '../../src/coordinator/group/consumer/heartbeat-request.js';
import { type PartitionSet, entries, fromList, size } from '../../src/coordinator/group/consumer/partition-set.js';
import { silentLogger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeClock } from '../helpers/fake-clock.js';

const SESSION_MS = 1000;
const REBALANCE_MS = 3000;

interface Harness {
  group: ConsumerGroup;
  ctx: ConsumerGroupContext;
  clock: FakeClock;
  /** Creates (or grows) a topic; returns its id. */
  topic(name: string, partitions: number): string;
}

function harness(t: TestContext): Harness {
  const clock = new FakeClock();
  const topics = new Map<string, TopicInfo>();
  const ctx: ConsumerGroupContext = {
    clock,
    heartbeatIntervalMs: 100,
    sessionTimeoutMs: SESSION_MS,
    assignors: SERVER_ASSIGNORS,
    defaultAssignor: 'uniform',
    topics: {
      byName: (name) => topics.get(name),
      byId: (id) => [...topics.values()].find((x) => x.topicId === id),
      all: () => topics.values(),
    },
    log: silentLogger(),
  };
  const group = new ConsumerGroup('g', ctx);
  t.after(() => group.shutdown());
  return {
    group,
    ctx,
    clock,
    topic(name, partitions) {
      const topicId = topics.get(name)?.topicId ?? String(topics.size + 1).padStart(32, '0');
      topics.set(name, { topicId, name, partitions });
      return topicId;
    },
  };
}

function heartbeat(group: ConsumerGroup, req: Partial<ConsumerHeartbeat> & { memberId: string; memberEpoch: number }): ConsumerHeartbeatResult {
  return group.heartbeat({
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    ownedPartitions: null,
    clientId: 'client',
    clientHost: '127.0.0.1',
    ...req,
  });
}

/** A well-behaved consumer: it owns exactly what it was last given and reports it in every heartbeat. */
class Consumer {
  epoch = 0;
  owned: PartitionSet = new Map();
  last: ConsumerHeartbeatResult | null = null;

  constructor(
    readonly memberId: string,
    private readonly subscription: Partial<ConsumerHeartbeat> = {},
    private readonly instanceId: string | null = null,
  ) {}

  beat(group: ConsumerGroup): ConsumerHeartbeatResult {
    const joining = this.epoch === 0;
    const r = heartbeat(group, {
      memberId: this.memberId,
      memberEpoch: this.epoch,
      instanceId: this.instanceId,
      ownedPartitions: this.owned,
      ...(joining ? { rebalanceTimeoutMs: REBALANCE_MS, subscribedTopicNames: ['t'], ...this.subscription } : {}),
    });
    this.last = r;
    if (r.errorCode !== ErrorCode.NONE) return r;
    this.epoch = r.memberEpoch;
    if (r.assignment !== null) this.owned = fromList(r.assignment);
    return r;
  }

  partitions(topicId: string): number[] {
    return [...(this.owned.get(topicId) ?? [])].sort((x, y) => x - y);
  }
}

/** Heartbeats every consumer in turn, `rounds` times, checking that no partition is ever owned twice. */
function converge(group: ConsumerGroup, consumers: Consumer[], rounds = 4): void {
  for (let i = 0; i < rounds; i++) {
    for (const c of consumers) {
      c.beat(group);
      assertDisjoint(consumers);
    }
  }
}

function assertDisjoint(consumers: Consumer[]): void {
  const seen = new Map<string, string>();
  for (const c of consumers) {
    for (const [topicId, p] of entries(c.owned)) {
      const key = `${topicId}:${p}`;
      assert.equal(seen.get(key), undefined, `${key} owned by ${seen.get(key)} and ${c.memberId}`);
      seen.set(key, c.memberId);
    }
  }
}

test('a first member gets every partition at epoch 1; a second makes the group epoch 2 and takes half once the first has revoked it', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 6);
  const a = new Consumer('a');
  const first = a.beat(h.group);
  assert.equal(first.errorCode, ErrorCode.NONE);
  assert.equal(first.memberEpoch, 1);
  assert.equal(first.heartbeatIntervalMs, 100);
  assert.deepEqual(a.partitions(t1), [0, 1, 2, 3, 4, 5]);
  assert.equal(h.group.state, 'Stable');

  const b = new Consumer('b');
  const joined = b.beat(h.group);
  // The target gives b half, but a still holds it: b moves to epoch 2 with nothing yet.
  assert.equal(joined.memberEpoch, 2);
  assert.deepEqual(b.partitions(t1), []);
  assert.equal(h.group.state, 'Reconciling');

  // a is told to keep half; it stays at epoch 1 until it stops reporting the rest.
  const revoke = heartbeat(h.group, { memberId: 'a', memberEpoch: 1, ownedPartitions: a.owned });
  assert.equal(revoke.memberEpoch, 1);
  assert.equal(size(fromList(revoke.assignment!)), 3);
  b.beat(h.group);
  assert.deepEqual(b.partitions(t1), [], 'b gets nothing while a still reports the partitions');
  const stillOwning = heartbeat(h.group, { memberId: 'a', memberEpoch: 1, ownedPartitions: a.owned });
  assert.equal(stillOwning.memberEpoch, 1, 'a keeps its epoch while it still owns revoked partitions');

  a.owned = fromList(revoke.assignment!);
  assert.equal(a.beat(h.group).memberEpoch, 2);
  b.beat(h.group);
  assert.equal(b.partitions(t1).length, 3);
  assertDisjoint([a, b]);
  assert.deepEqual([...a.partitions(t1), ...b.partitions(t1)].sort(), [0, 1, 2, 3, 4, 5]);
  assert.equal(h.group.state, 'Stable');
  assert.equal(h.group.groupEpoch, 2);
  assert.equal(h.group.assignmentEpoch, 2);
});

test('a v0 member joining without a member id gets one from the coordinator and heartbeats with it', (t) => {
  const h = harness(t);
  h.topic('t', 1);
  const joined = heartbeat(h.group, { memberId: '', memberEpoch: 0, rebalanceTimeoutMs: REBALANCE_MS, subscribedTopicNames: ['t'], ownedPartitions: new Map() });
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.notEqual(joined.memberId, '');
  assert.equal(h.group.members.has(joined.memberId), true);
  assert.equal(heartbeat(h.group, { memberId: joined.memberId, memberEpoch: joined.memberEpoch }).errorCode, ErrorCode.NONE);
});

test('three members converge on disjoint, complete, balanced shares; a leaver\'s partitions go to the others', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 7);
  const consumers = [new Consumer('a'), new Consumer('b'), new Consumer('c')];
  converge(h.group, consumers);
  const counts = consumers.map((c) => c.partitions(t1).length).sort();
  assert.deepEqual(counts, [2, 2, 3]);
  assert.equal(h.group.state, 'Stable');

  const left = heartbeat(h.group, { memberId: 'c', memberEpoch: -1 });
  assert.equal(left.errorCode, ErrorCode.NONE);
  assert.equal(left.memberEpoch, -1);
  consumers.pop();
  converge(h.group, consumers);
  assert.deepEqual(consumers.flatMap((c) => c.partitions(t1)).sort(), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(heartbeat(h.group, { memberId: 'c', memberEpoch: 3 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('an epoch ahead of the member\'s, or behind it other than the previous one, is fenced; the previous one with owned partitions within the assignment is accepted', (t) => {
  const h = harness(t);
  h.topic('t', 4);
  const a = new Consumer('a');
  const b = new Consumer('b');
  converge(h.group, [a, b]);
  assert.equal(a.epoch, 2);
  assert.equal(heartbeat(h.group, { memberId: 'a', memberEpoch: 3, ownedPartitions: a.owned }).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  // a's previous epoch was 1 (a lost response): accepted while it owns no more than it is assigned.
  assert.equal(heartbeat(h.group, { memberId: 'a', memberEpoch: 1, ownedPartitions: a.owned }).errorCode, ErrorCode.NONE);
  assert.equal(heartbeat(h.group, { memberId: 'b', memberEpoch: 1, ownedPartitions: a.owned }).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  assert.equal(heartbeat(h.group, { memberId: 'nobody', memberEpoch: 2 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a member silent for the session timeout is removed and the others take its partitions; heartbeats keep a member', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 4);
  const a = new Consumer('a');
  const b = new Consumer('b');
  converge(h.group, [a, b]);
  h.clock.advance(SESSION_MS - 1);
  a.beat(h.group);
  h.clock.advance(2);
  assert.equal(h.group.members.size, 1, 'b timed out, a did not');
  a.beat(h.group);
  assert.deepEqual(a.partitions(t1), [0, 1, 2, 3]);
  assert.equal(b.beat(h.group).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // The fenced member rejoins with epoch 0, as clients do.
  b.epoch = 0;
  b.owned = new Map();
  converge(h.group, [a, b]);
  assert.equal(b.partitions(t1).length, 2);
});

test('a member that does not revoke within its rebalance timeout is removed and its partitions freed', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 4);
  const a = new Consumer('a');
  a.beat(h.group);
  const b = new Consumer('b');
  b.beat(h.group);
  // a learns it must give up two partitions but keeps reporting all four (and keeps heartbeating).
  for (let elapsed = 0; elapsed < REBALANCE_MS; elapsed += 500) {
    heartbeat(h.group, { memberId: 'a', memberEpoch: 1, ownedPartitions: a.owned });
    h.clock.advance(500);
    b.beat(h.group);
  }
  assert.equal(h.group.members.has('a'), false);
  b.beat(h.group);
  assert.deepEqual(b.partitions(t1), [0, 1, 2, 3]);
});

test('static members: a temporary leave (-2) keeps the assignment for the next instance; a held instance id is UNRELEASED, a stale one FENCED', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 4);
  const a = new Consumer('a1', {}, 'instance-a');
  const b = new Consumer('b');
  converge(h.group, [a, b]);
  const aShare = a.partitions(t1);
  const bShare = b.partitions(t1);

  const taken = heartbeat(h.group, { memberId: 'a2', memberEpoch: 0, instanceId: 'instance-a', rebalanceTimeoutMs: REBALANCE_MS, subscribedTopicNames: ['t'], ownedPartitions: new Map() });
  assert.equal(taken.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);

  const leave = heartbeat(h.group, { memberId: 'a1', memberEpoch: -2, instanceId: 'instance-a' });
  assert.equal(leave.errorCode, ErrorCode.NONE);
  assert.equal(leave.memberEpoch, -2);
  b.beat(h.group);
  assert.equal(b.partitions(t1).length, 2, 'the other member does not get the leaving static member\'s partitions');

  const a2 = new Consumer('a2', {}, 'instance-a');
  a2.beat(h.group);
  converge(h.group, [a2, b]);
  assert.deepEqual(a2.partitions(t1), aShare);
  assert.deepEqual(b.partitions(t1), bShare, 'nothing moved');
  assert.equal(heartbeat(h.group, { memberId: 'a1', memberEpoch: a.epoch, instanceId: 'instance-a' }).errorCode, ErrorCode.FENCED_INSTANCE_ID);

  // The same member id back from a temporary leave also takes its place again.
  heartbeat(h.group, { memberId: 'a2', memberEpoch: -2, instanceId: 'instance-a' });
  const back = new Consumer('a2', {}, 'instance-a');
  back.beat(h.group);
  converge(h.group, [back, b]);
  assert.deepEqual(back.partitions(t1), aShare);
});

test('a static member that left (-2) and does not come back within the session timeout is removed', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 2);
  const a = new Consumer('a', {}, 'instance-a');
  const b = new Consumer('b');
  converge(h.group, [a, b]);
  heartbeat(h.group, { memberId: 'a', memberEpoch: -2, instanceId: 'instance-a' });
  h.clock.advance(SESSION_MS / 2);
  b.beat(h.group);
  h.clock.advance(SESSION_MS / 2 + 1);
  converge(h.group, [b]);
  assert.deepEqual(b.partitions(t1), [0, 1]);
});

test('new partitions of a subscribed topic, and a subscribed topic created later, make a new group epoch and get assigned', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 2);
  const a = new Consumer('a', { subscribedTopicNames: ['t', 'later'] });
  const b = new Consumer('b', { subscribedTopicNames: ['t', 'later'] });
  converge(h.group, [a, b]);
  const epoch = h.group.groupEpoch;
  h.topic('t', 4);
  converge(h.group, [a, b]);
  assert.equal(h.group.groupEpoch, epoch + 1);
  assert.deepEqual([...a.partitions(t1), ...b.partitions(t1)].sort(), [0, 1, 2, 3]);
  const later = h.topic('later', 2);
  converge(h.group, [a, b]);
  assert.equal(h.group.groupEpoch, epoch + 2);
  assert.deepEqual([...a.partitions(later), ...b.partitions(later)].sort(), [0, 1]);
});

test('a regex subscription matches whole topic names, new ones included, and never internal topics', (t) => {
  const h = harness(t);
  const orders = h.topic('orders-eu', 1);
  h.topic('orders-eu-dlq', 1);
  const offsets = h.topic('__consumer_offsets', 1);
  const a = new Consumer('a', { subscribedTopicNames: null, subscribedTopicRegex: 'orders-[a-z]+|__.*' });
  converge(h.group, [a]);
  assert.deepEqual([...a.owned.keys()], [orders]);
  const us = h.topic('orders-us', 2);
  converge(h.group, [a]);
  assert.deepEqual([...a.owned.keys()].sort(), [orders, us].sort());
  assert.equal(a.owned.has(offsets), false);
});

test('members may ask for the range assignor: co-partitioned topics get the same partition numbers', (t) => {
  const h = harness(t);
  const x = h.topic('x', 4);
  const y = h.topic('y', 4);
  const a = new Consumer('a', { subscribedTopicNames: ['x', 'y'], serverAssignor: 'range' });
  const b = new Consumer('b', { subscribedTopicNames: ['x', 'y'], serverAssignor: 'range' });
  converge(h.group, [a, b]);
  assert.equal(h.group.assignorName, 'range');
  assert.deepEqual(a.partitions(x), a.partitions(y));
  assert.deepEqual(a.partitions(x), [0, 1]);
  assert.deepEqual(b.partitions(y), [2, 3]);
});

test('offset commits need the member\'s current epoch: an older one is STALE, a newer one FENCED, an unknown member UNKNOWN', (t) => {
  const h = harness(t);
  h.topic('t', 2);
  const a = new Consumer('a');
  assert.equal(h.group.memberEpochError('a', -1), ErrorCode.NONE, 'an empty group takes commits without group management');
  converge(h.group, [a, new Consumer('b')]);
  assert.equal(h.group.memberEpochError('a', a.epoch), ErrorCode.NONE);
  assert.equal(h.group.memberEpochError('a', a.epoch - 1), ErrorCode.STALE_MEMBER_EPOCH);
  assert.equal(h.group.memberEpochError('a', a.epoch + 1), ErrorCode.FENCED_MEMBER_EPOCH);
  assert.equal(h.group.memberEpochError('zz', 1), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(h.group.memberEpochError('a', -1), ErrorCode.STALE_MEMBER_EPOCH, 'a live group takes no commits without an epoch');
});

test('heartbeats Kafka rejects on their own: INVALID_REQUEST, UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION', () => {
  const base: ConsumerHeartbeat = {
    memberId: 'm',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 1000,
    subscribedTopicNames: ['t'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    ownedPartitions: new Map(),
    clientId: 'c',
    clientHost: 'h',
  };
  const check = (req: Partial<ConsumerHeartbeat>, version = 1, groupId = 'g') => invalidHeartbeat(groupId, { ...base, ...req }, version, SERVER_ASSIGNORS)?.errorCode ?? ErrorCode.NONE;
  assert.equal(check({}), ErrorCode.NONE);
  assert.equal(check({}, 1, ''), ErrorCode.INVALID_REQUEST);
  assert.equal(check({ memberId: '' }), ErrorCode.INVALID_REQUEST, 'v1 members generate their id (KIP-1082)');
  assert.equal(check({ memberId: '' }, 0), ErrorCode.NONE);
  assert.equal(check({ rebalanceTimeoutMs: -1 }), ErrorCode.INVALID_REQUEST);
  assert.equal(check({ ownedPartitions: null }), ErrorCode.INVALID_REQUEST);
  assert.equal(check({ subscribedTopicNames: null }), ErrorCode.INVALID_REQUEST);
  assert.equal(check({ memberEpoch: -2 }), ErrorCode.INVALID_REQUEST, 'a temporary leave needs an instance id');
  assert.equal(check({ memberEpoch: -3 }), ErrorCode.INVALID_REQUEST);
  assert.equal(check({ instanceId: '' }), ErrorCode.INVALID_REQUEST);
  assert.equal(check({ serverAssignor: 'sticky' }), ErrorCode.UNSUPPORTED_ASSIGNOR);
  assert.equal(check({ subscribedTopicRegex: '(' }), ErrorCode.INVALID_REGULAR_EXPRESSION);
});

function classicJoinRequest(memberId: string, owned: TopicPartitions[] = []): JoinRequest {
  return {
    memberId,
    groupInstanceId: null,
    clientId: 'classic',
    clientHost: '127.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: [{ name: 'cooperative-sticky', metadata: encodeSubscription({ version: 1, topics: ['t'], userData: null, ownedPartitions: owned }) }],
    requireKnownMemberId: true,
  };
}

/** Joins (or rejoins) and syncs a classic member; returns its generation and the partitions of topic `t` it was given. */
function classicRound(group: ConsumerGroup, memberId: string, owned: number[] = []): { generationId: number; partitions: number[] } {
  const joined = group.classicJoin(classicJoinRequest(memberId, [{ topic: 't', partitions: owned }]));
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.leaderId, '', 'no classic member leads: the coordinator assigns');
  assert.deepEqual(joined.members, []);
  const synced = group.classicSync({ memberId, groupInstanceId: null, generationId: joined.generationId, assignments: new Map() });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  const partitions = decodeAssignment(synced.assignment).partitions.flatMap((tp) => tp.partitions).sort((x, y) => x - y);
  return { generationId: joined.generationId, partitions };
}

test('a classic member joins a consumer-protocol group: its member epoch is its generation, SyncGroup hands out its share once free, Heartbeat asks it to rejoin when needed', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 4);
  const a = new Consumer('a');
  a.beat(h.group);

  const first = h.group.classicJoin(classicJoinRequest(''));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED, 'KIP-394 as in a classic group');
  const id = first.memberId;
  let round = classicRound(h.group, id);
  assert.equal(round.generationId, 2);
  assert.deepEqual(round.partitions, [], 'a still holds everything');
  assert.equal(h.group.classicHeartbeat(id, null, 2), ErrorCode.NONE, 'waiting on partitions nobody released yet');

  a.beat(h.group);
  a.beat(h.group);
  assert.equal(a.epoch, 2);
  assert.equal(h.group.classicHeartbeat(id, null, 2), ErrorCode.REBALANCE_IN_PROGRESS, 'its partitions are free: rejoin');
  round = classicRound(h.group, id);
  assert.equal(round.partitions.length, 2);
  assert.deepEqual([...round.partitions, ...a.partitions(t1)].sort(), [0, 1, 2, 3]);
  assert.equal(h.group.classicHeartbeat(id, null, 2), ErrorCode.NONE);
  assert.equal(h.group.classicHeartbeat(id, null, 1), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(h.group.memberEpochError(id, 2), ErrorCode.NONE, 'commits with its generation');
  assert.equal(h.group.memberEpochError(id, 1), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(h.group.describeMembers().find((m) => m.memberId === id)!.classicMetadata !== null, true);

  new Consumer('b').beat(h.group);
  assert.equal(h.group.classicHeartbeat(id, null, 2), ErrorCode.REBALANCE_IN_PROGRESS, 'a new group epoch: rejoin');
  // A cooperative client keeps its partitions while it rejoins; it is told to keep only its new share.
  round = classicRound(h.group, id, round.partitions);
  assert.ok(round.partitions.length <= 2);

  assert.equal(h.group.classicLeave(id, null), ErrorCode.NONE);
  assert.equal(h.group.members.has(id), false);
  assert.equal(h.group.classicHeartbeat(id, null, 3), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a classic member silent for its own session timeout is removed', (t) => {
  const h = harness(t);
  h.topic('t', 2);
  const id = 'classic-1';
  classicRound(h.group, id);
  h.clock.advance(SESSION_MS + 1);
  assert.equal(h.group.members.size, 0);
  assert.equal(h.group.state, 'Empty');
});

test('a Stable classic group becomes a consumer-protocol group: members keep their generation and assignment, then share with the new member', (t) => {
  const h = harness(t);
  const t1 = h.topic('t', 4);
  const classic = Group.restore(
    'g',
    {
      protocolType: 'consumer',
      generationId: 7,
      protocolName: 'range',
      leaderId: 'c1',
      currentStateTimestamp: 0,
      members: ['c1', 'c2'].map((memberId, i) => ({
        memberId,
        groupInstanceId: null,
        clientId: memberId,
        clientHost: 'h',
        rebalanceTimeoutMs: REBALANCE_MS,
        sessionTimeoutMs: SESSION_MS,
        subscription: encodeSubscription({ version: 0, topics: ['t'], userData: null, ownedPartitions: [] }),
        assignment: encodeAssignment({ version: 0, partitions: [{ topic: 't', partitions: [2 * i, 2 * i + 1] }], userData: null }),
      })),
    },
    { initialRebalanceDelayMs: 0, store: () => {}, clock: h.ctx.clock, log: silentLogger() },
  );
  t.after(() => classic.shutdown());
  const upgraded = ConsumerGroup.fromClassic(classic, h.ctx);
  t.after(() => upgraded.shutdown());
  assert.equal(upgraded.groupEpoch, 7);
  assert.equal(upgraded.state, 'Stable');
  assert.equal(upgraded.classicHeartbeat('c1', null, 7), ErrorCode.NONE, 'nothing changes for the classic members');

  const n = new Consumer('n');
  n.beat(upgraded);
  assert.equal(upgraded.groupEpoch, 8);
  assert.deepEqual(n.partitions(t1), [], 'the classic members still hold everything');
  for (const id of ['c1', 'c2']) assert.equal(upgraded.classicHeartbeat(id, null, 7), ErrorCode.REBALANCE_IN_PROGRESS);
  // Eager classic clients give up everything before they rejoin.
  const shares = ['c1', 'c2'].map((id) => classicRound(upgraded, id).partitions);
  n.beat(upgraded);
  assert.deepEqual([...shares.flat(), ...n.partitions(t1)].sort(), [0, 1, 2, 3], 'disjoint and complete');
  assert.ok(n.partitions(t1).length > 0, 'the new member got a share');
});
