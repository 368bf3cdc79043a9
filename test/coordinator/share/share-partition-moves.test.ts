// A share partition lives on its topic partition's leader (KIP-932): when
// this broker stops leading the topic partition, its share partitions are
// dropped at once, a fetch waiting on them is woken, and the partition is
// next loaded from its last stored state, where acknowledged records stay
// acknowledged and records that were held are available again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../../src/client/index.js';
import { SluiceProducer } from '../../../src/client/sluice-producer.js';
import type { SharePartitionRequest } from '../../../src/coordinator/share/share-requests.js';
import { AcknowledgeType } from '../../../src/coordinator/share/share-partition.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { waitFor } from '../../helpers/broker-process.js';

test('a share partition is dropped when its topic partition moves away, waking its fetches, and comes back from its stored state', { timeout: 60_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('jobs', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  const producer = new SluiceProducer(client, { acks: 'all', lingerMs: 0 });
  for (let i = 0; i < 4; i++) await producer.send('jobs', { partition: 0, value: `v${i}` });
  const shares = broker.shares;
  assert.equal(shares.heartbeat('workers', { memberId: 'm1', memberEpoch: 0, rackId: null, subscribedTopicNames: ['jobs'], clientId: 'c', clientHost: 'h' }).errorCode, 0);
  const topicId = broker.broker.cluster.topic('jobs')!.topicId.toString('hex');
  let epoch = 0;
  const fetch = (maxWaitMs: number, acknowledgements: SharePartitionRequest['acknowledgements'] = []) =>
    shares.fetch({ groupId: 'workers', memberId: 'm1', sessionEpoch: epoch++, maxWaitMs, maxBytes: 1 << 20, maxRecords: 100, partitions: [{ topicId, partition: 0, acknowledgements }], forgotten: [], connection: new AbortController().signal, mayRead: () => true });

  assert.deepEqual((await fetch(0)).partitions[0].acquired, [{ firstOffset: 0, lastOffset: 3, deliveryCount: 1 }]);
  // 0 and 1 acknowledged (and stored); 2 and 3 still held; the next fetch waits for more.
  const waiting = fetch(30_000, [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [AcknowledgeType.Accept] }]);
  const waitingStarted = Date.now();
  // Stored once its share coordinator holds it; the fetch then reads once more, finds nothing and waits.
  await waitFor('the acknowledgement stored', () => shares.states.snapshotOf({ groupId: 'workers', topicId, partition: 0 })?.startOffset === 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(shares.stats('workers').map((s) => [s.startOffset, s.acquired]), [[2, 2]]);

  broker.broker.leadership.emit({ topic: 'jobs', partition: 0, role: 'follower', leaderEpoch: 1 });
  assert.deepEqual(shares.stats('workers'), [], 'dropped at once');
  const woken = await waiting;
  assert.ok(Date.now() - waitingStarted < 10_000, 'the waiting fetch was woken, not left to its 30 s');
  // This broker still leads it in fact (only the event was sent), so the fetch loaded it again from the stored state.
  assert.equal(woken.partitions[0].acknowledgeErrorCode, 0);
  assert.deepEqual(woken.partitions[0].acquired, [{ firstOffset: 2, lastOffset: 3, deliveryCount: 2 }], 'the held records came back available, the acknowledged ones did not');
});
