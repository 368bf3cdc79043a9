// Regression: every start rewrote cluster.json (and each partition's
// aborted-txns), so a start on a full disk crashed with ENOSPC though it had
// nothing to write. A start after a clean stop now leaves every file as it
// was, but for the transaction checkpoints it removes and the run id it
// replaces (so that a crash from then on is seen as one), and so it starts
// and serves on a full disk.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import kafkajs from 'kafkajs';
import { AssignedConsumer } from '../../src/client/consumer.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { Producer } from '../../src/client/producer.js';
import { Admin } from '../../src/client/admin.js';
import { BROKER_RUN_FILE } from '../../src/storage/clean-shutdown.js';
import { makeDataDir } from '../helpers/broker-process.js';
import { startRestartableBroker } from '../helpers/restartable-broker.js';
import { mountSmallDisk } from '../helpers/small-disk.js';

const { Kafka, logLevel } = kafkajs;

/** Markers a start removes on purpose: they hold only between a clean close and the next open. */
const REMOVED_AT_START = new Set(['txn-checkpoint']);
/** The broker run's id (storage/clean-shutdown.ts): each start writes its own. */
const REWRITTEN_AT_START = new Set([BROKER_RUN_FILE]);

/** Every file under `dir` with its inode, mtime and size. */
function fileStates(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) fileStates(file, out);
    else {
      const s = fs.statSync(file);
      out.set(file, `inode ${s.ino} mtime ${s.mtimeMs} size ${s.size}`);
    }
  }
  return out;
}

test('a start after a clean stop rewrites no file that did not change', async (t) => {
  const dataDir = await makeDataDir(t);
  const first = await startRestartableBroker(t, dataDir, 0, undefined, { offsetsTopicNumPartitions: 2, transactionStateNumPartitions: 2 });
  const kafka = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'data', numPartitions: 2 }] });
  await admin.setOffsets({ groupId: 'g', topic: 'data', partitions: [{ partition: 0, offset: '1' }] });
  await admin.disconnect();
  // An aborted transaction, so that a partition's aborted-txns file has a line to keep.
  const producer = kafka.producer({ transactionalId: 'tx', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'data', messages: [{ value: 'aborted', partition: 0 }] });
  await txn.abort();
  await producer.disconnect();
  await first.close();

  const before = fileStates(dataDir);
  const abortedFile = path.join(dataDir, 'data-0', 'aborted-txns');
  assert.ok(fs.statSync(abortedFile).size > 0, 'data-0 has an aborted transaction on record');
  assert.ok(before.has(path.join(dataDir, 'cluster.json')));

  const second = await startRestartableBroker(t, dataDir, 0);
  // A round of the periodic high-watermark checkpoint, as replica.high.watermark.checkpoint.interval.ms runs it: no high watermark moved.
  second.broker.checkpointHighWatermarks();
  const after = fileStates(dataDir);
  await second.close();
  for (const [file, state] of before) {
    if (REMOVED_AT_START.has(path.basename(file))) assert.equal(after.get(file), undefined, `${file} is removed at start`);
    else if (REWRITTEN_AT_START.has(path.basename(file))) assert.notEqual(after.get(file), undefined, `${file} is there`);
    else assert.equal(after.get(file), state, `${file} is untouched`);
  }
  assert.deepEqual([...after.keys()].filter((f) => !before.has(f)), [], 'no file is created');
});

test('a start on a full disk works when it has nothing to write', async (t) => {
  const disk = await mountSmallDisk(t, 16 * 1024);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)');
  const first = await startRestartableBroker(t, disk.dir, 0);
  const client = new KafkaClient({ bootstrap: first.bootstrap });
  await new Admin(client).createTopic('kept', 1);
  await new Producer(client, { acks: -1 }).sendBatch('kept', [{ value: Buffer.from('one'), partition: 0 }, { value: Buffer.from('two'), partition: 0 }]);
  await client.close();
  await first.close();

  disk.fill();
  assert.throws(() => fs.writeFileSync(path.join(disk.dir, 'probe'), Buffer.alloc(8192)), { code: 'ENOSPC' });
  const second = await startRestartableBroker(t, disk.dir, 0);
  const reader = new KafkaClient({ bootstrap: second.bootstrap });
  t.after(() => reader.close());
  const records = await new AssignedConsumer(reader, 'kept', new Map([[0, 0]]), { maxWaitMs: 100 }).poll();
  assert.deepEqual(
    records.map((r) => r.value?.toString()),
    ['one', 'two'],
  );
  // Closing writes checkpoints; that path is not what this test is about.
  disk.free();
});
