// A full disk (here: a file size limit, so writes fail with EFBIG as they would
// with ENOSPC) costs the producer a KAFKA_STORAGE_ERROR, never an acknowledged
// record: the partition goes offline (produce and fetch on it answer
// KAFKA_STORAGE_ERROR, and the log says so), the broker stays up and keeps
// serving the others, and after a restart without the limit every
// acknowledged record is there and nothing else.

import assert from 'node:assert/strict';
import test from 'node:test';
import { AssignedConsumer } from '../../src/client/consumer.js';
import { KafkaError } from '../../src/client/client-error.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { Producer } from '../../src/client/producer.js';
import { Admin } from '../../src/client/admin.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { makeDataDir, spawnBroker } from '../helpers/broker-process.js';

const LIMIT_KIB = 256;
const RECORD = Buffer.alloc(1000, 'd');

test('a write past the disk limit fails with KAFKA_STORAGE_ERROR and loses no acknowledged record', async (t) => {
  const dataDir = await makeDataDir(t);
  const limited = await spawnBroker(t, { dataDir, fileSizeLimitKiB: LIMIT_KIB });
  const client = new KafkaClient({ bootstrap: limited.bootstrap });
  t.after(() => client.close());
  await new Admin(client).createTopic('full', 1);
  // KAFKA_STORAGE_ERROR is retriable: a short delivery timeout reports it instead of retrying for two minutes.
  const producer = new Producer(client, { acks: -1, deliveryTimeoutMs: 1000 });

  let acked = 0;
  let refusal: unknown = null;
  // 10 records a request: the log file reaches the limit after about 25 requests.
  for (let i = 0; i < 100 && refusal === null; i++) {
    try {
      await producer.sendBatch('full', Array.from({ length: 10 }, (_, j) => ({ value: RECORD, key: Buffer.from(`${i}-${j}`), partition: 0 })));
      acked += 10;
    } catch (err) {
      refusal = err;
    }
  }
  assert.ok(refusal instanceof KafkaError, `the write past ${LIMIT_KIB} KiB is refused (got ${String(refusal)})\n${limited.recentOutput()}`);
  assert.equal(refusal.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  assert.ok(acked > 0, 'writes below the limit were acknowledged');

  // The partition is now offline: a record that would fit is refused too, reads answer
  // KAFKA_STORAGE_ERROR instead of data, and the log says why.
  await assert.rejects(producer.send('full', { value: Buffer.from('x'), partition: 0 }), (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.KAFKA_STORAGE_ERROR);
  await assert.rejects(
    new AssignedConsumer(client, 'full', new Map([[0, 0]]), { maxWaitMs: 100 }).poll(),
    (err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.KAFKA_STORAGE_ERROR,
  );
  assert.match(limited.recentOutput(), /"topic":"full","partition":0,"msg":"partition offline after a storage failure/);

  // The broker is still up: another topic takes writes.
  await new Admin(client).createTopic('other', 1);
  const { partition, offset } = await producer.send('other', { value: Buffer.from('still serving'), partition: 0 });
  assert.deepEqual([partition, offset], [0, 0]);
  await limited.stop();

  const restarted = await spawnBroker(t, { dataDir });
  const reader = new KafkaClient({ bootstrap: restarted.bootstrap });
  t.after(() => reader.close());
  const consumer = new AssignedConsumer(reader, 'full', new Map([[0, 0]]), { maxWaitMs: 100 });
  const keys: string[] = [];
  for (;;) {
    const batch = await consumer.poll();
    if (batch.length === 0) break;
    keys.push(...batch.map((r) => r.key!.toString()));
  }
  assert.equal(keys.length, acked, 'exactly the acknowledged records are in the log');
  assert.equal(keys[0], '0-0');
  assert.equal(keys[keys.length - 1], `${acked / 10 - 1}-9`);
});
