// The group coordinator inside a real broker: FindCoordinator and the lazy
// creation of __consumer_offsets, request validation, committed offsets that
// survive a restart (with metadata, leader epoch and the group's membership),
// the OffsetCommit errors clients rely on, an OffsetFetch that reads the
// commit sent before it, offset retention, DeleteGroups and OffsetDelete.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { BrokerConnection } from '../../src/client/connection.js';
import type { GroupCoordinator } from '../../src/coordinator/group/group-coordinator.js';
import type { JoinRequest } from '../../src/coordinator/group/group.js';
import { offsetsPartitionFor } from '../../src/coordinator/group/offsets-log.js';
import { OFFSETS_TOPIC } from '../../src/coordinator/group/offset-store.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from '../../src/protocol/messages/find-coordinator.js';
import { OffsetCommitRequest, OffsetCommitResponse } from '../../src/protocol/messages/offset-commit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from '../../src/protocol/messages/offset-fetch.js';
import { type RunningBroker, type StartOptions, startBroker } from '../../src/start-broker.js';
import { defer, makeDataDir, waitFor } from '../helpers/broker-process.js';

const FIND_COORDINATOR = { request: FindCoordinatorRequest, response: FindCoordinatorResponse };
const OFFSET_COMMIT = { request: OffsetCommitRequest, response: OffsetCommitResponse };
const OFFSET_FETCH = { request: OffsetFetchRequest, response: OffsetFetchResponse };

async function start(t: TestContext, dataDir: string, options: StartOptions = {}): Promise<RunningBroker> {
  const broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', offsetsTopicNumPartitions: 5, ...options });
  let closed = false;
  defer(t, () => (closed ? undefined : broker.close()));
  return {
    ...broker,
    async close() {
      closed = true;
      await broker.close();
    },
  };
}

/** ConsumerProtocolSubscription v0: version, topics, null user data. */
function subscription(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1].writeInt32BE(topics.length);
  for (const topic of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(topic.length);
    parts.push(len, Buffer.from(topic));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return Buffer.concat(parts);
}

function joinRequest(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId: '',
    groupInstanceId: null,
    clientId: 'test-client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** A consumer group with one member, Stable, subscribed to `topics`. */
async function stableMember(groups: GroupCoordinator, groupId: string, topics = ['t']): Promise<{ memberId: string; groupInstanceId: null; generationId: number }> {
  const joined = await groups.join(groupId, joinRequest({ protocols: [{ name: 'range', metadata: subscription(topics) }] }));
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const synced = await groups.sync(groupId, {
    memberId: joined.memberId,
    groupInstanceId: null,
    generationId: joined.generationId,
    assignments: new Map([[joined.memberId, Buffer.from('assignment')]]),
  });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return { memberId: joined.memberId, groupInstanceId: null, generationId: joined.generationId };
}

const SIMPLE = { memberId: '', groupInstanceId: null, generationId: -1 };

function entry(topic: string, partition: number, offset: number, extra: { leaderEpoch?: number; metadata?: string | null } = {}) {
  return { topic, partition, offset, leaderEpoch: extra.leaderEpoch ?? -1, metadata: extra.metadata ?? null, commitTimestamp: -1 };
}

test('the first FindCoordinator for a group creates __consumer_offsets, compacted, and names this broker', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  assert.equal(broker.broker.cluster.topic(OFFSETS_TOPIC), undefined, 'no internal topic before any group is used');
  const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId: 'find-coordinator-test' });
  defer(t, () => conn.close());

  const v0 = await conn.sendVersion(FIND_COORDINATOR, 0, { key: 'g' });
  assert.deepEqual([v0.errorCode, v0.nodeId, v0.host, v0.port], [ErrorCode.NONE, 0, '127.0.0.1', broker.port]);
  const topic = broker.broker.cluster.topic(OFFSETS_TOPIC);
  assert.equal(topic?.partitions.length, 5);
  assert.equal(topic?.configs['cleanup.policy'], 'compact');
  assert.equal(topic?.configs['retention.ms'], '-1');

  const v4 = await conn.sendVersion(FIND_COORDINATOR, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
  assert.deepEqual(
    v4.coordinators.map((c: { key: string; nodeId: number; port: number; errorCode: number }) => [c.key, c.nodeId, c.port, c.errorCode]),
    [
      ['a', 0, broker.port, ErrorCode.NONE],
      ['b', 0, broker.port, ErrorCode.NONE],
    ],
  );
  // Transactional ids are coordinated here too (src/coordinator/txn).
  const txn = await conn.sendVersion(FIND_COORDINATOR, 2, { key: 'txn', keyType: 1 });
  assert.deepEqual([txn.errorCode, txn.nodeId, txn.port], [ErrorCode.NONE, 0, broker.port]);
});

test('JoinGroup refuses an empty group id, session timeouts out of range, and member ids of unknown groups', async (t) => {
  const broker = await start(t, await makeDataDir(t), { groupMinSessionTimeoutMs: 1000, groupMaxSessionTimeoutMs: 5000 });
  const { groups } = broker;
  assert.equal((await groups.join('', joinRequest({ sessionTimeoutMs: 2000 }))).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await groups.join('g', joinRequest({ sessionTimeoutMs: 999 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await groups.join('g', joinRequest({ sessionTimeoutMs: 5001 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await groups.join('g', joinRequest({ sessionTimeoutMs: 2000, memberId: 'ghost' }))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await groups.join('g', joinRequest({ sessionTimeoutMs: 5000 }))).errorCode, ErrorCode.NONE);
});

test('committed offsets, with metadata and leader epoch, and group membership survive a restart', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await start(t, dataDir);
  await first.broker.createTopic('t', 3, {});
  const member = await stableMember(first.groups, 'consumers');
  const commit = await first.groups.commitOffsets('consumers', member, [entry('t', 0, 42, { leaderEpoch: 3, metadata: 'checkpoint' }), entry('t', 2, 7)]);
  assert.deepEqual(commit, [ErrorCode.NONE, ErrorCode.NONE]);
  assert.deepEqual(await first.groups.commitOffsets('simple', SIMPLE, [entry('t', 1, 5)]), [ErrorCode.NONE]);

  const holder = first.broker.partition(OFFSETS_TOPIC, offsetsPartitionFor('consumers', 5))!;
  assert.ok(holder.highWatermark > 0, "the records are in the group's own partition");
  const before = first.groups.fetchOffsets('consumers', null);
  assert.deepEqual(before, [
    { topic: 't', partition: 0, offset: 42, leaderEpoch: 3, metadata: 'checkpoint', errorCode: ErrorCode.NONE },
    { topic: 't', partition: 2, offset: 7, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
  ]);
  await first.close();

  const second = await start(t, dataDir);
  assert.deepEqual(second.groups.fetchOffsets('consumers', null), before);
  assert.deepEqual(second.groups.fetchOffsets('simple', [{ topic: 't', partitions: [1, 0] }]), [
    { topic: 't', partition: 1, offset: 5, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
    { topic: 't', partition: 0, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
  ]);
  const listed = second.groups.listGroups().sort((a, b) => a.groupId.localeCompare(b.groupId));
  assert.deepEqual(listed, [
    { groupId: 'consumers', protocolType: 'consumer', state: 'Stable', type: 'classic' },
    { groupId: 'simple', protocolType: '', state: 'Empty', type: 'classic' },
  ]);
  // The member carries on in its generation without rejoining, as with a Kafka coordinator failover.
  assert.equal(second.groups.heartbeat('consumers', member.memberId, null, member.generationId), ErrorCode.NONE);
  const described = second.groups.describeGroup('consumers');
  assert.equal(described.protocolName, 'range');
  assert.deepEqual(described.members.map((m) => [m.memberId, m.clientId, m.assignment.toString()]), [[member.memberId, 'test-client', 'assignment']]);
});

test('OffsetCommit answers stale generations, unknown members, unknown partitions and long metadata as Kafka does', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  const { groups } = broker;
  await broker.broker.createTopic('t', 2, {});
  const stale = { memberId: 'gone', groupInstanceId: null, generationId: 3 };
  assert.deepEqual(await groups.commitOffsets('nobody', stale, [entry('t', 0, 1)]), [ErrorCode.ILLEGAL_GENERATION]);

  const member = await stableMember(groups, 'g');
  assert.deepEqual(await groups.commitOffsets('g', { ...member, memberId: 'other' }, [entry('t', 0, 1)]), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.deepEqual(await groups.commitOffsets('g', { ...member, generationId: member.generationId - 1 }, [entry('t', 0, 1)]), [ErrorCode.ILLEGAL_GENERATION]);
  assert.deepEqual(await groups.commitOffsets('g', SIMPLE, [entry('t', 0, 1)]), [ErrorCode.UNKNOWN_MEMBER_ID], 'a simple commit to a live group');
  assert.deepEqual(
    await groups.commitOffsets('g', member, [
      entry('t', 0, 10),
      entry('t', 2, 10),
      entry('missing', 0, 10),
      entry('t', 1, 10, { metadata: 'x'.repeat(4097) }),
    ]),
    [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.OFFSET_METADATA_TOO_LARGE],
  );
  assert.deepEqual(groups.fetchOffsets('g', null).map((o) => [o.topic, o.partition, o.offset]), [['t', 0, 10]]);

  // Between JoinGroup and SyncGroup the member must finish the rebalance first.
  const joining = groups.join('g', joinRequest({ clientId: 'second' }));
  const rejoined = await groups.join('g', joinRequest({ memberId: member.memberId }));
  await joining;
  assert.deepEqual(await groups.commitOffsets('g', { ...member, generationId: rejoined.generationId }, [entry('t', 0, 11)]), [ErrorCode.REBALANCE_IN_PROGRESS]);
});

// Kafka handles one request of a connection at a time, so librdkafka's
// commit() followed at once by committed() reads its own commit; Sluice
// dispatches both on arrival, while the commit is still being fsynced.
test('an OffsetFetch sent right behind an OffsetCommit on one connection reads that commit', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  await broker.broker.createTopic('t', 1, {});
  const conn = await BrokerConnection.connect('127.0.0.1', broker.port, { clientId: 'read-your-commit-test' });
  defer(t, () => conn.close());
  for (const version of [7, 8]) {
    for (let offset = 1; offset <= 5; offset++) {
      // Not awaited: both requests are on the wire before the commit is answered.
      const committed = conn.send(OFFSET_COMMIT, {
        groupId: 'g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      const wanted = [{ name: 't', partitionIndexes: [0] }];
      const fetched = conn.sendVersion(OFFSET_FETCH, version, version >= 8 ? { groups: [{ groupId: 'g', topics: wanted }], requireStable: false } : { groupId: 'g', topics: wanted, requireStable: false });
      assert.equal((await committed).topics[0].partitions[0].errorCode, ErrorCode.NONE);
      const res = await fetched;
      const topics = version >= 8 ? res.groups[0].topics : res.topics;
      assert.equal(Number(topics[0].partitions[0].committedOffset), offset, `OffsetFetch v${version} after the commit of ${offset}`);
    }
  }
});

test('offsets expire offsetsRetentionMinutes after their group became empty, and the group goes with them', async (t) => {
  const dataDir = await makeDataDir(t);
  const broker = await start(t, dataDir, { offsetsRetentionMinutes: 1 });
  const { groups } = broker;
  await broker.broker.createTopic('t', 1, {});
  await broker.broker.createTopic('old', 1, {});

  const leaving = await stableMember(groups, 'emptied');
  assert.deepEqual(await groups.commitOffsets('emptied', leaving, [entry('t', 0, 3)]), [ErrorCode.NONE]);
  const live = await stableMember(groups, 'live', ['t']);
  assert.deepEqual(await groups.commitOffsets('live', live, [entry('t', 0, 4), entry('old', 0, 4)]), [ErrorCode.NONE, ErrorCode.NONE]);
  assert.equal(groups.leave('emptied', [{ memberId: leaving.memberId, groupInstanceId: null }]).members[0].errorCode, ErrorCode.NONE);
  const emptiedAt = Date.now();

  assert.equal(groups.expireOffsets(emptiedAt + 30_000), 0, 'nothing is due after half the retention');
  assert.equal(groups.expireOffsets(Date.now() + 61_000), 2, "the empty group's offset, and the live group's offset of a topic it left");
  assert.deepEqual(groups.listGroups().map((g) => g.groupId), ['live']);
  await waitFor('the tombstones to be committed', () => groups.fetchOffsets('emptied', null).length === 0);
  await waitFor('the unsubscribed offset to go', () => groups.fetchOffsets('live', null).length === 1);
  assert.deepEqual(groups.fetchOffsets('live', null).map((o) => o.topic), ['t']);
  await broker.close();

  const restarted = await start(t, dataDir, { offsetsRetentionMinutes: 1 });
  assert.deepEqual(restarted.groups.fetchOffsets('emptied', null), []);
  assert.deepEqual(restarted.groups.listGroups().map((g) => g.groupId), ['live']);
  assert.deepEqual(restarted.groups.fetchOffsets('live', null).map((o) => [o.topic, o.offset]), [['t', 4]]);
});

test('DeleteGroups deletes only empty groups; OffsetDelete spares topics a live group subscribes to', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  const { groups } = broker;
  await broker.broker.createTopic('t', 1, {});
  await broker.broker.createTopic('u', 1, {});
  const member = await stableMember(groups, 'g', ['t']);
  assert.deepEqual(await groups.commitOffsets('g', member, [entry('t', 0, 1), entry('u', 0, 2)]), [ErrorCode.NONE, ErrorCode.NONE]);

  assert.equal(await groups.deleteGroup('g'), ErrorCode.NON_EMPTY_GROUP);
  assert.equal(await groups.deleteGroup('unknown'), ErrorCode.GROUP_ID_NOT_FOUND);
  const partial = await groups.deleteOffsets('g', [
    { topic: 't', partitions: [0] },
    { topic: 'u', partitions: [0] },
    { topic: 'missing', partitions: [0] },
  ]);
  assert.equal(partial.errorCode, ErrorCode.NONE);
  assert.deepEqual(
    partial.results.map((r) => [r.topic, r.errorCode]),
    [
      ['t', ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC],
      ['u', ErrorCode.NONE],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  assert.deepEqual(groups.fetchOffsets('g', null).map((o) => o.topic), ['t']);
  assert.equal((await groups.deleteOffsets('unknown', [])).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

  groups.leave('g', [{ memberId: member.memberId, groupInstanceId: null }]);
  assert.equal(await groups.deleteGroup('g'), ErrorCode.NONE);
  assert.deepEqual(groups.fetchOffsets('g', null), []);
  assert.deepEqual(groups.listGroups(), []);
  assert.equal(groups.describeGroup('g').state, 'Dead');
  assert.equal(await groups.deleteGroup('g'), ErrorCode.GROUP_ID_NOT_FOUND);
});
