// Lazy record decoding (src/client/fetched-records.ts) against records kcat
// (librdkafka) produced: every codec, keys and null keys, null values,
// headers, CreateTime and LogAppendTime timestamps, and a start offset in the
// middle of a batch. kcat -C reads the same partition, and both outputs are
// compared field for field, so any byte decoded wrongly shows. Then records
// whose lengths lie.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Admin, AssignedConsumer, type ConsumedRecord, KafkaClient } from '../../src/client/index.js';
import { FetchedRecords } from '../../src/client/fetched-records.js';
import { MalformedFrameError } from '../../src/protocol/malformed-frame-error.js';
import { BATCH_HEADER_SIZE } from '../../src/protocol/record-batch.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { defer, makeDataDir, segmentBatches, segmentFiles } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';
import { runOk } from '../interop/run-command.js';

/** The same line for a record from kcat's `-f` and from the client: offset, timestamp, key and value lengths (-1 = null) and bytes, headers. */
const KCAT_FORMAT = '%o|%T|%K|%k|%S|%s|%h\n';
function formatLikeKcat(r: ConsumedRecord): string {
  const headers = r.headers.map((h) => `${h.key}=${h.value?.toString() ?? ''}`).join(',');
  return `${r.offset}|${r.timestamp}|${r.key?.length ?? -1}|${r.key?.toString() ?? ''}|${r.value?.length ?? -1}|${r.value?.toString() ?? ''}|${headers}\n`;
}

const CODECS = [
  { name: 'none', id: 0 },
  { name: 'gzip', id: 1 },
  { name: 'snappy', id: 2 },
  { name: 'lz4', id: 3 },
  { name: 'zstd', id: 4 },
];

/**
 * Keyed lines for `kcat -K:`, repetitive enough that librdkafka really
 * compresses them; every fifth has an empty value, which `kcat -Z` sends as null.
 */
function keyedLines(tag: string, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += i % 5 === 0 ? `key-${tag}-${i}:\n` : `key-${tag}-${i}:value ${i} of ${tag} grüße € ${'abc'.repeat(10 + (i % 50))}\n`;
  return out;
}

/** Lines for kcat without -K: records with null keys. */
function keylessLines(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += `keyless ${i} ${'xyz'.repeat(10)}\n`;
  return out;
}

async function readAll(client: KafkaClient, topic: string, from: number, end: number): Promise<string> {
  const consumer = new AssignedConsumer(client, topic, new Map([[0, from]]), { maxWaitMs: 50 });
  let out = '';
  while ((consumer.position(0) ?? 0) < end) for (const r of await consumer.poll()) out += formatLikeKcat(r);
  return out;
}

test('records decoded lazily match what kcat reads, for every codec, null keys and values, headers and both timestamp types', skipUnless(kcat), async (t) => {
  const broker = await startInProcessBroker(t);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  defer(t, () => client.close());
  const admin = new Admin(client);
  const inputDir = await makeDataDir(t, 'sluice-lazy-input-');
  const cases = [...CODECS.map((codec) => ({ codec, timestampType: 'CreateTime' })), { codec: CODECS[1], timestampType: 'LogAppendTime' }];
  for (const { codec, timestampType } of cases) {
    const topic = `lazy-${codec.name}-${timestampType}`;
    await admin.createTopic(topic, 1, { 'message.timestamp.type': timestampType });
    const common = ['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', `compression.codec=${codec.name}`, '-X', 'linger.ms=50'];
    const keyed = path.join(inputDir, `${topic}-keyed.txt`);
    await fs.writeFile(keyed, keyedLines(codec.name, 150));
    await runOk(KCAT, [...common, '-K:', '-Z', '-l', '-H', 'trace=abc-123', '-H', 'empty=', keyed]);
    await runOk(KCAT, common, { input: keylessLines(50) });

    const batches = (await Promise.all((await segmentFiles(broker.config.dataDir, topic, 0)).map((s) => segmentBatches(s.path)))).flat();
    assert.deepEqual([...new Set(batches.map((b) => b.codec))], [codec.id], `${topic}: the stored batches use the codec`);
    assert.ok(batches.some((b) => b.lastOffset - b.baseOffset > 10), `${topic}: batches of many records`);

    const expected = (await runOk(KCAT, ['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20', '-f', KCAT_FORMAT])).stdout.toString();
    assert.equal(expected.split('\n').length - 1, 200, `${topic}: kcat reads every record`);
    assert.match(expected, /\|-1\|\|\d+\|keyless 1 /, `${topic}: null keys are there`);
    assert.match(expected, /\|\d+\|key-[^|]*\|-1\|\|/, `${topic}: null values are there`);
    assert.equal(await readAll(client, topic, 0, 200), expected, `${topic}: every record from the start`);
    // Offset 7 lies inside the first batch: the records before it are skipped, not handed out.
    assert.equal(await readAll(client, topic, 7, 200), expected.split('\n').slice(7).join('\n'), `${topic}: from offset 7`);
  }
});

test('a record whose lengths or header count overrun it is refused before anything is allocated for it', () => {
  const batch = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('first') }, { key: null, value: Buffer.from('second') }]);
  const fresh = () => new FetchedRecords('t', 0, Buffer.from(batch), 0);
  assert.deepEqual([fresh().take()?.value?.toString(), fresh().take()?.offset], ['first', 0]);

  // The first record: length varint at 61, then attributes, timestamp delta, offset delta, key, value, header count (its last byte).
  const longRecord = Buffer.from(batch);
  longRecord[BATCH_HEADER_SIZE] = 0x7e; // zigzag 63: past the records section
  assert.throws(() => new FetchedRecords('t', 0, longRecord, 0).take(), MalformedFrameError);

  const manyHeaders = Buffer.from(batch);
  const firstRecordEnd = BATCH_HEADER_SIZE + 1 + (batch[BATCH_HEADER_SIZE] >> 1);
  manyHeaders[firstRecordEnd - 1] = 0x7e; // 63 headers in the few bytes left
  assert.throws(() => new FetchedRecords('t', 0, manyHeaders, 0).take(), /bad header count 63/);
});
