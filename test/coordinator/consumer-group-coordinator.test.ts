// Consumer-protocol groups (KIP-848) inside a real broker's group coordinator:
// which protocol a group id runs and when it changes, the member epoch check
// of OffsetCommit and OffsetFetch, committed offsets that survive a restart
// while the members (kept in memory) are told to rejoin, how DescribeGroups,
// ListGroups and ConsumerGroupDescribe show the group, and the assignor config.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { ConsumerHeartbeat } from '../../src/coordinator/group/consumer/heartbeat-request.js';
import type { GroupCoordinator } from '../../src/coordinator/group/group-coordinator.js';
import { type BrokerConfig, resolveConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { decodeAssignment, decodeSubscription, encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { makeDataDir } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';

function start(t: TestContext, dataDir: string, config: Partial<BrokerConfig> = {}): Promise<RunningBroker> {
  return startRestartableBroker(t, dataDir, 0, undefined, { offsetsTopicNumPartitions: 5, ...config });
}

function join(groups: GroupCoordinator, groupId: string, memberId: string, overrides: Partial<ConsumerHeartbeat> = {}) {
  return groups.consumerGroupHeartbeat(
    groupId,
    {
      memberId,
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['t'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      ownedPartitions: new Map(),
      clientId: 'kip848-client',
      clientHost: '127.0.0.1',
      ...overrides,
    },
    1,
  );
}

function classicJoin(groups: GroupCoordinator, groupId: string, protocolType = 'consumer') {
  return groups.join(groupId, {
    memberId: '',
    groupInstanceId: null,
    clientId: 'classic',
    clientHost: '127.0.0.1',
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    protocolType,
    protocols: [{ name: 'range', metadata: encodeSubscription({ version: 0, topics: ['t'], userData: null, ownedPartitions: [] }) }],
    requireKnownMemberId: false,
  });
}

const entry = (partition: number, offset: number) => ({ topic: 't', partition, offset, leaderEpoch: -1, metadata: null, commitTimestamp: -1 });

test('a group id runs one protocol at a time: empty groups change protocol with their next member, live classic groups of other protocol types refuse', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  const { groups } = broker;
  await broker.broker.createTopic('t', 2, {});

  assert.equal(join(groups, 'unknown', 'm', { memberEpoch: 3 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'a member of a group this broker does not know rejoins');
  assert.equal(join(groups, 'g', 'm1').errorCode, ErrorCode.NONE);
  assert.equal(groups.describeConsumerGroup('g').errorCode, ErrorCode.NONE);
  assert.equal((await classicJoin(groups, 'g', 'connect')).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal(join(groups, 'g', 'm1', { memberEpoch: -1 }).errorCode, ErrorCode.NONE);
  // Empty now: a classic consumer makes it a classic group again.
  const classic = await classicJoin(groups, 'g');
  assert.equal(classic.errorCode, ErrorCode.NONE);
  assert.equal(groups.describeConsumerGroup('g').errorCode, ErrorCode.GROUP_ID_NOT_FOUND, 'no longer a consumer-protocol group');
  assert.equal(groups.describeConsumerGroup('nothing').errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

  const connect = await classicJoin(groups, 'workers', 'connect');
  assert.equal(connect.errorCode, ErrorCode.NONE);
  assert.equal(join(groups, 'workers', 'm2').errorCode, ErrorCode.GROUP_ID_NOT_FOUND, 'a live classic group that cannot migrate');
});

test('OffsetCommit and OffsetFetch of consumer-protocol members check the member epoch; offsets survive a restart, members rejoin', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await start(t, dataDir);
  await first.broker.createTopic('t', 2, {});
  const joined = join(first.groups, 'g', 'm1');
  const member = { memberId: 'm1', groupInstanceId: null, generationId: joined.memberEpoch };
  assert.equal(joined.memberEpoch, 1);
  assert.deepEqual(await first.groups.commitOffsets('g', member, [entry(0, 5), entry(1, 6)]), [ErrorCode.NONE, ErrorCode.NONE]);
  assert.deepEqual(await first.groups.commitOffsets('g', { ...member, generationId: 0 }, [entry(0, 7)]), [ErrorCode.STALE_MEMBER_EPOCH]);
  assert.deepEqual(await first.groups.commitOffsets('g', { ...member, generationId: 2 }, [entry(0, 7)]), [ErrorCode.FENCED_MEMBER_EPOCH]);
  assert.deepEqual(await first.groups.commitOffsets('g', { ...member, memberId: 'm2' }, [entry(0, 7)]), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(first.groups.fetchOffsetsError('g', 'm1', 1), ErrorCode.NONE);
  assert.equal(first.groups.fetchOffsetsError('g', 'm1', 0), ErrorCode.STALE_MEMBER_EPOCH);
  assert.equal(first.groups.fetchOffsetsError('g', 'm2', 1), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(first.groups.fetchOffsetsError('g', null, -1), ErrorCode.NONE, 'admin tools read without an epoch');
  await first.close();

  const second = await start(t, dataDir);
  assert.deepEqual(second.groups.fetchOffsets('g', null).map((o) => [o.partition, o.offset]), [[0, 5], [1, 6]]);
  assert.equal(join(second.groups, 'g', 'm1', { memberEpoch: 1, ownedPartitions: null }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'membership is not kept across a restart');
  assert.deepEqual(await second.groups.commitOffsets('g', member, [entry(0, 9)]), [ErrorCode.UNKNOWN_MEMBER_ID]);
  const rejoined = join(second.groups, 'g', 'm1');
  assert.equal(rejoined.errorCode, ErrorCode.NONE);
  assert.deepEqual(await second.groups.commitOffsets('g', { ...member, generationId: rejoined.memberEpoch }, [entry(0, 9)]), [ErrorCode.NONE]);
});

test('DescribeGroups, ListGroups and ConsumerGroupDescribe show a consumer-protocol group, classic members included', async (t) => {
  const broker = await start(t, await makeDataDir(t));
  const { groups } = broker;
  await broker.broker.createTopic('t', 2, {});
  join(groups, 'g', 'm1');
  const classic = await classicJoin(groups, 'g');
  assert.equal(classic.errorCode, ErrorCode.NONE);
  assert.equal(join(groups, 'g', 'm1', { memberEpoch: 1, ownedPartitions: new Map() }).errorCode, ErrorCode.NONE);
  assert.equal((await classicJoin(groups, 'g')).errorCode, ErrorCode.NONE, 'another classic member');
  const described = groups.describeConsumerGroup('g');
  assert.equal(described.assignorName, 'uniform');
  assert.deepEqual(described.members.map((m) => m.classicMetadata === null).sort(), [false, false, true]);

  assert.deepEqual(groups.listGroups().map((g) => [g.groupId, g.protocolType, g.type]), [['g', 'consumer', 'consumer']]);
  assert.deepEqual(groups.listGroups([], ['Consumer']).map((g) => g.groupId), ['g'], 'ListGroups v5 types filter');
  assert.deepEqual(groups.listGroups([], ['classic']), []);
  const classicView = groups.describeGroup('g');
  assert.equal(classicView.protocolType, 'consumer');
  assert.equal(classicView.protocolName, 'uniform');
  assert.equal(classicView.members.length, 3);
  for (const m of classicView.members) {
    assert.deepEqual(decodeSubscription(m.metadata).topics, ['t']);
    const consumerView = described.members.find((d) => d.memberId === m.memberId)!;
    assert.deepEqual(decodeAssignment(m.assignment).partitions, consumerView.assignment.map((a) => ({ topic: a.topicName, partitions: a.partitions })));
  }
});

test('groupConsumerAssignors names the assignors groups may use; the first is the default, an unknown name is a config error', async (t) => {
  const broker = await start(t, await makeDataDir(t), { groupConsumerAssignors: 'range' as unknown as string[] });
  await broker.broker.createTopic('t', 2, {});
  join(broker.groups, 'g', 'm1');
  assert.equal(broker.groups.describeConsumerGroup('g').assignorName, 'range');
  assert.equal(join(broker.groups, 'g', 'm2', { serverAssignor: 'uniform' }).errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
  assert.throws(() => resolveConfig({ groupConsumerAssignors: ['uniform', 'sticky'] }), ConfigError);
  assert.deepEqual(resolveConfig({ groupConsumerAssignors: 'range, uniform' }).groupConsumerAssignors, ['range', 'uniform']);
});
