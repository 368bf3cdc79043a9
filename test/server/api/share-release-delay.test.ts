// Sluice's releaseDelayMs tagged field on acknowledgement batches, end to end
// over TCP: a release in ShareAcknowledge or piggybacked on ShareFetch keeps
// the records of that batch back for its delay (their delivery count still
// raised), other batches' records come back at once, and a delay out of
// bounds is refused with INVALID_REQUEST.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '../../../src/client/index.js';
import { AcknowledgeType, MAX_RELEASE_DELAY_MS } from '../../../src/coordinator/share/share-partition.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { RawShareMember } from '../../helpers/raw-share-member.js';

const { Accept, Release } = AcknowledgeType;

test("released records come back only after their batch's releaseDelayMs, from ShareAcknowledge and from ShareFetch alike", { timeout: 30_000 }, async (t) => {
  const { broker, client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('retry', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest' } });
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: 'retry', messages: ['a', 'b', 'c'].map((value) => ({ value })) });
  await producer.disconnect();

  const member = await RawShareMember.join(t, broker, 'workers', 'retry');
  assert.deepEqual((await member.fetch()).acquiredRecords, [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }]);

  const acknowledgedAt = Date.now();
  const errorCode = await member.acknowledge([
    { firstOffset: 0, lastOffset: 0, acknowledgeTypes: [Release], releaseDelayMs: 1000 },
    { firstOffset: 1, lastOffset: 1, acknowledgeTypes: [Release] },
  ]);
  assert.equal(errorCode, ErrorCode.NONE);

  // Offset 1 was released without a delay; offset 2 is released here, piggybacked, for 2 s.
  const fetchedAt = Date.now();
  const second = await member.fetch([{ firstOffset: 2, lastOffset: 2, acknowledgeTypes: [Release], releaseDelayMs: 2000 }]);
  assert.equal(second.acknowledgeErrorCode, ErrorCode.NONE);
  assert.deepEqual(second.acquiredRecords, [{ firstOffset: 1, lastOffset: 1, deliveryCount: 2 }]);
  assert.ok(Date.now() - acknowledgedAt < 1000, 'offset 1 came back without waiting for offset 0');

  const third = await member.fetch([{ firstOffset: 1, lastOffset: 1, acknowledgeTypes: [Accept] }]);
  assert.deepEqual(third.acquiredRecords, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 2 }]);
  assert.ok(Date.now() - acknowledgedAt >= 1000, 'offset 0 not before its delay');

  const fourth = await member.fetch([{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [Accept] }]);
  assert.deepEqual(fourth.acquiredRecords, [{ firstOffset: 2, lastOffset: 2, deliveryCount: 2 }]);
  assert.ok(Date.now() - fetchedAt >= 2000, 'offset 2 not before its delay');

  assert.equal(await member.acknowledge([{ firstOffset: 2, lastOffset: 2, acknowledgeTypes: [Release], releaseDelayMs: MAX_RELEASE_DELAY_MS + 1 }]), ErrorCode.INVALID_REQUEST);
  assert.equal(await member.acknowledge([{ firstOffset: 2, lastOffset: 2, acknowledgeTypes: [Accept] }]), ErrorCode.NONE, 'the refused release changed nothing');
  assert.equal(broker.shares.stats('workers')[0].startOffset, 3);
});
