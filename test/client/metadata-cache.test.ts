// The client's metadata cache: answers from memory until invalidated or
// metadataMaxAgeMs old, notices partitions added and topics deleted and
// re-created once refreshed, and shares one request among concurrent refreshes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin, type KafkaClient, KafkaError } from '../../src/client/index.js';
import { MetadataCache } from '../../src/client/metadata-cache.js';
import { refreshesMetadata } from '../../src/client/retriable.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestBrokerWithClient } from '../helpers/broker.js';

const MAX_AGE_MS = 60_000;

/** A cache over `client`'s Metadata requests on a clock the test moves, counting the requests. */
function countingCache(client: KafkaClient): { cache: MetadataCache; clock: { now: number }; requests: () => number } {
  const clock = { now: 0 };
  let requests = 0;
  const cache = new MetadataCache(
    (name, allowAutoCreate) => {
      requests++;
      return client.topic(name, allowAutoCreate);
    },
    MAX_AGE_MS,
    () => clock.now,
  );
  return { cache, clock, requests: () => requests };
}

test('cachedTopic answers from the cache until invalidated; the refresh then notices partitions added by CreatePartitions', async (t) => {
  const { client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('grows', 1);
  assert.equal((await client.cachedTopic('grows')).partitions.length, 1);

  await admin.createPartitions('grows', 3);
  assert.equal((await client.cachedTopic('grows')).partitions.length, 1, 'still the cached answer');
  client.invalidate('grows');
  const refreshed = await client.cachedTopic('grows');
  assert.deepEqual(refreshed.partitions.map((p) => p.partition), [0, 1, 2]);
  assert.ok(refreshed.partitions.every((p) => p.leader === 0 && p.leaderEpoch >= 0));
});

test('an entry older than metadataMaxAgeMs is asked for again on its next use', async (t) => {
  const { client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('ages', 1);
  const { cache, clock, requests } = countingCache(client);
  await cache.get('ages');
  await admin.createPartitions('ages', 2);

  clock.now += MAX_AGE_MS - 1;
  assert.equal((await cache.get('ages')).partitions.length, 1);
  assert.equal(requests(), 1);
  clock.now += 1;
  assert.equal((await cache.get('ages')).partitions.length, 2);
  assert.equal(requests(), 2);
});

test('a topic deleted and re-created is noticed: the refresh after the error drops it, the next one finds the new topic', async (t) => {
  const { client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('reborn', 1);
  const before = await client.cachedTopic('reborn');

  await admin.deleteTopic('reborn');
  await assert.rejects(client.topic('reborn'), (err) => err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.ok(refreshesMetadata(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  await admin.createTopic('reborn', 2);

  const after = await client.cachedTopic('reborn');
  assert.notDeepEqual(after.topicId, before.topicId);
  assert.equal(after.partitions.length, 2);
});

test('concurrent refreshes of one topic share one Metadata request', async (t) => {
  const { client } = await startTestBrokerWithClient(t);
  await new Admin(client).createTopic('shared', 1);
  const { cache, requests } = countingCache(client);

  const answers = await Promise.all([cache.get('shared'), cache.get('shared'), cache.refresh('shared'), cache.get('shared')]);
  assert.equal(requests(), 1);
  assert.ok(answers.every((a) => a === answers[0]));
  await cache.refresh('shared');
  assert.equal(requests(), 2, 'a refresh after the shared one finished asks again');
});

test('the errors that say metadata is stale are retriable, and only they refresh it', () => {
  for (const code of [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.LEADER_NOT_AVAILABLE]) {
    assert.ok(refreshesMetadata(code), `${code}`);
  }
  assert.equal(refreshesMetadata(ErrorCode.NONE), false);
  assert.equal(refreshesMetadata(ErrorCode.REQUEST_TIMED_OUT), false);
  assert.equal(refreshesMetadata(ErrorCode.MESSAGE_TOO_LARGE), false);
});
