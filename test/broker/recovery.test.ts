// Crash recovery of the on-disk log, seen through the whole broker: a broker
// process is killed with SIGKILL (so no clean-shutdown marker is written), the
// last segment file is damaged the way a crash or a bad disk would, and the
// restarted broker must serve every intact batch, drop a torn tail and append
// new records at the offset it was cut to, and keep but never serve a batch
// that fails its CRC in the middle of the log.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { type TestContext, test } from 'node:test';
import { Admin, AssignedConsumer, KafkaClient, KafkaError, LATEST, Producer } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { BATCH_HEADER_SIZE } from '../../src/protocol/record-batch.js';
import { type BrokerProcess, type SegmentBatch, defer, makeDataDir, segmentBatches, segmentFiles, spawnBroker } from '../helpers/broker-process.js';
import { type Stored, offsetOf, readPartition } from './read-back.js';

const TOPIC = 'recover';
const BATCHES = 12;
const RECORDS_PER_BATCH = 10;

function clientFor(t: TestContext, broker: BrokerProcess): { client: KafkaClient; admin: Admin } {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { client, admin: new Admin(client) };
}

function batchRecords(batch: number, tag = 'r'): { key: Buffer; value: Buffer; partition: number }[] {
  return [...Array(RECORDS_PER_BATCH).keys()].map((i) => ({
    key: Buffer.from(`${tag}-${batch}-${i}`),
    value: Buffer.from(`${tag} batch ${batch} record ${i} ${'.'.repeat(100)}`),
    partition: 0,
  }));
}

function stored(records: { key: Buffer; value: Buffer }[], firstOffset: number): Stored[] {
  return records.map((r, i) => ({ offset: firstOffset + i, key: r.key.toString(), value: r.value.toString() }));
}

interface CrashedLog {
  dataDir: string;
  /** What each acknowledged batch holds, in offset order. */
  written: Stored[][];
  /** The last segment file and its batches as they were at the crash. */
  lastSegment: string;
  batches: SegmentBatch[];
}

/**
 * Writes BATCHES acknowledged batches to a one-partition topic whose small
 * segments make the log span several files, then kills the broker with -9.
 */
async function writeThenCrash(t: TestContext): Promise<CrashedLog> {
  const dataDir = await makeDataDir(t);
  const broker = await spawnBroker(t, { dataDir });
  const { client, admin } = clientFor(t, broker);
  await admin.createTopic(TOPIC, 1, { 'segment.bytes': '4096' });
  const producer = new Producer(client, { acks: -1 });
  const written: Stored[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const records = batchRecords(b);
    const base = (await producer.sendBatch(TOPIC, records)).at(0)!.offset;
    assert.equal(base, b * RECORDS_PER_BATCH);
    written.push(stored(records, base));
  }
  await client.close();
  await broker.kill9();

  const segments = await segmentFiles(dataDir, TOPIC, 0);
  assert.ok(segments.length >= 3, `the log should span several segments, has ${segments.length}`);
  const lastSegment = segments[segments.length - 1].path;
  const batches = await segmentBatches(lastSegment);
  assert.ok(batches.length >= 2, 'the last segment should hold at least two batches');
  assert.equal(batches[batches.length - 1].lastOffset, BATCHES * RECORDS_PER_BATCH - 1);
  return { dataDir, written, lastSegment, batches };
}

/**
 * Restarts on the damaged data directory and checks the log holds exactly the
 * batches before `firstLostBatch` (an index into `written`), then that a new
 * produce lands right after them and reads back.
 */
async function restartAndCheck(t: TestContext, crashed: CrashedLog, firstLostBatch: number): Promise<void> {
  const broker = await spawnBroker(t, { dataDir: crashed.dataDir });
  const { client, admin } = clientFor(t, broker);
  const kept = crashed.written.slice(0, firstLostBatch).flat();
  assert.equal(await offsetOf(admin, TOPIC, 0, LATEST), kept.length, 'log end after recovery');
  assert.deepEqual(await readPartition(client, admin, TOPIC, 0, 0), kept);

  const fresh = batchRecords(0, 'after-restart');
  const base = (await new Producer(client, { acks: -1 }).sendBatch(TOPIC, fresh)).at(0)!.offset;
  assert.equal(base, kept.length, 'the first offset given after recovery');
  assert.deepEqual(await readPartition(client, admin, TOPIC, 0, 0), [...kept, ...stored(fresh, kept.length)]);
}

test('a batch torn in half at the end of the last segment is cut off; earlier batches and new appends are intact', async (t) => {
  const crashed = await writeThenCrash(t);
  const last = crashed.batches[crashed.batches.length - 1];
  await fs.truncate(crashed.lastSegment, last.position + Math.floor(last.size / 2));

  await restartAndCheck(t, crashed, BATCHES - 1);
  // The torn half is gone from the file: the new batch was written where the torn one began.
  const after = await segmentBatches(crashed.lastSegment);
  assert.equal(after[after.length - 1].position, last.position);
  assert.equal(after[after.length - 1].baseOffset, last.baseOffset);
});

test('a flipped byte inside the last batch fails its CRC: that batch is dropped, earlier ones are kept', async (t) => {
  const crashed = await writeThenCrash(t);
  const last = crashed.batches[crashed.batches.length - 1];
  const file = await fs.open(crashed.lastSegment, 'r+');
  try {
    // A byte in the records, past the header: only the CRC can tell.
    const at = last.position + BATCH_HEADER_SIZE + Math.floor((last.size - BATCH_HEADER_SIZE) / 2);
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, at);
    byte[0] ^= 0x10;
    await file.write(byte, 0, 1, at);
  } finally {
    await file.close();
  }

  await restartAndCheck(t, crashed, BATCHES - 1);
});

test('after a crash, a flipped byte in a batch before the last one is corruption, not a torn write: kept, refused with CORRUPT_MESSAGE, the batches after it readable', async (t) => {
  const crashed = await writeThenCrash(t);
  const victimIndex = BATCHES - 2;
  const victim = crashed.batches[crashed.batches.length - 2];
  assert.equal(victim.baseOffset, victimIndex * RECORDS_PER_BATCH);
  const file = await fs.open(crashed.lastSegment, 'r+');
  try {
    const at = victim.position + victim.size - 3;
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, at);
    byte[0] ^= 0xff;
    await file.write(byte, 0, 1, at);
  } finally {
    await file.close();
  }

  const broker = await spawnBroker(t, { dataDir: crashed.dataDir });
  const { client, admin } = clientFor(t, broker);
  assert.equal(await offsetOf(admin, TOPIC, 0, LATEST), BATCHES * RECORDS_PER_BATCH, 'nothing was cut');
  assert.deepEqual(await readPartition(client, admin, TOPIC, 0, 0, victim.baseOffset), crashed.written.slice(0, victimIndex).flat());
  await assert.rejects(
    new AssignedConsumer(client, TOPIC, new Map([[0, victim.baseOffset + 1]]), { maxWaitMs: 50 }).poll(),
    (err) => err instanceof KafkaError && err.errorCode === ErrorCode.CORRUPT_MESSAGE,
  );
  assert.deepEqual(await readPartition(client, admin, TOPIC, 0, victim.lastOffset + 1), crashed.written[victimIndex + 1]);
});
