// `npm run bench`: produce and consume throughput with kcat (librdkafka) as
// the load generator, and end-to-end latency at a fixed rate, against a broker
// in a child process. Prints a table, writes bench/results/latest.json and
// appends a summary to bench/RESULTS.md.
//
// Options (env): BENCH_RECORDS_100 (default 2,000,000), BENCH_RECORDS_1K
// (default 1,000,000: about 1 GB, so that start-up is a small share), BENCH_POLICIES (default group-commit,interval,os),
// BENCH_LATENCY_SECONDS (default 10).

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrokerProcess, cpuSeconds } from './broker-process.js';
import { KCAT_PRODUCER_PROPS, runKcat } from './kcat.js';
import { measureLatency } from './latency.js';
import { writeRecordFile } from './record-file.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS_DIR = path.join(ROOT, 'bench/results');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));

const env = (name: string, def: string) => process.env[name] ?? def;
const sizes = [
  { size: 100, records: Number(env('BENCH_RECORDS_100', '2000000')) },
  { size: 1024, records: Number(env('BENCH_RECORDS_1K', '1000000')) },
];
const policies = env('BENCH_POLICIES', 'group-commit,interval,os').split(',');
const latencySeconds = Number(env('BENCH_LATENCY_SECONDS', '10'));

interface Row {
  test: string;
  policy: string;
  size: number;
  acks: string;
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  brokerCpu: number;
  generatorCpu: number;
}

const rows: Row[] = [];
function record(test: string, policy: string, size: number, acks: string, records: number, wall: number, brokerCpu: number, generatorCpu: number): void {
  const row = {
    test,
    policy,
    size,
    acks,
    records,
    recordsPerSec: Math.round(records / wall),
    mbPerSec: Math.round((records * size) / wall / 1e5) / 10,
    brokerCpu: Math.round((brokerCpu / wall) * 100) / 100,
    generatorCpu: Math.round((generatorCpu / wall) * 100) / 100,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}

async function main(): Promise<void> {
  const files = new Map(sizes.map((s) => [s.size, writeRecordFile(path.join(work, `records-${s.size}.txt`), s.size, s.records)]));
  for (const policy of policies) {
    for (const { size, records } of sizes) {
      for (const acks of ['1', 'all']) {
        const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
        const broker = await startBrokerProcess(dataDir, ['--flush-policy', policy]);
        const topic = `bench-${size}-${acks}`;
        const cpu0 = cpuSeconds(broker.pid);
        const produced = await runKcat(['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-l', files.get(size)!, '-X', `acks=${acks}`, ...KCAT_PRODUCER_PROPS]);
        record('produce', policy, size, acks, records, produced.wallSeconds, cpuSeconds(broker.pid) - cpu0, produced.cpuSeconds);
        if (policy === policies[0] && acks === 'all') {
          const cpu1 = cpuSeconds(broker.pid);
          // fetch.wait.max.ms=5: kcat sees the end of the partition only when a fetch comes back
          // empty, and the broker holds an empty fetch for max_wait_ms (500 ms by default).
          const consumed = await runKcat(['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\n', '-X', 'fetch.wait.max.ms=5']);
          if (consumed.stdoutLines !== records) throw new Error(`consumed ${consumed.stdoutLines} of ${records} records`);
          record('consume', policy, size, '-', records, consumed.wallSeconds, cpuSeconds(broker.pid) - cpu1, consumed.cpuSeconds);
        }
        await broker.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
  const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
  const broker = await startBrokerProcess(dataDir, ['--flush-policy', 'group-commit']);
  const latency = await measureLatency(broker.bootstrap, 'bench-latency', 5000, latencySeconds, 1000);
  await broker.stop();
  console.log(JSON.stringify({ test: 'latency', ...latency }));

  console.table(rows);
  console.log(`latency at ${latency.rate}/s, 100 B, acks=all, group-commit: p50 ${latency.p50Ms.toFixed(3)} ms, p99 ${latency.p99Ms.toFixed(3)} ms, p99.9 ${latency.p999Ms.toFixed(3)} ms, max ${latency.maxMs.toFixed(3)} ms`);

  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, generator: 'kcat (librdkafka) reading a prepared file' };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify({ ...meta, throughput: rows, latency }, null, 2));
  const best = (test: string, size: number) => rows.filter((r) => r.test === test && r.size === size && (r.acks === 'all' || r.acks === '-')).find((r) => r.policy === 'group-commit');
  const line = (r: Row | undefined) => (r ? `${r.recordsPerSec.toLocaleString('en')} rec/s, ${r.mbPerSec} MB/s` : 'n/a');
  fs.appendFileSync(
    path.join(ROOT, 'bench/RESULTS.md'),
    `\n## ${meta.date.slice(0, 10)} ${commit} (${meta.node}, ${meta.cpus} cores)\n` +
      `- produce 100 B acks=all group-commit: ${line(best('produce', 100))}\n` +
      `- produce 1 KiB acks=all group-commit: ${line(best('produce', 1024))}\n` +
      `- consume 100 B: ${line(best('consume', 100))}; 1 KiB: ${line(best('consume', 1024))}\n` +
      `- latency 5,000/s 100 B acks=all: p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms, p99.9 ${latency.p999Ms.toFixed(2)} ms\n`,
  );
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
