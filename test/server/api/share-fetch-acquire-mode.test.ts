// ShareFetch v2's ShareAcquireMode (KIP-1206) on the wire: record_limit (1)
// acquires at most MaxRecords records, cutting producer batches where the
// limit falls, and answers them as one AcquiredRecords range. Sluice's
// batch_optimized (0) keeps the same limit: Kafka may finish a batch past it,
// which the schema allows ("can be exceeded"), Sluice never needs to.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../../src/client/index.js';
import { SluiceProducer } from '../../../src/client/sluice-producer.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { RawShareMember } from '../../helpers/raw-share-member.js';

const BATCH_OPTIMIZED = 0;
const RECORD_LIMIT = 1;

test('record_limit acquires exactly MaxRecords across producer batches, as one range; batch_optimized keeps the limit too', { timeout: 60_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('jobs', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  const producer = new SluiceProducer(client, { acks: 'all', lingerMs: 0 });
  // Four batches of five records: offsets 0-4, 5-9, 10-14, 15-19.
  for (let b = 0; b < 4; b++) await producer.sendBatch('jobs', Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: Buffer.from(`job ${b * 5 + i}`) })));

  const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
  const first = await member.fetch([], 5000, 1 << 20, 6, RECORD_LIMIT);
  assert.deepEqual(first.acquiredRecords, [{ firstOffset: 0, lastOffset: 5, deliveryCount: 1 }], 'six records of two batches, one range');
  const second = await member.fetch([{ firstOffset: 0, lastOffset: 5, acknowledgeTypes: [1] }], 5000, 1 << 20, 6, BATCH_OPTIMIZED);
  assert.equal(second.acknowledgeErrorCode, 0);
  assert.deepEqual(second.acquiredRecords, [{ firstOffset: 6, lastOffset: 11, deliveryCount: 1 }], 'batch_optimized does not finish the batch past MaxRecords');
  const third = await member.fetch([], 5000, 1 << 20, 1, RECORD_LIMIT);
  assert.deepEqual(third.acquiredRecords, [{ firstOffset: 12, lastOffset: 12, deliveryCount: 1 }], 'one record at a time when asked');
});
