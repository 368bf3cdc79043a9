// Mutation fuzzing of the request decoders and handlers with real client
// traffic: kafkajs and @platformatic/kafka (and kcat and librdkafka 2.15 when
// installed) run scripted sessions through a recording proxy; their request
// frames, mutated with a seeded PRNG (mutator.ts), are then sent to the same
// broker in a child process by several connections at once. The broker must
// stay up, keep answering a fresh connection, keep VmRSS under a bound, print
// nothing to stderr, and still serve exactly the records a client wrote before.
// A second run sends mutated frames of kafkajs sessions that log in with SASL
// (SCRAM and PLAIN) to a SASL listener, where nothing but ApiVersions and the
// SASL requests is decoded before a login.
//
//   SLUICE_FUZZ_FRAMES   frames to send (default 50,000; `npm run fuzz` sends more)
//   SLUICE_FUZZ_SEED     the PRNG seed (default fixed; printed on failure)
//   SLUICE_FUZZ_REPLAY   a failure file written by a failed run: sends its frames, as saved, one per connection
//   SLUICE_FUZZ_PROGRESS=1  prints progress (frames, rate, VmRSS) to stderr while it runs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaClient } from '../../src/client/index.js';
import { upsertScramCredential } from '../../src/client/user-credentials.js';
import { makeDataDir, spawnBroker } from '../helpers/broker-process.js';
import { freePort } from '../helpers/free-port.js';
import { BrokerLogWatch } from './broker-log-watch.js';
import { captureSessions } from './capture-corpus.js';
import { FuzzFailure, type FuzzStats, SENTINEL_TIMEOUT_MS, probeBroker, runFuzz } from './fuzz-run.js';
import { type MutatedFrame, mutateFrame } from './mutator.js';
import { asksForManyPartitions } from './partition-growth.js';
import { RecordingProxy } from './recording-proxy.js';

const FRAMES = Number(process.env.SLUICE_FUZZ_FRAMES ?? 50_000);
const SEED = Number(process.env.SLUICE_FUZZ_SEED ?? 0x5eed);
const REPLAY = process.env.SLUICE_FUZZ_REPLAY;
const CONNECTIONS = 8;
/** VmRSS bound (KiB): about 85 MiB after the capture, peaks of 120-146 MiB measured over 50,000 to 500,000 frames. */
const RSS_LIMIT_KIB = 400 * 1024;
/** The proxy's address: the broker advertises it, so clients stay on the proxy after bootstrap. */
const PROXY_HOST = '127.0.0.2';
const KEPT_TOPIC = 'fuzz-kept';
const KEPT_RECORDS = 20;

/** The APIs the kafkajs and platformatic sessions alone must have sent (the corpus is useless without them). */
const REQUIRED_API_KEYS = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 24, 25, 26, 28, 29, 30, 31, 32, 33, 37];

/** Corpus order by api key, version, size and bytes, so a seed picks the same kinds of frames from run to run. */
function sortedCorpus(frames: Buffer[]): Buffer[] {
  return [...frames].sort((a, b) => a.readInt16BE(4) - b.readInt16BE(4) || a.readInt16BE(6) - b.readInt16BE(6) || a.length - b.length || Buffer.compare(a, b));
}

function apiHistogram(corpus: Buffer[]): string {
  const counts = new Map<string, number>();
  for (const f of corpus) {
    const k = `${f.readInt16BE(4)}v${f.readInt16BE(6)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}:${n}`).join(' ');
}

const keptMessages = Array.from({ length: KEPT_RECORDS }, (_, i) => ({ key: `kept-${i}`, value: `value-${i}-${'x'.repeat(i * 7)}`, headers: { n: `${i}` } }));

async function readKept(bootstrap: string): Promise<{ key: string; value: string; n: string; offset: string }[]> {
  const kafka = new kafkajs.Kafka({ clientId: 'fuzz-readback', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `fuzz-readback-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: KEPT_TOPIC, fromBeginning: true });
    const out: { key: string; value: string; n: string; offset: string }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          out.push({ key: message.key!.toString(), value: message.value!.toString(), n: message.headers!.n!.toString(), offset: message.offset });
          if (out.length === KEPT_RECORDS) resolve();
        },
      });
    });
    return out;
  } finally {
    await consumer.disconnect();
  }
}

function describeStats(s: FuzzStats): string {
  const secs = s.elapsedMs / 1000;
  return (
    `${s.sent} frames in ${secs.toFixed(1)} s (${(s.sent / secs).toFixed(0)}/s): ${s.answered} answered, ` +
    `${s.closedByBroker} connections closed by the broker, ${s.stalled} stalled, ${s.badSizeFrames} with a bad size prefix, ${s.skipped} held back (many partitions); ` +
    `${s.probes} fresh-connection probes answered; VmRSS ${(s.startRssKiB / 1024).toFixed(0)} -> peak ${(s.peakRssKiB / 1024).toFixed(0)} MiB`
  );
}

test('mutated request frames of real clients neither crash nor hang the broker, keep its memory bounded, and leave earlier records intact', { timeout: 30 * 60_000 }, async (t) => {
  const log = new BrokerLogWatch();
  const dataDir = await makeDataDir(t, 'sluice-fuzz-');
  const broker = await spawnBroker(t, { dataDir, args: ['--advertised-host', PROXY_HOST, '--group-initial-rebalance-delay-ms', '0'], onLine: log.onLine });
  const proxy = await RecordingProxy.listen(PROXY_HOST, broker.port, { host: '127.0.0.1', port: broker.port });
  t.after(() => proxy.close());
  const bootstrap = `${PROXY_HOST}:${broker.port}`;

  // The sessions run in a replay too: they leave the topics and groups the saved frames name.
  await captureSessions(t, bootstrap);
  proxy.stopRecording();
  const corpus = sortedCorpus(proxy.frames);
  t.diagnostic(`corpus: ${corpus.length} frames, api key v version: count ${apiHistogram(corpus)}`);
  const keys = new Set(corpus.map((f) => f.readInt16BE(4)));
  assert.deepEqual(REQUIRED_API_KEYS.filter((k) => !keys.has(k)), [], 'APIs missing from the captured corpus');

  let frameAt: (index: number) => MutatedFrame | null;
  let frames = FRAMES;
  let batchFrames: number | undefined;
  if (REPLAY) {
    const saved = (JSON.parse(fs.readFileSync(REPLAY, 'utf8')) as { suspects: { source: number; mutation: string; hex: string }[] }).suspects;
    frames = saved.length;
    batchFrames = 1;
    frameAt = (i) => {
      const bytes = Buffer.from(saved[i].hex, 'hex');
      // The replay's own index as correlation id, so its answers are counted.
      if (bytes.length >= 12) bytes.writeInt32BE(i, 8);
      return { bytes, source: saved[i].source, mutation: saved[i].mutation, sizeValid: bytes.length >= 4 && bytes.readInt32BE(0) === bytes.length - 4 };
    };
  } else {
    frameAt = (i) => {
      const frame = mutateFrame(corpus, SEED, i);
      return asksForManyPartitions(frame.bytes) ? null : frame;
    };
  }

  const kafka = new kafkajs.Kafka({ clientId: 'fuzz-kept-writer', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: KEPT_TOPIC, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: KEPT_TOPIC, acks: -1, messages: keptMessages });
  await producer.disconnect();

  let stats: FuzzStats;
  try {
    stats = await runFuzz({
      port: broker.port,
      pid: broker.pid,
      frameAt,
      frames,
      batchFrames,
      connections: CONNECTIONS,
      rssLimitKiB: RSS_LIMIT_KIB,
      progress: process.env.SLUICE_FUZZ_PROGRESS === '1' ? (line) => process.stderr.write(`fuzz: ${line}\n`) : undefined,
    });
  } catch (err) {
    if (!(err instanceof FuzzFailure)) throw err;
    const file = path.join(os.tmpdir(), `sluice-fuzz-failure-${SEED}-${Date.now()}.json`);
    fs.writeFileSync(file, JSON.stringify({ seed: SEED, reason: err.message, stats: err.stats, suspects: err.suspects }, null, 2));
    const suspects = err.suspects.map((s) => `  frame ${s.index} (corpus[${s.source}]: ${s.mutation})`).join('\n');
    assert.fail(
      `fuzzing with seed ${SEED} failed: ${err.message}\n${describeStats(err.stats)}\nlast frames per connection:\n${suspects}\n` +
        `replay them: SLUICE_FUZZ_REPLAY=${file} node --test dist/test/fuzz/protocol-fuzz.test.js\n` +
        `stderr:\n${log.stderr.join('\n')}\nbroker output:\n${broker.recentOutput()}`,
    );
  }
  t.diagnostic(`seed ${SEED}: ${describeStats(stats)}`);
  if (stats.stalledFrames.length > 0) t.diagnostic(`stalled (unanswered for ${SENTINEL_TIMEOUT_MS} ms, socket dropped): ${stats.stalledFrames.join('; ')}`);
  t.diagnostic(`${log.unreadableCloses} connections closed as unreadable; handler failures (request handler threw, connection closed): ${log.handlerFailureSummary().join('\n') || 'none'}`);

  await probeBroker(broker.port);
  assert.deepEqual(
    await readKept(bootstrap),
    keptMessages.map((m, i) => ({ key: m.key, value: m.value, n: m.headers.n, offset: String(i) })),
  );
  assert.deepEqual(log.stderr, [], 'the broker wrote to stderr');
  assert.equal(stats.sent + stats.skipped, frames);
});

test('mutated frames of SASL sessions sent to a SASL listener neither crash nor hang the broker, and logins still work', { timeout: 30 * 60_000 }, async (t) => {
  const log = new BrokerLogWatch();
  const dataDir = await makeDataDir(t, 'sluice-fuzz-sasl-');
  const args = ['--listeners', 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', '--sasl-mechanisms', 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN', '--sasl-plain-allow-plaintext', 'true'];
  const broker = await spawnBroker(t, { dataDir, args, onLine: log.onLine });
  const saslPort = Number(/SASL_PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(broker.recentOutput())?.[1]);
  const admin = new KafkaClient({ bootstrap: broker.bootstrap });
  await upsertScramCredential(admin, 'fuzzer', 'SCRAM-SHA-512', 'fuzz-secret');
  await upsertScramCredential(admin, 'fuzzer', 'SCRAM-SHA-256', 'fuzz-secret');
  await admin.close();

  // Each session's bootstrap connection (through the proxy) logs in before anything else.
  const proxied = await freePort();
  const proxy = await RecordingProxy.listen('127.0.0.1', proxied, { host: '127.0.0.1', port: saslPort });
  t.after(() => proxy.close());
  const session = async (mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain') => {
    const sasl = { mechanism, username: 'fuzzer', password: 'fuzz-secret' } as kafkajs.SASLOptions;
    const kafka = new kafkajs.Kafka({ clientId: `fuzz-${mechanism}`, brokers: [`127.0.0.1:${proxied}`], sasl, logLevel: kafkajs.logLevel.NOTHING });
    const a = kafka.admin();
    await a.connect();
    await a.createTopics({ topics: [{ topic: `fuzz-sasl-${mechanism}`, numPartitions: 1 }] });
    await a.listTopics();
    await a.disconnect();
  };
  for (const mechanism of ['scram-sha-512', 'scram-sha-256', 'plain'] as const) await session(mechanism);
  proxy.stopRecording();
  const corpus = sortedCorpus(proxy.frames);
  t.diagnostic(`corpus: ${corpus.length} frames, api key v version: count ${apiHistogram(corpus)}`);
  const keys = new Set(corpus.map((f) => f.readInt16BE(4)));
  assert.deepEqual([17, 18, 36, 3].filter((k) => !keys.has(k)), [], 'SASL and Metadata frames in the corpus');

  const frames = Math.ceil(FRAMES / 5);
  const stats = await runFuzz({
    port: saslPort,
    probePort: broker.port,
    pid: broker.pid,
    frameAt: (i) => mutateFrame(corpus, SEED, i),
    frames,
    connections: CONNECTIONS,
    rssLimitKiB: RSS_LIMIT_KIB,
  }).catch((err: unknown) => assert.fail(`${(err as Error).message}\nstderr:\n${log.stderr.join('\n')}\nbroker output:\n${broker.recentOutput()}`));
  t.diagnostic(`seed ${SEED}: ${describeStats(stats)}`);
  assert.equal(stats.sent + stats.skipped, frames);
  await session('scram-sha-512');
  assert.deepEqual(log.stderr, [], 'the broker wrote to stderr');
});
