// `npm run bench:dedup`: what dedup.header and idempotence cost on the produce path.
//
// Micro (in this process, per batch of BENCH_DEDUP_RECORDS records of 100-byte
// values, each with a `message-id` header, per codec):
//   validate           validateProducedBatches: CRC32C + record count (decompressing),
//                      what every produce already pays; the yardstick
//   idempotence        ProducerStateManager.checkProduce + onAppended on an idempotent batch
//   dedup, all new     DedupWindow.filter when no record is a copy (window holding
//                      BENCH_DEDUP_WINDOW other ids): decompress + scan, batch kept as is
//   dedup, half copies filter when every other record is a copy: scan + rebuild + recompress
//   decodeBatch+Map    the alternative to the scanner: decodeBatch (record objects) + Map lookups
//
// End to end (a broker in a child process, flush policy os, acks=1): pre-encoded
// batches with fresh ids sent with 16 requests in flight from one connection, to a
// topic without and with dedup.header; records/s and the broker's CPU seconds.
//
// Prints a table, writes bench/results/dedup.json and appends a summary to bench/RESULTS.md.
// Options (env): BENCH_DEDUP_RECORDS (default 100), BENCH_DEDUP_WINDOW (default 100000),
// BENCH_DEDUP_MS (time per micro case, default 1000), BENCH_DEDUP_BATCHES (end to end, default 3000).

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { validateProducedBatches } from '../src/broker/batch-validation.js';
import { DedupWindow } from '../src/broker/dedup-window.js';
import { ProducerStateManager } from '../src/broker/producer-state.js';
import { Admin, KafkaClient } from '../src/client/index.js';
import { ProduceRequest, ProduceResponse } from '../src/protocol/messages/produce.js';
import { Codec } from '../src/protocol/record-batch.js';
import { decodeBatch, encodeBatch } from '../src/protocol/records.js';
import { cpuSeconds, startBrokerProcess } from './broker-process.js';
import { jsonLikeValue, timeCalls } from './micro.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: number) => Number(process.env[name] ?? def);
const RECORDS = env('BENCH_DEDUP_RECORDS', 100);
const WINDOW = env('BENCH_DEDUP_WINDOW', 100_000);
const CASE_MS = env('BENCH_DEDUP_MS', 1000);
const E2E_BATCHES = env('BENCH_DEDUP_BATCHES', 3000);
const HEADER = 'message-id';
const CODECS: [string, Codec][] = [
  ['none', Codec.None],
  ['lz4', Codec.Lz4],
  ['zstd', Codec.Zstd],
  ['gzip', Codec.Gzip],
];

let nextId = 0;
function batchOf(codec: Codec, ids: string[], producerId = -1, baseSequence = -1): Buffer {
  return encodeBatch(
    ids.map((id, i) => ({ value: jsonLikeValue(nextId + i), headers: [{ key: HEADER, value: Buffer.from(id) }] })),
    { codec, producerId, producerEpoch: producerId < 0 ? -1 : 0, baseSequence },
  );
}

function freshIds(n: number): string[] {
  return Array.from({ length: n }, () => `id-${String(nextId++).padStart(12, '0')}`);
}

/** Microseconds per call of `fn` over `inputs`, for about CASE_MS. */
function time(inputs: Buffer[], fn: (b: Buffer) => void): number {
  return timeCalls(inputs, fn, CASE_MS);
}

interface MicroRow {
  codec: string;
  batchBytes: number;
  validateUs: number;
  idempotenceUs: number;
  dedupNewUs: number;
  dedupHalfUs: number;
  decodeMapUs: number;
}

function micro(): MicroRow[] {
  const rows: MicroRow[] = [];
  for (const [name, codec] of CODECS) {
    const window = new DedupWindow(HEADER, 3_600_000);
    // Seed the window with other ids, as a busy partition's would hold, and with the ids the "half copies" batches repeat.
    const known = freshIds(RECORDS * 32);
    window.commit(window.filter(batchOf(Codec.None, [...freshIds(WINDOW), ...known]), Date.now()), Date.now());

    const fresh = Array.from({ length: 32 }, () => batchOf(codec, freshIds(RECORDS)));
    const half = Array.from({ length: 32 }, (_, b) => batchOf(codec, Array.from({ length: RECORDS }, (_, i) => (i % 2 === 0 ? known[b * RECORDS + i] : `new-${b}-${i}`))));
    const idempotent = Array.from({ length: 32 }, (_, b) => batchOf(codec, freshIds(RECORDS), 7, b * RECORDS));

    const now = Date.now();
    let seq = 0;
    const producers = new ProducerStateManager();
    rows.push({
      codec: name,
      batchBytes: fresh[0].length,
      validateUs: time(fresh, (b) => validateProducedBatches(b, 1 << 30)),
      idempotenceUs: time(idempotent, (b) => {
        // Move the batch to the next sequence so each call is an append, not a duplicate.
        b.writeInt32BE(seq, 53);
        seq += RECORDS;
        if (producers.checkProduce(b).kind === 'append') producers.onAppended(b, now);
      }),
      dedupNewUs: time(fresh, (b) => window.filter(b, now)),
      dedupHalfUs: time(half, (b) => window.filter(b, now)),
      decodeMapUs: time(fresh, (b) => {
        for (const r of decodeBatch(b).records) {
          const h = r.headers.find((x) => x.key === HEADER);
          if (h?.value) window.firstCopy(h.value.toString('latin1'), now);
        }
      }),
    });
  }
  return rows;
}

interface E2eRow {
  dedup: boolean;
  recordsPerSecond: number;
  brokerCpuSeconds: number;
  brokerCpuUsPerRecord: number;
}

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };

async function endToEnd(dedup: boolean): Promise<E2eRow> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-dedup-'));
  const broker = await startBrokerProcess(dataDir, ['--flush-policy', 'os']);
  const client = new KafkaClient({ bootstrap: broker.bootstrap });
  try {
    const topic = 'bench-dedup';
    await new Admin(client).createTopic(topic, 1, dedup ? { 'dedup.header': HEADER } : {});
    const conn = await client.node(0);
    const batches = Array.from({ length: E2E_BATCHES }, () => batchOf(Codec.Lz4, freshIds(RECORDS)));
    const cpuBefore = cpuSeconds(broker.pid);
    const start = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const records = batches[next++];
        const res = await conn.send(PRODUCE, { transactionalId: null, acks: 1, timeoutMs: 30000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
        if (res.responses[0].partitionResponses[0].errorCode !== 0) throw new Error('produce failed');
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpuSeconds(broker.pid) - cpuBefore;
    const records = E2E_BATCHES * RECORDS;
    return { dedup, recordsPerSecond: Math.round(records / seconds), brokerCpuSeconds: cpu, brokerCpuUsPerRecord: (cpu * 1e6) / records };
  } finally {
    await client.close();
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = micro();
  const f = (us: number) => us.toFixed(1).padStart(8);
  const perRecord = (us: number) => `${((us * 1000) / RECORDS).toFixed(0)} ns`.padStart(8);
  console.log(`\nper batch of ${RECORDS} records (100-byte values, message-id header), µs (ns per record):`);
  console.log('codec  bytes   validate      idempotence   dedup new         dedup half copies  decodeBatch+Map');
  for (const r of rows) {
    console.log(
      `${r.codec.padEnd(6)} ${String(r.batchBytes).padStart(6)} ${f(r.validateUs)} ${perRecord(r.validateUs)} ${f(r.idempotenceUs)} ${f(r.dedupNewUs)} ${perRecord(r.dedupNewUs)} ${f(r.dedupHalfUs)} ${perRecord(r.dedupHalfUs)} ${f(r.decodeMapUs)} ${perRecord(r.decodeMapUs)}`,
    );
  }
  const e2e = [await endToEnd(false), await endToEnd(true)];
  console.log(`\nend to end, lz4 batches of ${RECORDS}, acks=1, 16 in flight, broker in a child process:`);
  for (const r of e2e) console.log(`dedup ${r.dedup ? 'on ' : 'off'}: ${r.recordsPerSecond} records/s, broker CPU ${r.brokerCpuUsPerRecord.toFixed(2)} µs/record`);

  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, records: RECORDS, window: WINDOW };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/dedup.json'), JSON.stringify({ meta, micro: rows, e2e }, null, 2));
  const line = (r: MicroRow) =>
    `- ${r.codec}: validate ${r.validateUs.toFixed(1)} µs, idempotence ${r.idempotenceUs.toFixed(2)} µs, dedup all new ${r.dedupNewUs.toFixed(1)} µs, half copies ${r.dedupHalfUs.toFixed(1)} µs, decodeBatch+Map ${r.decodeMapUs.toFixed(1)} µs`;
  fs.appendFileSync(
    path.join(ROOT, 'bench/RESULTS.md'),
    `\n## ${meta.date.slice(0, 10)} ${commit} dedup.header cost (${process.version}, ${meta.cpus} cores)\n` +
      `Per batch of ${RECORDS} records (100-byte values), window of ${WINDOW} ids:\n` +
      rows.map(line).join('\n') +
      `\n- end to end (lz4, acks=1, 16 in flight): dedup off ${e2e[0].recordsPerSecond} records/s (broker ${e2e[0].brokerCpuUsPerRecord.toFixed(2)} µs CPU/record), ` +
      `on ${e2e[1].recordsPerSecond} records/s (${e2e[1].brokerCpuUsPerRecord.toFixed(2)} µs CPU/record)\n`,
  );
}

await main();
