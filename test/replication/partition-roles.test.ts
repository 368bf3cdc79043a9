// Every broker opens the partitions it holds a replica of and takes the role
// the control plane gives it: the leader appends, a follower refuses writes
// with NOT_LEADER_OR_FOLLOWER; moving leadership swaps the roles under a new
// leader epoch that the new leader's first append records; a replica moved
// away or a deleted topic is closed and its directory removed. Each role
// change is told on the broker's leadership events.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { LeadershipChange } from '../../src/broker/leadership.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { readBatchHeader } from '../../src/protocol/record-batch.js';
import { produceTo, startCluster, whenRole } from './brokers.js';

test('each replica opens its partition as leader or follower, as assigned, and says so on its leadership events', async (t) => {
  const { plane, brokers } = await startCluster(t, [1, 2, 3]);
  const heard = new Map<number, LeadershipChange[]>();
  for (const [id, b] of brokers) {
    heard.set(id, []);
    b.broker.leadership.on((c) => heard.get(id)?.push(c));
  }
  await plane.createTopic('roles', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(brokers.get(1)!, 'roles', 0, 'leader'), whenRole(brokers.get(2)!, 'roles', 0, 'follower')]);

  assert.deepEqual(heard.get(1), [{ topic: 'roles', partition: 0, role: 'leader', leaderEpoch: 0 }]);
  assert.deepEqual(heard.get(2), [{ topic: 'roles', partition: 0, role: 'follower', leaderEpoch: 0 }]);
  assert.deepEqual(heard.get(3), [], 'broker 3 holds no replica');
  assert.equal(brokers.get(3)!.broker.partition('roles', 0), undefined);
  assert.equal(brokers.get(2)!.broker.partition('roles', 0)?.leaderId, 1);
});

test('a follower answers produce with NOT_LEADER_OR_FOLLOWER and appends nothing', async (t) => {
  const { plane, brokers } = await startCluster(t, [1, 2]);
  await plane.createTopic('follow', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await whenRole(brokers.get(2)!, 'follow', 0, 'follower');

  const answer = await produceTo(t, brokers.get(2)!, 'follow', 0, ['refused'], 1);
  assert.equal(answer.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(brokers.get(2)!.broker.partition('follow', 0)?.logEndOffset, 0);
});

test('moving leadership swaps the roles under the next leader epoch, which the new leader records at its first append', async (t) => {
  const { plane, brokers } = await startCluster(t, [1, 2]);
  const [b1, b2] = [brokers.get(1)!, brokers.get(2)!];
  await plane.createTopic('moved', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  await Promise.all([whenRole(b1, 'moved', 0, 'leader'), whenRole(b2, 'moved', 0, 'follower')]);
  assert.equal((await produceTo(t, b1, 'moved', 0, ['under epoch 0'], 1)).errorCode, ErrorCode.NONE);

  plane.moveLeader('moved', 0, 2);
  await Promise.all([whenRole(b1, 'moved', 0, 'follower', 1), whenRole(b2, 'moved', 0, 'leader', 1)]);
  assert.equal((await produceTo(t, b1, 'moved', 0, ['refused'], 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal((await produceTo(t, b2, 'moved', 0, ['under epoch 1'], 1)).errorCode, ErrorCode.NONE);

  // Broker 2 may or may not have copied the epoch-0 record while it followed: the new record is its last.
  const log = b2.broker.partition('moved', 0)!.log;
  const last = log.logEndOffset - 1;
  assert.equal(readBatchHeader(log.read(last, 1 << 20, log.logEndOffset)).partitionLeaderEpoch, 1, 'the batch carries the new epoch');
  assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 1, endOffset: last + 1 });
  assert.deepEqual(log.endOffsetForEpoch(0), { epoch: 0, endOffset: last }, 'epoch 0 ends where epoch 1 starts');
});

test('a replica moved away and a deleted topic are closed and their directories removed', async (t) => {
  const { plane, brokers } = await startCluster(t, [1, 2]);
  const [b1, b2] = [brokers.get(1)!, brokers.get(2)!];
  await plane.createTopic('going', 1, {}, { replicationFactor: 2, assignments: [[1, 2]] });
  // Each broker opens its replica on its own: both are waited for.
  await Promise.all([whenRole(b1, 'going', 0, 'leader'), whenRole(b2, 'going', 0, 'follower')]);
  const dir2 = path.join(b2.config.dataDir, 'going-0');
  assert.ok(fs.existsSync(dir2));

  const removed: LeadershipChange[] = [];
  b2.broker.leadership.on((c) => removed.push(c));
  plane.update('going', 0, { replicas: [1], isr: [1] });
  await whenRole(b2, 'going', 0, 'none');
  assert.deepEqual(removed, [{ topic: 'going', partition: 0, role: 'none', leaderEpoch: 0 }]);
  assert.ok(!fs.existsSync(dir2), 'the moved replica is gone from disk');
  assert.equal(b1.broker.partition('going', 0)?.role, 'leader', 'the remaining replica keeps leading');

  await plane.deleteTopic('going');
  await whenRole(b1, 'going', 0, 'none');
  assert.ok(!fs.existsSync(path.join(b1.config.dataDir, 'going-0')));
});
