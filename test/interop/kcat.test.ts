// kcat (1.7.1 on librdkafka 2.0.2, Debian) against a real broker over TCP:
// metadata (-L), producing files of keyed lines with every acks level and
// every codec (-P), consuming them back byte for byte (-C), starting at a
// timestamp (-o s@T) and offsets_for_times (-Q).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { Admin, EARLIEST, KafkaClient, LATEST } from '../../src/client/index.js';
import { defer, makeDataDir, segmentBatches, segmentFiles, waitFor } from '../helpers/broker-process.js';
import { startInProcessBroker } from '../helpers/in-process-broker.js';
import { runOk } from './run-command.js';
import { KCAT, kcat, skipUnless } from '../helpers/interop-tools.js';

function adminFor(t: TestContext, bootstrap: string): Admin {
  const client = new KafkaClient({ bootstrap });
  defer(t, () => client.close());
  return new Admin(client);
}

async function latestOffset(admin: Admin, topic: string, partition: number): Promise<number> {
  return (await admin.listOffsets(topic, [partition], LATEST)).get(partition)!.offset;
}

/**
 * Keyed lines `key:value` for `kcat -K:`; values hold colons, UTF-8 and
 * repetitive runs, long enough that even a one-record batch shrinks when
 * compressed (librdkafka sends a batch uncompressed when it would not).
 */
function keyedLines(tag: string, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    out += `key-${tag}-${i}:value ${i} of ${tag}: grüße € ${'abc'.repeat(20 + ((i * 37) % 200))}|${i}\n`;
  }
  return out;
}

/**
 * kcat -C from the beginning to the end of one partition, formatted by
 * `format`. librdkafka reports the end of a partition only after an empty
 * fetch at the high watermark, which the broker holds for fetch.wait.max.ms:
 * a short wait keeps each run quick.
 */
async function consumeAll(bootstrap: string, topic: string, partition: number, format: string, extra: string[] = []): Promise<string> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20', '-f', format];
  const r = await runOk(KCAT, [...args, ...extra]);
  return r.stdout.toString();
}

test('kcat -L lists the broker and every topic with its partitions and leader', skipUnless(kcat), async (t) => {
  const broker = await startInProcessBroker(t);
  const admin = adminFor(t, broker.bootstrap);
  await admin.createTopic('orders', 3);
  await admin.createTopic('audit', 1);
  // A topic kcat creates itself by producing to it (auto-creation, 1 partition by default).
  await runOk(KCAT, ['-P', '-b', broker.bootstrap, '-t', 'auto-created'], { input: 'hello\n' });

  const md = JSON.parse((await runOk(KCAT, ['-L', '-J', '-b', broker.bootstrap])).stdout.toString());
  assert.deepEqual(md.brokers, [{ id: 0, name: broker.bootstrap }]);
  assert.equal(md.controllerid, 0);
  const topics = (md.topics as { topic: string; partitions: { partition: number; leader: number }[] }[])
    .map((tp) => ({ topic: tp.topic, partitions: tp.partitions.map((p) => [p.partition, p.leader]).sort((a, b) => a[0] - b[0]) }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
  assert.deepEqual(topics, [
    { topic: 'audit', partitions: [[0, 0]] },
    { topic: 'auto-created', partitions: [[0, 0]] },
    { topic: 'orders', partitions: [[0, 0], [1, 0], [2, 0]] },
  ]);
});

interface KcatCodec {
  name: string;
  /** Codec id in the batch attributes. */
  id: number;
}

const ACKS = ['0', '1', 'all'];

/**
 * For each codec: a topic with one partition per acks level, a different
 * file of keyed lines produced to each with `kcat -P -l`, then read back.
 */
async function produceAndConsumeFiles(t: TestContext, codecs: KcatCodec[]): Promise<void> {
  const broker = await startInProcessBroker(t);
  const admin = adminFor(t, broker.bootstrap);
  const inputDir = await makeDataDir(t, 'sluice-kcat-input-');
  const count = 200;

  for (const codec of codecs) {
    // One topic per codec, one partition per acks level, a different file for each.
    const topic = `kcat-${codec.name}`;
    await admin.createTopic(topic, ACKS.length);
    for (const [partition, acks] of ACKS.entries()) {
      const input = keyedLines(`${codec.name}-${acks}`, count);
      const file = path.join(inputDir, `${topic}-${partition}.txt`);
      await fs.writeFile(file, input);
      const args = ['-P', '-b', broker.bootstrap, '-t', topic, '-p', String(partition), '-K:', '-l', '-X', `acks=${acks}`];
      if (codec.name !== 'none') args.push('-z', codec.name);
      await runOk(KCAT, [...args, file]);

      if (acks === 'all') {
        // Every delivery report was a success, so every record is committed already.
        assert.equal(await latestOffset(admin, topic, partition), count, `${topic}-${partition}: high watermark once acks=all delivery is done`);
      } else {
        await waitFor(`${topic}-${partition} to commit ${count} records (acks=${acks})`, async () => (await latestOffset(admin, topic, partition)) === count);
      }
      const output = await consumeAll(broker.bootstrap, topic, partition, '%k:%s\n');
      assert.equal(output, input, `${topic}-${partition} (acks=${acks}, codec ${codec.name}) reads back as written`);
      const offsets = await consumeAll(broker.bootstrap, topic, partition, '%o\n');
      assert.deepEqual(offsets.trim().split('\n').map(Number), [...Array(count).keys()]);

      // The batches on disk carry the codec, so librdkafka really compressed
      // (it silently stops compressing when the broker's Produce range lacks v0).
      const segments = await segmentFiles(broker.config.dataDir, topic, partition);
      const batches = (await Promise.all(segments.map((s) => segmentBatches(s.path)))).flat();
      assert.ok(batches.length > 0);
      assert.deepEqual([...new Set(batches.map((b) => b.codec))], [codec.id], `${topic}-${partition}: codec of stored batches`);
    }
  }
}

test('kcat -P -l uncompressed, gzip, snappy and zstd with acks 0, 1 and all; kcat -C reads each partition back byte for byte', skipUnless(kcat), async (t) => {
  await produceAndConsumeFiles(t, [
    { name: 'none', id: 0 },
    { name: 'gzip', id: 1 },
    { name: 'snappy', id: 2 },
    { name: 'zstd', id: 4 },
  ]);
});

// librdkafka 2.0.2 enables its LZ4 feature only when the broker's FindCoordinator
// range contains v0 (src/rdkafka_feature.c); without it, -z lz4 silently sends
// uncompressed batches ("Broker does not support compression type lz4").
// The stored batch's codec is checked, so this fails if that range regresses.
test('kcat -P -z lz4 really compresses with every acks level and reads back byte for byte', skipUnless(kcat), async (t) => {
  await produceAndConsumeFiles(t, [{ name: 'lz4', id: 3 }]);
});

test('kcat -o s@T starts at the first record at or after T; -Q gives the same offset', skipUnless(kcat), async (t) => {
  const broker = await startInProcessBroker(t);
  const admin = adminFor(t, broker.bootstrap);
  const topic = 'by-time';
  await admin.createTopic(topic, 2);
  const produce = (partition: number, input: string) => runOk(KCAT, ['-P', '-b', broker.bootstrap, '-t', topic, '-p', String(partition), '-K:', '-X', 'acks=all'], { input });

  const batchA = keyedLines('A', 30);
  await produce(1, batchA);
  const timesA = (await consumeAll(broker.bootstrap, topic, 1, '%T\n')).trim().split('\n').map(Number);
  assert.equal(timesA.length, 30);
  const lastA = Math.max(...timesA);
  // kcat stamps records with the same wall clock: once it has passed A's
  // newest timestamp, everything produced from now on is stamped later.
  await waitFor("the clock to pass batch A's newest timestamp", () => Date.now() > lastA);
  const since = Date.now();
  const batchB = keyedLines('B', 20);
  await produce(1, batchB);

  assert.equal(await consumeAll(broker.bootstrap, topic, 1, '%k:%s\n', ['-o', `s@${since}`]), batchB);
  const firstB = await consumeAll(broker.bootstrap, topic, 1, '%o %T\n', ['-o', `s@${since}`, '-c', '1']);
  const [firstBOffset, firstBTime] = firstB.trim().split(' ').map(Number);
  assert.equal(firstBOffset, 30);
  assert.ok(firstBTime >= since);
  // s@ at A's newest timestamp starts inside A: at its first record with that timestamp.
  assert.equal(
    Number((await consumeAll(broker.bootstrap, topic, 1, '%o\n', ['-o', `s@${lastA}`, '-c', '1'])).trim()),
    timesA.indexOf(lastA),
  );

  // offsets_for_times (ListOffsets by timestamp), earliest (-2), latest (-1);
  // partition 0 is empty, and a time after every record has no offset (-1).
  const query = async (spec: string) => {
    const out = JSON.parse((await runOk(KCAT, ['-Q', '-J', '-b', broker.bootstrap, '-t', spec])).stdout.toString());
    const p = Object.values(out[topic] as Record<string, unknown>).find((v): v is { partition: number; offset: number } => typeof v === 'object' && v !== null);
    assert.ok(p, `kcat -Q ${spec}: ${JSON.stringify(out)}`);
    return p.offset;
  };
  assert.equal(await query(`${topic}:1:${since}`), 30);
  assert.equal(await query(`${topic}:1:${timesA[0]}`), 0);
  assert.equal(await query(`${topic}:1:-2`), 0);
  assert.equal(await query(`${topic}:1:-1`), 50);
  assert.equal(await query(`${topic}:1:${Date.now() + 3_600_000}`), -1);
  assert.equal(await query(`${topic}:0:${since}`), -1);
  // Our own client agrees with what librdkafka was told.
  assert.equal((await admin.listOffsets(topic, [1], since)).get(1)!.offset, 30);
  assert.equal((await admin.listOffsets(topic, [1], EARLIEST)).get(1)!.offset, 0);
});

// librdkafka reads a Fetch partition's record set before its error code and
// fails the whole response on a null one ("invalid MessageSetSize -1"): it
// then refetches at once and never sees OFFSET_OUT_OF_RANGE, so its offset
// reset never happens. Error partitions must carry an empty record set.
test('kcat -o below the log start gets OFFSET_OUT_OF_RANGE and resets to the earliest offset', skipUnless(kcat), async (t) => {
  const broker = await startInProcessBroker(t);
  const admin = adminFor(t, broker.bootstrap);
  const topic = 'reset-below-start';
  await admin.createTopic(topic, 1);
  await runOk(KCAT, ['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all'], { input: 'r0\nr1\nr2\nr3\nr4\n' });
  assert.equal(await admin.deleteRecords(topic, 0, 3), 3);

  const args = ['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', '1', '-e', '-q', '-X', 'fetch.wait.max.ms=20', '-X', 'auto.offset.reset=earliest', '-f', '%o %s\n'];
  const r = await runOk(KCAT, args, { timeoutMs: 15_000 });
  assert.equal(r.stdout.toString(), '3 r3\n4 r4\n');
});

// librdkafka sizes its receive buffer from fetch.max.bytes and drops the
// connection on a larger response ("Invalid response size"): the broker must
// keep to max_bytes, sending a 900 KiB batch per fetch, not two (KIP-74).
test('kcat with fetch.max.bytes below two records reads three partitions of 900 KiB records', skipUnless(kcat), async (t) => {
  const broker = await startInProcessBroker(t);
  const admin = adminFor(t, broker.bootstrap);
  const topic = 'big-records';
  await admin.createTopic(topic, 3);
  const values = ['a', 'b', 'c'].map((c) => c.repeat(900 * 1024));
  for (const [partition, value] of values.entries()) {
    await runOk(KCAT, ['-P', '-b', broker.bootstrap, '-t', topic, '-p', String(partition), '-X', 'acks=all'], { input: `${value}\n` });
  }
  const args = ['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=20', '-X', 'fetch.max.bytes=1000000', '-X', 'receive.message.max.bytes=1000512', '-f', '%p %S\n'];
  const r = await runOk(KCAT, args, { timeoutMs: 15_000 });
  assert.deepEqual(r.stdout.toString().trim().split('\n').sort(), ['0 921600', '1 921600', '2 921600']);
});
