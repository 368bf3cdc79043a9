// Regressions: a member taking a few records of a large batch at a time is sent
// only the span of the batch it acquired, not the whole batch again for each
// few, and the broker reads (and CRC-checks) that batch from the log once, not
// once for each few (both cost ten times the bytes for records produced in
// batches of 1000 and taken 100 at a time).

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Admin } from '../../../src/client/index.js';
import { checkBatch } from '../../../src/protocol/record-batch.js';
import { decodeBatch, forEachBatch } from '../../../src/protocol/records.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { RawShareMember } from '../../helpers/raw-share-member.js';
import { SluiceProducer } from '../../../src/client/sluice-producer.js';

const RECORDS = 1000;
const TAKE = 100;

async function oneLargeBatch(t: TestContext) {
  const { broker, client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('jobs', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  const producer = new SluiceProducer(client, { acks: 'all', lingerMs: 0 });
  await producer.sendBatch('jobs', Array.from({ length: RECORDS }, (_, i) => ({ partition: 0, value: Buffer.from(`job ${i}`.padEnd(100)) })));
  const log = broker.broker.partition('jobs', 0)!.log.read(0, 1 << 20, RECORDS);
  let batches = 0;
  forEachBatch(log, () => batches++);
  assert.equal(batches, 1, 'the records went as one batch');
  return { broker, client, producer, batchBytes: log.length };
}

test('a share fetch of a few records of a large batch sends only the span it acquired', { timeout: 60_000 }, async (t) => {
  const { broker, batchBytes } = await oneLargeBatch(t);

  const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
  let acks: { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[] = [];
  for (let first = 0; first < RECORDS; first += TAKE) {
    const answer = await member.fetch(acks, 5000, 1 << 20, TAKE);
    assert.deepEqual(answer.acquiredRecords, [{ firstOffset: first, lastOffset: first + TAKE - 1, deliveryCount: 1 }]);
    const data = answer.records!;
    const offsets: number[] = [];
    forEachBatch(data, (pos, size) => {
      assert.equal(checkBatch(data, pos, pos + size), null);
      offsets.push(...decodeBatch(data, pos).records.map((r) => r.offset));
    });
    assert.deepEqual(offsets, Array.from({ length: TAKE }, (_, i) => first + i));
    assert.ok(data.length < batchBytes / 5, `sent ${data.length} bytes of a ${batchBytes}-byte batch for ${TAKE} of its ${RECORDS} records`);
    acks = [{ firstOffset: first, lastOffset: first + TAKE - 1, acknowledgeTypes: [1] }];
  }
  assert.equal(await member.acknowledge(acks), 0);
});

test('the takes of one large batch read it from the log once, and records produced after it are read when reached', { timeout: 60_000 }, async (t) => {
  const { broker, producer } = await oneLargeBatch(t);
  const log = broker.broker.partition('jobs', 0)!.log;
  const readFrom: number[] = [];
  const read = log.read.bind(log);
  log.read = (offset, maxBytes, maxOffset, minOneBatch) => {
    readFrom.push(offset);
    return read(offset, maxBytes, maxOffset, minOneBatch);
  };
  const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
  let acks: { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[] = [];
  for (let first = 0; first < RECORDS; first += TAKE) {
    const answer = await member.fetch(acks, 5000, 1 << 20, TAKE);
    assert.deepEqual(answer.acquiredRecords, [{ firstOffset: first, lastOffset: first + TAKE - 1, deliveryCount: 1 }]);
    acks = [{ firstOffset: first, lastOffset: first + TAKE - 1, acknowledgeTypes: [1] }];
  }
  assert.deepEqual(readFrom, [0], 'one read for the ten takes');
  await producer.send('jobs', { partition: 0, value: Buffer.from('after') });
  const after = await member.fetch(acks, 5000, 1 << 20, TAKE);
  assert.deepEqual(after.acquiredRecords, [{ firstOffset: RECORDS, lastOffset: RECORDS, deliveryCount: 1 }]);
  assert.deepEqual(readFrom, [0, RECORDS]);
});
