// Retention through the whole broker: topics with small segment.bytes and
// small retention.bytes / retention.ms lose their oldest segment files, the
// log start offset moves to the first remaining segment, and clients see it:
// ListOffsets earliest (our Admin and kafkajs' admin), a read from the
// beginning, and a fetch below it gets OFFSET_OUT_OF_RANGE.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { type TestContext, test } from 'node:test';
import kafkajs from 'kafkajs';
import { Admin, EARLIEST, KafkaClient, LATEST, Producer } from '../../src/client/index.js';
import type { RunningBroker } from '../../src/start-broker.js';
import { type SegmentFile, defer, segmentFiles, waitFor } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { type Stored, offsetOf, readPartition } from './read-back.js';

const SEGMENT_BYTES = 2048;
const RECORDS_PER_BATCH = 4;

function clientFor(t: TestContext, broker: RunningBroker): { client: KafkaClient; admin: Admin } {
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  return { client, admin: new Admin(client) };
}

/**
 * Produces `batches` acknowledged batches of ~550 bytes (three fit in a
 * segment) stamped `timestamp`, and returns what they hold.
 */
async function produceBatches(producer: Producer, topic: string, first: number, batches: number, timestamp?: number): Promise<Stored[]> {
  const out: Stored[] = [];
  for (let b = first; b < first + batches; b++) {
    const records = [...Array(RECORDS_PER_BATCH).keys()].map((i) => ({
      key: Buffer.from(`k-${b}-${i}`),
      value: Buffer.from(`batch ${b} record ${i} ${'='.repeat(110)}`),
      partition: 0,
      timestamp,
    }));
    const base = (await producer.sendBatch(topic, records)).at(0)!.offset;
    out.push(...records.map((r, i) => ({ offset: base + i, key: r.key.toString(), value: r.value.toString() })));
  }
  return out;
}

/** The log start offset as another client sees it: kafkajs' ListOffsets earliest. */
async function kafkajsEarliest(t: TestContext, bootstrap: string, topic: string): Promise<number> {
  const admin = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const [p] = await admin.fetchTopicOffsets(topic);
  return Number(p.low);
}

/**
 * Checks that exactly the segments before `firstKept` were deleted from disk,
 * and that every client-visible view of the log start offset agrees.
 */
async function checkRetained(broker: RunningBroker, t: TestContext, topic: string, before: SegmentFile[], firstKept: SegmentFile, produced: Stored[]): Promise<void> {
  const { client, admin } = clientFor(t, broker);
  const after = await segmentFiles(broker.config.dataDir, topic, 0);
  assert.deepEqual(
    after.map((s) => s.baseOffset),
    before.filter((s) => s.baseOffset >= firstKept.baseOffset).map((s) => s.baseOffset),
    'segment files left on disk',
  );
  for (const gone of before.filter((s) => s.baseOffset < firstKept.baseOffset)) {
    assert.equal(fs.existsSync(gone.path), false, `${gone.path} should be deleted`);
    assert.equal(fs.existsSync(gone.path.replace(/\.log$/, '.index')), false, `index of ${gone.path} should be deleted`);
  }
  const start = firstKept.baseOffset;
  assert.ok(start > 0);
  assert.equal(await offsetOf(admin, topic, 0, EARLIEST), start, 'ListOffsets earliest');
  assert.equal(await kafkajsEarliest(t, broker.bootstrap, topic), start, 'kafkajs earliest');
  assert.equal((await admin.describeTopic(topic)).partitionOffsets[0].logStartOffset, start);
  // Nothing after the log start is lost, the end does not move, and below it there is nothing to read.
  assert.equal(await offsetOf(admin, topic, 0, LATEST), produced.length);
  assert.deepEqual(await readPartition(client, admin, topic, 0), produced.slice(start));
  await assert.rejects(readPartition(client, admin, topic, 0, 0), /OFFSET_OUT_OF_RANGE/);
  // Appends go on at the old end.
  const next = [...(await new Producer(client, { acks: -1 }).sendBatch(topic, [{ key: null, value: Buffer.from('after retention'), partition: 0 }]))];
  assert.equal(next[0].offset, produced.length);
}

/**
 * The segments retention.bytes must delete: the oldest closed ones, as long
 * as what is left stays at or above the limit (Kafka's rule).
 */
function firstKeptBySize(segments: SegmentFile[], retentionBytes: number): SegmentFile {
  let total = segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  let i = 0;
  while (i < segments.length - 1 && total - segments[i].sizeBytes >= retentionBytes) total -= segments[i++].sizeBytes;
  return segments[i];
}

test('retention.bytes deletes the oldest segments down to the limit; the log start offset moves to the first one kept', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, admin } = clientFor(t, broker);
  const topic = 'by-size';
  const retentionBytes = 3 * SEGMENT_BYTES;
  await admin.createTopic(topic, 1, { 'segment.bytes': String(SEGMENT_BYTES), 'retention.bytes': String(retentionBytes) });
  const produced = await produceBatches(new Producer(client, { acks: -1 }), topic, 0, 30);

  const before = await segmentFiles(broker.config.dataDir, topic, 0);
  assert.ok(before.length >= 8, `30 batches of ~550 bytes should fill at least 8 segments of ${SEGMENT_BYTES} bytes, got ${before.length}`);
  assert.equal(await offsetOf(admin, topic, 0, EARLIEST), 0, 'nothing is deleted before retention runs');
  const firstKept = firstKeptBySize(before, retentionBytes);

  const deleted = broker.broker.enforceRetention();
  assert.equal(deleted, before.indexOf(firstKept));
  await checkRetained(broker, t, topic, before, firstKept, produced);
  // What is left is at or above the limit, and one segment less would be below it.
  const left = (await segmentFiles(broker.config.dataDir, topic, 0)).reduce((sum, s) => sum + s.sizeBytes, 0);
  assert.ok(left >= retentionBytes, `${left} bytes left`);
  // Running it again deletes nothing more.
  assert.equal(broker.broker.enforceRetention(), 0);
});

test('retention.ms deletes the segments whose every record is older than the limit, and keeps the rest', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, admin } = clientFor(t, broker);
  const topic = 'by-time';
  await admin.createTopic(topic, 1, { 'segment.bytes': String(SEGMENT_BYTES), 'retention.ms': String(60_000) });
  const producer = new Producer(client, { acks: -1 });
  // Ten batches stamped two hours ago, then ten stamped now.
  const old = await produceBatches(producer, topic, 0, 10, Date.now() - 2 * 3600_000);
  const recent = await produceBatches(producer, topic, 10, 10);
  const produced = [...old, ...recent];

  const before = await segmentFiles(broker.config.dataDir, topic, 0);
  const firstRecentOffset = recent[0].offset;
  // The segment holding the first recent record is kept even if it starts with old ones.
  const firstKept = before.filter((s) => s.baseOffset <= firstRecentOffset).pop()!;
  assert.ok(before.indexOf(firstKept) >= 2, 'the old records should fill at least two whole segments');

  assert.equal(broker.broker.enforceRetention(), before.indexOf(firstKept));
  await checkRetained(broker, t, topic, before, firstKept, produced);
});

test('the retention timer (retentionCheckIntervalMs) enforces retention without being called', async (t) => {
  const broker = await startInProcessBroker(t, { retentionCheckIntervalMs: 50 });
  const { client, admin } = clientFor(t, broker);
  const topic = 'by-timer';
  const retentionBytes = 2 * SEGMENT_BYTES;
  await admin.createTopic(topic, 1, { 'segment.bytes': String(SEGMENT_BYTES), 'retention.bytes': String(retentionBytes) });
  const produced = await produceBatches(new Producer(client, { acks: -1 }), topic, 0, 20);

  // The timer runs while the batches go in too; wait until it has caught up
  // with everything produced: something was deleted and nothing more is due.
  // (Only checkRetained's final append could make more due.)
  let firstKept: SegmentFile | undefined;
  let before: SegmentFile[] = [];
  await waitFor('the retention timer to delete old segments', async () => {
    before = await segmentFiles(broker.config.dataDir, topic, 0);
    firstKept = firstKeptBySize(before, retentionBytes);
    return firstKept === before[0] && before[0].baseOffset > 0;
  });
  await checkRetained(broker, t, topic, before, firstKept!, produced);
});

test('retention.ms past every record empties the log, active segment included; offsets go on from the old end', async (t) => {
  const broker = await startInProcessBroker(t);
  const { client, admin } = clientFor(t, broker);
  const topic = 'all-expired';
  await admin.createTopic(topic, 1, { 'segment.bytes': String(SEGMENT_BYTES), 'retention.ms': String(60_000) });
  const producer = new Producer(client, { acks: -1 });
  const produced = await produceBatches(producer, topic, 0, 8, Date.now() - 2 * 3600_000);
  const before = await segmentFiles(broker.config.dataDir, topic, 0);

  assert.equal(broker.broker.enforceRetention(), before.length);
  const after = await segmentFiles(broker.config.dataDir, topic, 0);
  assert.deepEqual(after.map((s) => [s.baseOffset, s.sizeBytes]), [[produced.length, 0]]);
  assert.equal(await offsetOf(admin, topic, 0, EARLIEST), produced.length);
  assert.equal(await offsetOf(admin, topic, 0, LATEST), produced.length);
  assert.equal(await kafkajsEarliest(t, broker.bootstrap, topic), produced.length, 'kafkajs earliest');
  assert.deepEqual(await readPartition(client, admin, topic, 0), []);

  const next = [...(await producer.sendBatch(topic, [{ key: null, value: Buffer.from('fresh'), partition: 0 }]))];
  assert.equal(next[0].offset, produced.length);
  assert.deepEqual(await readPartition(client, admin, topic, 0), [{ offset: produced.length, key: null, value: 'fresh' }]);
});
