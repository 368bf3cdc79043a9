// The classic rebalance protocol of one Group, driven directly on a fake clock
// (timeouts are proven to the millisecond, without waiting): member ids (KIP-394),
// protocol agreement, generations and the errors that make members rejoin,
// session and rebalance timeouts, leaving, static membership (KIP-345), the
// empty consumer assignment, and the initial rebalance delay.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { EMPTY_CONSUMER_ASSIGNMENT } from '../../src/coordinator/group/consumer-protocol.js';
import { Group, type GroupContext, type JoinRequest } from '../../src/coordinator/group/group.js';
import type { JoinResult } from '../../src/coordinator/group/member.js';
import type { StoredGroup } from '../../src/coordinator/group/offsets-log.js';
import { silentLogger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeClock } from '../helpers/fake-clock.js';

interface Harness {
  group: Group;
  stored: StoredGroup[];
  clock: FakeClock;
}

function makeGroup(t: TestContext, initialRebalanceDelayMs = 0): Harness {
  const stored: StoredGroup[] = [];
  const clock = new FakeClock();
  const ctx: GroupContext = { initialRebalanceDelayMs, store: (g) => stored.push(g.stored()), clock, log: silentLogger() };
  const group = new Group('g', ctx);
  t.after(() => {
    if (group.state !== 'Dead') group.shutdown();
  });
  return { group, stored, clock };
}

/** Lets resolved promises run their callbacks, so `watch` sees what has been answered. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function req(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** Tracks whether a parked JoinGroup or SyncGroup has been answered. */
function watch<T>(p: Promise<T>): { result: T | null; done: Promise<T> } {
  const w = { result: null as T | null, done: p };
  void p.then((r) => (w.result = r));
  return w;
}

/** Joins a dynamic member and completes a generation with it as the only member (the first join ends on the initial-delay timer). */
async function soloStable({ group, clock }: Harness, overrides: Partial<JoinRequest> = {}): Promise<JoinResult> {
  const joining = group.join(req(overrides));
  clock.advance(0);
  const joined = await joining;
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const synced = await group.sync({
    memberId: joined.memberId,
    groupInstanceId: overrides.groupInstanceId ?? null,
    generationId: joined.generationId,
    assignments: new Map([[joined.memberId, Buffer.from(`assigned to ${joined.memberId}`)]]),
  });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return joined;
}

/**
 * Brings `a` (Stable alone, joined with `aOverrides`) and a new member `b` to a
 * common Stable generation.
 */
async function pairStable(
  group: Group,
  a: JoinResult,
  aOverrides: Partial<JoinRequest> = {},
  bOverrides: Partial<JoinRequest> = {},
): Promise<{ a: JoinResult; b: JoinResult }> {
  const bJoin = group.join(req({ clientId: 'b', ...bOverrides }));
  assert.equal(group.heartbeat(a.memberId, null, a.generationId), ErrorCode.REBALANCE_IN_PROGRESS);
  const [a2, b2] = await Promise.all([group.join(req({ ...aOverrides, memberId: a.memberId })), bJoin]);
  assert.equal(a2.generationId, a.generationId + 1);
  assert.equal(b2.generationId, a2.generationId);
  const leader = a2.leaderId === a2.memberId ? a2 : b2;
  const assignments = new Map([
    [a2.memberId, Buffer.from('A')],
    [b2.memberId, Buffer.from('B')],
  ]);
  const syncs = [a2, b2].map((m) =>
    group.sync({ memberId: m.memberId, groupInstanceId: bOverrides.groupInstanceId && m === b2 ? bOverrides.groupInstanceId : null, generationId: m.generationId, assignments: m === leader ? assignments : new Map() }),
  );
  for (const s of await Promise.all(syncs)) assert.equal(s.errorCode, ErrorCode.NONE);
  assert.equal(group.state, 'Stable');
  return { a: a2, b: b2 };
}

/**
 * A member Stable alone, then a second one: both through the join of
 * generation 2 (CompletingRebalance), neither synced yet.
 */
async function pairJoined(h: Harness, rebalanceTimeoutMs: number): Promise<{ leader: JoinResult; follower: JoinResult }> {
  const { group } = h;
  const a = await soloStable(h, { rebalanceTimeoutMs });
  const bJoin = group.join(req({ clientId: 'b', rebalanceTimeoutMs }));
  const [a2, b2] = await Promise.all([group.join(req({ memberId: a.memberId, rebalanceTimeoutMs })), bJoin]);
  const leader = a2.leaderId === a2.memberId ? a2 : b2;
  return { leader, follower: leader === a2 ? b2 : a2 };
}

test('a new dynamic member first gets its id with MEMBER_ID_REQUIRED, then leads generation 1', async (t) => {
  const { group, stored, clock } = makeGroup(t);
  const first = await group.join(req({ requireKnownMemberId: true }));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^client-[0-9a-f-]{36}$/);
  assert.equal(group.members.size, 0, 'a pending member is not a member yet');

  const joining = group.join(req({ memberId: first.memberId, requireKnownMemberId: true }));
  clock.advance(0);
  const joined = await joining;
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.generationId, 1);
  assert.equal(joined.leaderId, first.memberId);
  assert.equal(joined.protocolName, 'range');
  assert.deepEqual(joined.members, [{ memberId: first.memberId, groupInstanceId: null, metadata: Buffer.from('m') }]);
  assert.equal(group.state, 'CompletingRebalance');

  const synced = await group.sync({ memberId: joined.memberId, groupInstanceId: null, generationId: 1, assignments: new Map([[joined.memberId, Buffer.from('mine')]]) });
  assert.deepEqual(synced, { errorCode: ErrorCode.NONE, assignment: Buffer.from('mine') });
  assert.equal(group.state, 'Stable');
  assert.equal(stored.at(-1)?.generationId, 1);
  assert.equal(stored.at(-1)?.members[0].assignment.toString(), 'mine');
});

test('the group picks a protocol every member offers and refuses members it cannot agree with', async (t) => {
  const h = makeGroup(t);
  const { group } = h;
  const protocols = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
  const a = await soloStable(h, { protocols: protocols('range', 'roundrobin') });
  assert.equal(a.protocolName, 'range');

  const noCommon = await group.join(req({ protocols: protocols('sticky') }));
  assert.equal(noCommon.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const otherType = await group.join(req({ protocolType: 'connect', protocols: protocols('range') }));
  assert.equal(otherType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

  const bJoin = group.join(req({ protocols: protocols('roundrobin') }));
  const [a2, b2] = await Promise.all([group.join(req({ memberId: a.memberId, protocols: protocols('range', 'roundrobin') })), bJoin]);
  assert.equal(a2.protocolName, 'roundrobin', 'range is not offered by every member');
  assert.equal(b2.protocolName, 'roundrobin');
  const leader = a2.leaderId === a2.memberId ? a2 : b2;
  assert.deepEqual(
    leader.members.map((m) => m.metadata.toString()),
    ['roundrobin', 'roundrobin'],
    'the leader gets each member metadata for the chosen protocol',
  );
});

test('a joining member makes the others rejoin; the old generation gets ILLEGAL_GENERATION, and a rejoin recovers', async (t) => {
  const h = makeGroup(t);
  const { group } = h;
  const a = await soloStable(h);
  const { a: a2, b: b2 } = await pairStable(group, a);
  const follower = a2.leaderId === a2.memberId ? b2 : a2;

  assert.equal(group.heartbeat(follower.memberId, null, a.generationId), ErrorCode.ILLEGAL_GENERATION);
  const staleSync = await group.sync({ memberId: follower.memberId, groupInstanceId: null, generationId: a.generationId, assignments: new Map() });
  assert.equal(staleSync.errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal(group.commitError(follower.memberId, null, a.generationId), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(group.heartbeat('nobody', null, a2.generationId), ErrorCode.UNKNOWN_MEMBER_ID);

  // A follower rejoining unchanged gets the current generation back, without a rebalance.
  const again = await group.join(req({ memberId: follower.memberId, clientId: follower === b2 ? 'b' : 'client' }));
  assert.equal(again.generationId, a2.generationId);
  assert.deepEqual(again.members, []);
  assert.equal(group.state, 'Stable');
  assert.equal(group.heartbeat(follower.memberId, null, again.generationId), ErrorCode.NONE);
});

test('a follower the leader gave nothing gets an empty ConsumerProtocolAssignment, not zero bytes', async (t) => {
  const h = makeGroup(t);
  const { group } = h;
  const { leader, follower } = await pairJoined(h, 10_000);
  const followerSync = group.sync({ memberId: follower.memberId, groupInstanceId: null, generationId: follower.generationId, assignments: new Map() });
  await group.sync({ memberId: leader.memberId, groupInstanceId: null, generationId: leader.generationId, assignments: new Map([[leader.memberId, Buffer.from('all')]]) });
  const synced = await followerSync;
  assert.equal(synced.errorCode, ErrorCode.NONE);
  assert.deepEqual(synced.assignment, EMPTY_CONSUMER_ASSIGNMENT);
  assert.equal(group.describeMembers().find((m) => m.memberId === follower.memberId)?.assignment.length, EMPTY_CONSUMER_ASSIGNMENT.length);
});

test('a member whose heartbeats stop is evicted at its session timeout and the rest rebalance', async (t) => {
  const h = makeGroup(t);
  const { group, clock } = h;
  const SESSION_MS = 150;
  const a = await soloStable(h, { sessionTimeoutMs: SESSION_MS });
  const { a: a2, b: b2 } = await pairStable(group, a, { sessionTimeoutMs: SESSION_MS }, { sessionTimeoutMs: 60_000 });

  // b keeps heartbeating; a says nothing more.
  clock.advance(SESSION_MS - 1);
  assert.equal(group.heartbeat(b2.memberId, null, b2.generationId), ErrorCode.NONE);
  assert.equal(group.members.has(a2.memberId), true, 'not before the session timeout');
  clock.advance(1);
  assert.equal(group.members.has(a2.memberId), false);
  assert.equal(group.heartbeat(b2.memberId, null, b2.generationId), ErrorCode.REBALANCE_IN_PROGRESS);

  const b3 = await group.join(req({ memberId: b2.memberId, clientId: 'b', sessionTimeoutMs: 60_000 }));
  assert.equal(b3.generationId, b2.generationId + 1);
  assert.equal(b3.leaderId, b2.memberId);
  assert.deepEqual(b3.members.map((m) => m.memberId), [b2.memberId]);
  assert.equal(group.heartbeat(a2.memberId, null, b3.generationId), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a member that does not rejoin is dropped when the rebalance timeout passes', async (t) => {
  const h = makeGroup(t);
  const { group, clock } = h;
  const REBALANCE_MS = 150;
  const a = await soloStable(h, { rebalanceTimeoutMs: REBALANCE_MS });
  const { a: a2, b: b2 } = await pairStable(group, a, { rebalanceTimeoutMs: REBALANCE_MS }, { rebalanceTimeoutMs: REBALANCE_MS });

  const c = watch(group.join(req({ clientId: 'c', rebalanceTimeoutMs: REBALANCE_MS })));
  const aRejoin = watch(group.join(req({ memberId: a2.memberId, rebalanceTimeoutMs: REBALANCE_MS })));
  clock.advance(REBALANCE_MS - 1);
  await settle();
  assert.equal(aRejoin.result, null, 'the join waits for b until the rebalance timeout');
  clock.advance(1);
  const [aResult, cResult] = await Promise.all([aRejoin.done, c.done]);
  assert.equal(aResult.generationId, a2.generationId + 1);
  assert.equal(cResult.generationId, aResult.generationId);
  assert.equal(group.members.size, 2);
  assert.equal(group.members.has(b2.memberId), false);
  assert.equal(group.heartbeat(b2.memberId, null, b2.generationId), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a member that leaves triggers a rebalance at once; the last one out leaves the group Empty', async (t) => {
  const h = makeGroup(t);
  const { group, stored } = h;
  const a = await soloStable(h);
  const { a: a2, b: b2 } = await pairStable(group, a);

  assert.equal(group.leave(b2.memberId, null), ErrorCode.NONE);
  assert.equal(group.state, 'PreparingRebalance');
  assert.equal(group.leave(b2.memberId, null), ErrorCode.UNKNOWN_MEMBER_ID);
  const a3 = await group.join(req({ memberId: a2.memberId }));
  assert.equal(a3.generationId, a2.generationId + 1);
  assert.deepEqual(a3.members.map((m) => m.memberId), [a2.memberId]);

  await group.sync({ memberId: a3.memberId, groupInstanceId: null, generationId: a3.generationId, assignments: new Map() });
  assert.equal(group.leave(a3.memberId, null), ErrorCode.NONE);
  assert.equal(group.state, 'Empty');
  assert.equal(group.generationId, a3.generationId + 1);
  assert.deepEqual(stored.at(-1), {
    protocolType: 'consumer',
    generationId: a3.generationId + 1,
    protocolName: null,
    leaderId: null,
    currentStateTimestamp: group.currentStateTimestamp,
    members: [],
  });
});

test('a restarted static member takes its place back without a rebalance; its old id is fenced', async (t) => {
  const h = makeGroup(t);
  const { group } = h;
  const a = await soloStable(h);
  const { b: b2 } = await pairStable(group, a, {}, { groupInstanceId: 'instance-b' });
  const generation = group.generationId;
  const assignmentBefore = group.describeMembers().find((m) => m.memberId === b2.memberId)!.assignment;

  const restarted = await group.join(req({ clientId: 'b', groupInstanceId: 'instance-b' }));
  assert.equal(restarted.errorCode, ErrorCode.NONE);
  assert.notEqual(restarted.memberId, b2.memberId);
  assert.match(restarted.memberId, /^instance-b-/);
  assert.equal(restarted.generationId, generation);
  assert.equal(group.state, 'Stable', 'no rebalance');

  assert.equal(group.heartbeat(b2.memberId, 'instance-b', generation), ErrorCode.FENCED_INSTANCE_ID);
  assert.equal(group.commitError(b2.memberId, 'instance-b', generation), ErrorCode.FENCED_INSTANCE_ID);
  const synced = await group.sync({ memberId: restarted.memberId, groupInstanceId: 'instance-b', generationId: generation, assignments: new Map() });
  assert.deepEqual(synced, { errorCode: ErrorCode.NONE, assignment: assignmentBefore });

  assert.equal(group.leave('', 'instance-b'), ErrorCode.NONE, 'v3+ may name a static member by instance id alone');
  assert.equal(group.state, 'PreparingRebalance');
});

test('a leader that never sends SyncGroup is dropped after the rebalance timeout; waiting followers are told to rejoin', async (t) => {
  const h = makeGroup(t);
  const { group, clock } = h;
  const REBALANCE_MS = 150;
  const { leader, follower } = await pairJoined(h, REBALANCE_MS);

  const synced = watch(group.sync({ memberId: follower.memberId, groupInstanceId: null, generationId: follower.generationId, assignments: new Map() }));
  clock.advance(REBALANCE_MS - 1);
  await settle();
  assert.equal(synced.result, null, 'the follower waits for the leader until the rebalance timeout');
  clock.advance(1);
  assert.equal((await synced.done).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  assert.equal(group.members.has(leader.memberId), false);
  assert.equal(group.members.has(follower.memberId), true);
});

test('the first rebalance of an empty group waits the initial rebalance delay for more members, once more after each newcomer', async (t) => {
  const { group, clock } = makeGroup(t, 100);
  const a = watch(group.join(req({ clientId: 'a' })));
  clock.advance(99);
  await settle();
  assert.equal(a.result, null, 'the lone first member does not get a generation before the delay');
  const b = watch(group.join(req({ clientId: 'b' })));
  clock.advance(100);
  await settle();
  assert.equal(a.result, null, 'a member joined during the delay: it runs again (up to the rebalance timeout)');
  clock.advance(99);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.equal(ra.generationId, 1);
  assert.equal(rb.generationId, 1);
  assert.equal(ra.leaderId, rb.leaderId);
  assert.equal((ra.leaderId === ra.memberId ? ra : rb).members.length, 2);
});

test('a follower that never sends SyncGroup is dropped after the rebalance timeout, even once the leader made the group Stable', async (t) => {
  const h = makeGroup(t);
  const { group, clock } = h;
  const REBALANCE_MS = 150;
  const { leader, follower } = await pairJoined(h, REBALANCE_MS);
  await group.sync({ memberId: leader.memberId, groupInstanceId: null, generationId: leader.generationId, assignments: new Map() });
  assert.equal(group.state, 'Stable');

  // The follower keeps heartbeating (its session never lapses) but never syncs: Kafka's pending-sync expiry removes it.
  clock.advance(REBALANCE_MS - 1);
  assert.equal(group.heartbeat(follower.memberId, null, follower.generationId), ErrorCode.NONE, 'not before the rebalance timeout');
  clock.advance(1);
  assert.equal(group.heartbeat(follower.memberId, null, follower.generationId), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(group.state, 'PreparingRebalance');
  assert.deepEqual([...group.members.keys()], [leader.memberId]);
});

test('a follower that syncs after the leader, within the rebalance timeout, stays', async (t) => {
  const h = makeGroup(t);
  const { group, clock } = h;
  const REBALANCE_MS = 150;
  const a = await soloStable(h, { rebalanceTimeoutMs: REBALANCE_MS });
  const { b: b2 } = await pairStable(group, a, { rebalanceTimeoutMs: REBALANCE_MS }, { rebalanceTimeoutMs: REBALANCE_MS });
  clock.advance(REBALANCE_MS * 2);
  assert.equal(group.state, 'Stable');
  assert.equal(group.heartbeat(b2.memberId, null, b2.generationId), ErrorCode.NONE);
});

test('rebalance timeout 0 leaves no time to sync: the member is dropped when the join completes, as in Kafka 4', async (t) => {
  // Kafka bounds the sync phase by the members' largest rebalance timeout; a client that sends 0 cannot make it.
  const { group, clock } = makeGroup(t);
  const joining = group.join(req({ rebalanceTimeoutMs: 0 }));
  clock.advance(0);
  const joined = await joining;
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const synced = await group.sync({ memberId: joined.memberId, groupInstanceId: null, generationId: joined.generationId, assignments: new Map() });
  assert.equal(synced.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(group.state, 'Empty');
});

test('with an initial rebalance delay of 0 the first join ends on a timer: members joining in the same turn share generation 1', async (t) => {
  const { group, clock } = makeGroup(t, 0);
  const a = group.join(req({ clientId: 'a' }));
  const b = group.join(req({ clientId: 'b' }));
  clock.advance(0);
  const [ra, rb] = await Promise.all([a, b]);
  assert.deepEqual([ra.generationId, rb.generationId], [1, 1]);
  assert.equal((ra.leaderId === ra.memberId ? ra : rb).members.length, 2);
});

test('the first join does not wait for a member that got MEMBER_ID_REQUIRED and has not come back', async (t) => {
  const { group, clock } = makeGroup(t, 0);
  const pending = await group.join(req({ clientId: 'pending', sessionTimeoutMs: 5000, requireKnownMemberId: true }));
  assert.equal(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const joined = watch(group.join(req({ clientId: 'a' })));
  clock.advance(0);
  await settle();
  assert.ok(joined.result, 'answered when the initial delay ends, not after the pending member\'s session timeout');
  assert.deepEqual([joined.result.errorCode, joined.result.generationId, joined.result.members.length], [ErrorCode.NONE, 1, 1]);
});

test('a member that leaves during the initial rebalance delay ends the join at once when everyone left has joined', async (t) => {
  const { group } = makeGroup(t, 10_000);
  const staying = watch(group.join(req({ clientId: 'staying' })));
  const [stayingId] = group.members.keys();
  const leaving = group.join(req({ clientId: 'leaving' }));
  const leavingId = [...group.members.keys()].find((id) => id !== stayingId)!;
  assert.equal(group.leave(leavingId, null), ErrorCode.NONE);
  assert.equal((await leaving).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  await settle();
  assert.ok(staying.result, 'answered with the clock standing still, long before the 10 s delay');
  assert.deepEqual([staying.result.errorCode, staying.result.generationId, staying.result.members.map((m) => m.memberId)], [ErrorCode.NONE, 1, [stayingId]]);
});
