// Regression: a ShareFetch carrying acknowledgements reads the next records
// while the acknowledgements are being stored (a __share_group_state append
// waiting for its group-commit fsync), instead of only after, so a member's
// round trip holds one fsync and no read behind it; the answer still waits
// for the acknowledgements to be stored.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../../src/client/index.js';
import { SluiceProducer } from '../../../src/client/sluice-producer.js';
import { SHARE_STATE_TOPIC } from '../../../src/coordinator/share/share-state-store.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { RawShareMember } from '../../helpers/raw-share-member.js';

test('a share fetch reads the next records while its acknowledgements are stored, and answers once they are', { timeout: 60_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('jobs', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  // Records past the 64 KiB a one-record read takes: each read of the log returns one of them.
  const producer = new SluiceProducer(client, { acks: 'all', lingerMs: 0 });
  for (let i = 0; i < 3; i++) await producer.send('jobs', { partition: 0, value: Buffer.alloc(80 * 1024, i) });

  const stateLogs = () => broker.broker.cluster.topic(SHARE_STATE_TOPIC)!.partitions.map((_, i) => broker.broker.partition(SHARE_STATE_TOPIC, i)!);
  const storing = () => stateLogs().some((p) => p.logEndOffset > p.highWatermark);
  const log = broker.broker.partition('jobs', 0)!.log;
  const readWhileStoring: boolean[] = [];
  const read = log.read.bind(log);
  log.read = (offset, maxBytes, maxOffset, minOneBatch) => {
    readWhileStoring.push(broker.broker.cluster.topic(SHARE_STATE_TOPIC) !== undefined && storing());
    return read(offset, maxBytes, maxOffset, minOneBatch);
  };

  const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
  const first = await member.fetch([], 5000, 1 << 20, 1);
  assert.deepEqual(first.acquiredRecords, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }]);
  // The first acknowledgement also creates the state topic.
  const second = await member.fetch([{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [1] }], 5000, 1 << 20, 1);
  assert.deepEqual(second.acquiredRecords, [{ firstOffset: 1, lastOffset: 1, deliveryCount: 1 }]);
  const third = await member.fetch([{ firstOffset: 1, lastOffset: 1, acknowledgeTypes: [1] }], 5000, 1 << 20, 1);
  assert.equal(third.acknowledgeErrorCode, 0);
  assert.deepEqual(third.acquiredRecords, [{ firstOffset: 2, lastOffset: 2, deliveryCount: 1 }]);
  assert.equal(readWhileStoring.length, 3);
  assert.equal(readWhileStoring[2], true, 'the third read ran while the acknowledgement it followed was being stored');
  assert.equal(storing(), false, 'answered once it was stored');
});
