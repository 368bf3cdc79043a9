// Regression: a ShareFetch whose read finds only records the group's filter
// settles, or records due later, reads on at once to the records behind them
// instead of long-polling for new data. Each read here takes one batch
// (max_bytes 1), and only the last of twenty batches can be delivered now.

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '../../../src/client/index.js';
import { DELIVER_AT_HEADER } from '../../../src/coordinator/share/delivery-plan.js';
import { startTestBrokerWithClient } from '../../helpers/broker.js';
import { RawShareMember } from '../../helpers/raw-share-member.js';

const LONG_POLL_MS = 20_000;

async function firstDeliverable(t: TestContext, groupConfigs: Record<string, string>, headers: (i: number) => Record<string, string>) {
  const { broker, client } = await startTestBrokerWithClient(t);
  const admin = new Admin(client);
  await admin.createTopic('jobs', 1);
  await admin.alterConfigs({ type: 'group', name: 'workers' }, { set: { 'share.auto.offset.reset': 'earliest', ...groupConfigs } });
  const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let i = 0; i < 20; i++) await producer.send({ topic: 'jobs', messages: [{ value: `v${i}`, headers: headers(i) }] });
  await producer.disconnect();
  const member = await RawShareMember.join(t, broker, 'workers', 'jobs');
  const started = Date.now();
  const answer = await member.fetch([], LONG_POLL_MS, 1);
  return { acquired: answer.acquiredRecords, tookMs: Date.now() - started };
}

test('a share fetch reads on past batches its filter settles instead of waiting for new data', { timeout: 60_000 }, async (t) => {
  const { acquired, tookMs } = await firstDeliverable(t, { 'share.filter': 'header.type == "keep"' }, (i) => ({ type: i === 19 ? 'keep' : 'skip' }));
  assert.deepEqual(acquired, [{ firstOffset: 19, lastOffset: 19, deliveryCount: 1 }]);
  assert.ok(tookMs < LONG_POLL_MS, `answered after ${tookMs} ms`);
});

test('a share fetch reads on past batches due later instead of waiting for them', { timeout: 60_000 }, async (t) => {
  const later = String(Date.now() + 3_600_000);
  const { acquired, tookMs } = await firstDeliverable(t, {}, (i): Record<string, string> => (i === 19 ? {} : { [DELIVER_AT_HEADER]: later }));
  assert.deepEqual(acquired, [{ firstOffset: 19, lastOffset: 19, deliveryCount: 1 }]);
  assert.ok(tookMs < LONG_POLL_MS, `answered after ${tookMs} ms`);
});
