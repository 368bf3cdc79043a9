// `npm run bench:clients`: Sluice's client beside kafkajs and
// @platformatic/kafka against one broker in a child process. Each run is a
// child process of its own (bench/client-worker.ts), so the table gives the
// client's CPU share apart from the broker's (cores used on average over the
// measured part):
//   produce: 100 B and 1 KiB records, acks=all, one partition;
//   consume: the same records read from the start in a new group;
//   latency: 100 B records at 5,000/s (acks=all), send to receipt, p50/p99/p99.9
//   of the records after the first second.
// Writes bench/results/clients.json and appends a summary to bench/RESULTS.md.
//
// Options: --records N (default 1,000,000 per size), --latency-records N
// (default 25,000: 5 s at 5,000/s), --clients sluice,kafkajs,platformatic.

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Admin, KafkaClient } from '../src/client/index.js';
import { startBrokerProcess } from './broker-process.js';
import { percentile } from './stats.js';
import { type Done, startWorker } from './worker-process.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const WORKER = path.join(HERE, 'client-worker.js');
const LATENCY_WARMUP_RECORDS = 5000;

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'latency-records': { type: 'string', default: '25000' },
    clients: { type: 'string', default: 'sluice,kafkajs,platformatic' },
  },
});
const records = Number(args.records);
const latencyRecords = Number(args['latency-records']);
const clients = args.clients.split(',');

interface Row {
  client: string;
  test: string;
  size: number;
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  clientCpu: number;
  brokerCpu: number;
  p50Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
}


/** Runs one worker; the broker's CPU is read when the worker starts and ends its measured part. */
function runWorker(brokerPid: number, argv: string[]): Promise<Done> {
  return startWorker(WORKER, argv, [brokerPid]).done;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function row(client: string, test: string, size: number, count: number, done: Done): Row {
  const r: Row = {
    client,
    test,
    size,
    records: count,
    recordsPerSec: Math.round(count / done.wallSeconds),
    mbPerSec: round((count * size) / done.wallSeconds / 1e6, 1),
    clientCpu: round(done.cpuSeconds / done.wallSeconds, 2),
    brokerCpu: round(done.brokerCpuSeconds / done.wallSeconds, 2),
  };
  if (Array.isArray(done.latenciesMs)) {
    // The first second (at most a fifth of the run) warms up connections and the JIT, as in bench/latency.ts.
    const warmup = Math.min(LATENCY_WARMUP_RECORDS, Math.floor(done.latenciesMs.length / 5));
    const sorted = done.latenciesMs.slice(warmup).sort((a, b) => a - b);
    Object.assign(r, { p50Ms: round(percentile(sorted, 0.5), 2), p99Ms: round(percentile(sorted, 0.99), 2), p999Ms: round(percentile(sorted, 0.999), 2) });
  }
  return r;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-clients-'));
  const broker = await startBrokerProcess(path.join(work, 'data'), []);
  const admin = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'bench-admin' });
  const rows: Row[] = [];
  const add = (r: Row) => {
    rows.push(r);
    console.log(JSON.stringify(r));
  };
  try {
    for (const client of clients) {
      for (const size of [100, 1024]) {
        const topic = `${client}-${size}`;
        await new Admin(admin).createTopic(topic, 1);
        add(row(client, 'produce', size, records, await runWorker(broker.pid, [client, 'produce', broker.bootstrap, topic, String(records), String(size)])));
        add(row(client, 'consume', size, records, await runWorker(broker.pid, [client, 'consume', broker.bootstrap, topic, String(records), String(size)])));
      }
      const topic = `${client}-latency`;
      await new Admin(admin).createTopic(topic, 1);
      add(row(client, 'latency', 100, latencyRecords, await runWorker(broker.pid, [client, 'latency', broker.bootstrap, topic, String(latencyRecords), '100'])));
    }
  } finally {
    await admin.close();
    await broker.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.table(rows);

  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, records, latencyRecords };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/clients.json'), JSON.stringify({ ...meta, rows }, null, 2));
  const lines = rows.map((r) =>
    r.test === 'latency'
      ? `- ${r.client} latency 5,000/s 100 B (${r.recordsPerSec.toLocaleString('en')}/s achieved): p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.p999Ms} ms (client ${r.clientCpu}, broker ${r.brokerCpu} cores)`
      : `- ${r.client} ${r.test} ${r.size} B: ${r.recordsPerSec.toLocaleString('en')} rec/s, ${r.mbPerSec} MB/s (client ${r.clientCpu}, broker ${r.brokerCpu} cores)`,
  );
  fs.appendFileSync(path.join(ROOT, 'bench/RESULTS.md'), `\n## clients ${meta.date.slice(0, 10)} ${commit} (${meta.node}, ${meta.cpus} cores, ${records.toLocaleString('en')} records per size)\n${lines.join('\n')}\n`);
}

await main();
