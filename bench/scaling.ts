// `npm run bench:scaling`: how throughput, latency and memory change as one
// broker (a child process, default settings: group-commit) gets more of each
// kind of work. Four curves, each point on a fresh broker:
//
// - partitions: kcat produces 100 B records spread over all partitions of one
//   topic (random partitioner, record by record), while a latency probe sends
//   PROBE_RATE records/s to a topic of its own and reads them back; and the
//   broker's RSS, heap and open files before and after creating the partitions.
// - connections: N bare producer connections (bench/raw-producers.ts), each
//   with one Produce of 100 records in flight; records/s and ack p99; and the
//   broker's RSS per idle connection (open, one ApiVersions, nothing more).
// - consumers: N consumers, each its own connection, read one partition while
//   a producer writes PROBE_RATE records/s (bench/latency.ts); records delivered
//   per second in total and produce-to-consume p99.
// - record-size: kcat produces records of one size to one partition, acks=all.
//
// Every point gives the broker's and the generator's CPU (cores used on average:
// the bench process plus kcat). Writes bench/results/scaling.json, a section of
// bench/RESULTS.md and bench/scaling-<curve>.svg.
//
// Options (env): BENCH_SCALING_SECONDS (10) per point; BENCH_SCALING_CURVES
// (partitions,connections,consumers,record-size); BENCH_SCALING_MAX_PARTITIONS
// (10000): the largest partitions point, the one that takes minutes (creating
// and closing that many partitions); BENCH_SCALING_CPU_PROF (a directory):
// brokers run with --cpu-prof, one profile per point.

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Admin } from '../src/client/admin.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import { type BenchBroker, cpuSeconds, startBrokerProcess } from './broker-process.js';
import { freePort } from './free-port.js';
import { KCAT_PRODUCER_PROPS, runKcat } from './kcat.js';
import { measureLatency } from './latency.js';
import { writeRecordFile } from './record-file.js';
import { percentile } from './stats.js';
import { RawProducers, prepareProduceFrame } from './raw-producers.js';
import { lineChart } from './svg-chart.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: string) => process.env[name] ?? def;
const SECONDS = Number(env('BENCH_SCALING_SECONDS', '10'));
const CURVES = env('BENCH_SCALING_CURVES', 'partitions,connections,consumers,record-size').split(',');
const MAX_PARTITIONS_POINT = Number(env('BENCH_SCALING_MAX_PARTITIONS', '10000'));
const CPU_PROF_DIR = process.env.BENCH_SCALING_CPU_PROF ?? null;

const POINTS: Record<string, number[]> = {
  partitions: [1, 10, 100, 1000, 10_000],
  connections: [1, 10, 100, 1000],
  consumers: [1, 10, 100],
  'record-size': [10, 100, 1024, 10 * 1024, 100 * 1024, 1024 * 1024],
};
/** Records/s of the latency probe and of the consumers curve's producer: modest, so it measures the broker's delay, not its own load. */
const PROBE_RATE = 1000;
/** Partitions a broker may hold (--max-partitions): the default, 10,000, counts the probe's topic too, so 10,000 load partitions need more. */
const BROKER_MAX_PARTITIONS = 20_000;
/** The record-size curve needs batches of one 1 MiB record: --message-max-bytes at the broker, message.max.bytes at kcat. */
const MESSAGE_MAX_BYTES = 2 * 1024 * 1024;
/** Bytes of a prepared record file: kcat runs are repeated until a point's time is up. */
const FILE_BYTES = 64 * 1024 * 1024;
/** Records per Produce request of the connections curve. */
const RECORDS_PER_REQUEST = 100;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-scaling-'));

interface Point {
  curve: string;
  x: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** Produce-to-consume p99 (partitions, consumers) or send-to-ack p99 (connections), ms. */
  p99Ms: number | null;
  /** Cores used on average over the measured part. */
  brokerCpu: number;
  generatorCpu: number;
  /** What else the curve measures (memory, create time, ...). */
  extra: Record<string, number>;
}

interface Memory {
  rssBytes: number;
  heapUsedBytes: number;
  openFiles: number;
}

interface BrokerHandle extends BenchBroker {
  memory(): Promise<Memory>;
}

async function withBroker<T>(name: string, args: string[], run: (broker: BrokerHandle) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
  const httpPort = await freePort();
  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, `--cpu-prof-name=scaling-${name}.cpuprofile`] : [];
  const broker = await startBrokerProcess(dataDir, ['--http-port', String(httpPort), ...args], { nodeArgs });
  const handle = { ...broker, memory: () => brokerMemory(broker.pid, httpPort) };
  try {
    return await run(handle);
  } finally {
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** RSS and open files from /proc; the V8 heap from the broker's own /metrics. */
async function brokerMemory(pid: number, httpPort: number): Promise<Memory> {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const heapUsed = Number(/^sluice_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1]);
  return { rssBytes: rssKiB * 1024, heapUsedBytes: heapUsed, openFiles: fs.readdirSync(`/proc/${pid}/fd`).length };
}

/** Runs `work`, returning its result with the broker's and the generator's CPU (cores) over its wall time. */
async function withCpu<T extends { wallSeconds: number; childCpuSeconds: number }>(brokerPid: number, work: () => Promise<T>): Promise<T & { brokerCpu: number; generatorCpu: number }> {
  const broker0 = cpuSeconds(brokerPid);
  const self0 = process.cpuUsage();
  const result = await work();
  const self = process.cpuUsage(self0);
  const wall = result.wallSeconds;
  return {
    ...result,
    brokerCpu: round2((cpuSeconds(brokerPid) - broker0) / wall),
    generatorCpu: round2(((self.user + self.system) / 1e6 + result.childCpuSeconds) / wall),
  };
}

/** kcat produces `file` (of `records` lines) again and again until `done()` holds after a run. */
async function produceWithKcat(args: string[], file: string, records: number, done: () => boolean): Promise<{ records: number; kcatSeconds: number; childCpuSeconds: number }> {
  let total = 0;
  let kcatSeconds = 0;
  let childCpuSeconds = 0;
  do {
    const run = await runKcat(['-P', ...args, '-l', file, '-X', 'acks=all', ...KCAT_PRODUCER_PROPS]);
    total += records;
    kcatSeconds += run.wallSeconds;
    childCpuSeconds += run.cpuSeconds;
  } while (!done());
  return { records: total, kcatSeconds, childCpuSeconds };
}

const files = new Map<number, { file: string; records: number }>();
function recordFile(size: number): { file: string; records: number } {
  let f = files.get(size);
  if (!f) {
    const records = Math.max(16, Math.min(1_000_000, Math.floor(FILE_BYTES / size)));
    files.set(size, (f = { file: writeRecordFile(path.join(work, `records-${size}.txt`), size, records), records }));
  }
  return f;
}

function adminOf(bootstrap: string): { client: KafkaClient; admin: Admin } {
  // Creating 10,000 partitions takes longer than a client's usual 30 s request timeout allows for.
  const client = new KafkaClient({ bootstrap, clientId: 'bench-scaling-admin', requestTimeoutMs: 600_000 });
  return { client, admin: new Admin(client) };
}

async function partitionsPoint(partitions: number): Promise<Point> {
  return withBroker(`partitions-${partitions}`, ['--max-partitions', String(BROKER_MAX_PARTITIONS)], async (broker) => {
    const { client, admin } = adminOf(broker.bootstrap);
    const before = await broker.memory();
    const created = performance.now();
    await admin.createTopic('load', partitions);
    const createSeconds = (performance.now() - created) / 1000;
    const after = await broker.memory();
    await client.close();
    const { file, records } = recordFile(100);
    let probeDone = false;
    const run = await withCpu(broker.pid, async () => {
      const started = performance.now();
      const probe = measureLatency(broker.bootstrap, 'probe', PROBE_RATE, SECONDS, PROBE_RATE).finally(() => (probeDone = true));
      // Record by record over all partitions: sticky partitioning off, or each batch would go to one partition.
      const load = produceWithKcat(['-b', broker.bootstrap, '-t', 'load', '-X', 'partitioner=random', '-X', 'sticky.partitioning.linger.ms=0'], file, records, () => probeDone);
      const [latency, produced] = await Promise.all([probe, load]);
      return { latency, produced, wallSeconds: (performance.now() - started) / 1000, childCpuSeconds: produced.childCpuSeconds };
    });
    const perSec = run.produced.records / run.produced.kcatSeconds;
    return {
      curve: 'partitions',
      x: partitions,
      recordsPerSec: Math.round(perSec),
      mbPerSec: round2((perSec * 100) / 1e6),
      p99Ms: round2(run.latency.p99Ms),
      brokerCpu: run.brokerCpu,
      generatorCpu: run.generatorCpu,
      extra: {
        createSeconds: round2(createSeconds),
        rssMiB: round2(after.rssBytes / 2 ** 20),
        rssKiBPerPartition: round2((after.rssBytes - before.rssBytes) / 1024 / partitions),
        heapKiBPerPartition: round2((after.heapUsedBytes - before.heapUsedBytes) / 1024 / partitions),
        openFilesPerPartition: round2((after.openFiles - before.openFiles) / partitions),
      },
    };
  });
}

async function connectionsPoint(connections: number): Promise<Point> {
  return withBroker(`connections-${connections}`, [], async (broker) => {
    const { client, admin } = adminOf(broker.bootstrap);
    await admin.createTopic('load', 1);
    await client.close();
    const before = await broker.memory();
    const producers = await RawProducers.open(broker.port, connections);
    const idle = await broker.memory();
    const produce = prepareProduceFrame('load', RECORDS_PER_REQUEST, 100);
    try {
      const run = await withCpu(broker.pid, async () => ({ ...(await producers.produceFor(produce, SECONDS)), childCpuSeconds: 0 }));
      const perSec = run.records / run.wallSeconds;
      return {
        curve: 'connections',
        x: connections,
        recordsPerSec: Math.round(perSec),
        mbPerSec: round2((perSec * 100) / 1e6),
        p99Ms: round2(percentile(run.ackMs.sort((a, b) => a - b), 0.99)),
        brokerCpu: run.brokerCpu,
        generatorCpu: run.generatorCpu,
        extra: { rssKiBPerIdleConnection: round2((idle.rssBytes - before.rssBytes) / 1024 / connections), heapKiBPerIdleConnection: round2((idle.heapUsedBytes - before.heapUsedBytes) / 1024 / connections) },
      };
    } finally {
      producers.close();
    }
  });
}

async function consumersPoint(consumers: number): Promise<Point> {
  return withBroker(`consumers-${consumers}`, [], async (broker) => {
    const run = await withCpu(broker.pid, async () => {
      const started = performance.now();
      const latency = await measureLatency(broker.bootstrap, 'fanout', PROBE_RATE, SECONDS, PROBE_RATE, consumers);
      return { latency, wallSeconds: (performance.now() - started) / 1000, childCpuSeconds: 0 };
    });
    return {
      curve: 'consumers',
      x: consumers,
      recordsPerSec: run.latency.deliveredPerSec,
      mbPerSec: round2((run.latency.deliveredPerSec * 100) / 1e6),
      p99Ms: round2(run.latency.p99Ms),
      brokerCpu: run.brokerCpu,
      generatorCpu: run.generatorCpu,
      extra: { p50Ms: round2(run.latency.p50Ms) },
    };
  });
}

async function recordSizePoint(size: number): Promise<Point> {
  return withBroker(`record-size-${size}`, ['--message-max-bytes', String(MESSAGE_MAX_BYTES)], async (broker) => {
    const { file, records } = recordFile(size);
    const run = await withCpu(broker.pid, async () => {
      const started = performance.now();
      const produced = await produceWithKcat(['-b', broker.bootstrap, '-t', 'load', '-p', '0', '-X', `message.max.bytes=${MESSAGE_MAX_BYTES}`], file, records, () => performance.now() - started >= SECONDS * 1000);
      return { produced, wallSeconds: (performance.now() - started) / 1000, childCpuSeconds: produced.childCpuSeconds };
    });
    const perSec = run.produced.records / run.produced.kcatSeconds;
    return {
      curve: 'record-size',
      x: size,
      recordsPerSec: Math.round(perSec),
      mbPerSec: round2((perSec * size) / 1e6),
      p99Ms: null,
      brokerCpu: run.brokerCpu,
      generatorCpu: run.generatorCpu,
      extra: {},
    };
  });
}

const RUNNERS: Record<string, (x: number) => Promise<Point>> = {
  partitions: partitionsPoint,
  connections: connectionsPoint,
  consumers: consumersPoint,
  'record-size': recordSizePoint,
};

/** What each chart shows: x label, left series (records/s) and right series. */
const CHARTS: Record<string, { title: string; xLabel: string; right: { label: string; pick: (p: Point) => number | null } }> = {
  partitions: { title: 'Produce throughput and p99 latency against partitions on one broker', xLabel: 'partitions', right: { label: 'produce-to-consume p99 (ms)', pick: (p) => p.p99Ms } },
  connections: { title: 'Produce throughput and ack p99 against producer connections', xLabel: 'producer connections', right: { label: 'send-to-ack p99 (ms)', pick: (p) => p.p99Ms } },
  consumers: { title: 'Delivered records/s and p99 against consumers of one partition', xLabel: 'consumers of one partition', right: { label: 'produce-to-consume p99 (ms)', pick: (p) => p.p99Ms } },
  'record-size': { title: 'Produce throughput against record size (acks=all)', xLabel: 'record size (bytes)', right: { label: 'MB/s', pick: (p) => p.mbPerSec } },
};

function chartOf(curve: string, points: Point[]): string {
  const spec = CHARTS[curve];
  const rightPoints = points.flatMap((p) => {
    const y = spec.right.pick(p);
    return y === null ? [] : [{ x: p.x, y }];
  });
  return lineChart({
    title: spec.title,
    xLabel: spec.xLabel,
    xLog: true,
    left: { label: 'records/s', series: { name: 'records/s', points: points.map((p) => ({ x: p.x, y: p.recordsPerSec })) } },
    right: rightPoints.length > 0 ? { label: spec.right.label, series: { name: spec.right.label, points: rightPoints } } : undefined,
  });
}

function tableOf(curve: string, points: Point[]): string {
  const extras = [...new Set(points.flatMap((p) => Object.keys(p.extra)))];
  const head = [curve, 'records/s', 'MB/s', 'p99 ms', 'broker cores', 'generator cores', ...extras];
  const rows = points.map((p) => [p.x.toLocaleString('en'), p.recordsPerSec.toLocaleString('en'), p.mbPerSec, p.p99Ms ?? '-', p.brokerCpu, p.generatorCpu, ...extras.map((e) => p.extra[e] ?? '-')]);
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

async function main(): Promise<void> {
  const points: Point[] = [];
  for (const curve of CURVES) {
    if (!RUNNERS[curve]) throw new Error(`unknown curve ${curve}; known: ${Object.keys(RUNNERS).join(', ')}`);
    for (const x of POINTS[curve].filter((x) => curve !== 'partitions' || x <= MAX_PARTITIONS_POINT)) {
      const point = await RUNNERS[curve](x);
      console.log(JSON.stringify(point));
      points.push(point);
    }
  }
  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, secondsPerPoint: SECONDS, loadAverage: os.loadavg().map(round2) };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/scaling.json'), JSON.stringify({ ...meta, points }, null, 2));
  let section = `\n## scaling ${meta.date.slice(0, 10)} ${commit} (${meta.node}, ${meta.cpus} cores, ${SECONDS} s a point, load average at the end ${meta.loadAverage.join(' ')})\n`;
  for (const curve of CURVES) {
    const curvePoints = points.filter((p) => p.curve === curve);
    const chart = `scaling-${curve}.svg`;
    fs.writeFileSync(path.join(ROOT, 'bench', chart), chartOf(curve, curvePoints));
    section += `\n${tableOf(curve, curvePoints)}\n\n![${CHARTS[curve].title}](${chart})\n`;
  }
  fs.appendFileSync(path.join(ROOT, 'bench/RESULTS.md'), section);
  console.log(section);
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
