// `npm run bench:hotpath`: the broker's hot path against the load generator's
// own ceiling and the disk's own latency, in one run (see bench/README.md).
//
// 1. kcat -P of a prepared file (100 B, then 1 KiB records) into librdkafka's
//    in-process mock broker (the generator's ceiling: no network peer, no disk)
//    and into a broker child process (default settings: group-commit), the same
//    producer settings, alternated round by round: the ratio broker / mock.
// 2. kcat -C of the topic just produced, from the beginning to the end: the
//    consume rate against the produce rate of the same round.
// 3. A write + fdatasync loop beside the broker's data directory, right before
//    end-to-end latency with librdkafka on both ends (bench/latency-probe.c) at
//    fixed rates, judged against max(2 ms, 4 x the fdatasync p99).
// 4. The broker's event-loop delay during each kcat produce, from its /metrics.
// 5. With BENCH_BASELINE_DIST=<another checkout's dist/>, every broker step runs
//    on that build's broker too, alternated, with the ratio new / baseline.
//
// Options (env): BENCH_HOTPATH_ROUNDS (5), BENCH_HOTPATH_RECORDS_100 (2,000,000),
// BENCH_HOTPATH_RECORDS_1K (500,000), BENCH_HOTPATH_LATENCY_RATES (5000,50000),
// BENCH_HOTPATH_LATENCY_SECONDS (10), BENCH_HOTPATH_LATENCY_ROUNDS (1),
// BENCH_HOTPATH_FSYNC_SECONDS (3), BENCH_HOTPATH_DIR (os.tmpdir()), BENCH_BASELINE_DIST.

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '../src/client/admin.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import { cpuSeconds, startBrokerProcess } from './broker-process.js';
import { EVENT_LOOP_SAMPLE_MS, type EventLoopDelay, type IdleLoopProbe, scrapeEventLoopDelay, startIdleLoopProbe } from './event-loop-delay.js';
import { freePort } from './free-port.js';
import { type FsyncLatency, measureFsyncLatency } from './fsync-latency.js';
import { type GroupCommitFloor, measureGroupCommitFloor } from './group-commit-floor.js';
import { KCAT_PRODUCER_PROPS, type KcatRun, runKcat } from './kcat.js';
import { buildLatencyProbe, type ProbeResult, runLatencyProbe } from './latency-probe.js';
import { writeRecordFile } from './record-file.js';
import { median } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: string) => process.env[name] ?? def;
const ROUNDS = Number(env('BENCH_HOTPATH_ROUNDS', '5'));
const SIZES = [
  { size: 100, records: Number(env('BENCH_HOTPATH_RECORDS_100', '2000000')), target: 0.9 },
  { size: 1024, records: Number(env('BENCH_HOTPATH_RECORDS_1K', '500000')), target: 0.8 },
];
const LATENCY_RATES = env('BENCH_HOTPATH_LATENCY_RATES', '5000,50000').split(',').map(Number);
const LATENCY_SECONDS = Number(env('BENCH_HOTPATH_LATENCY_SECONDS', '10'));
const LATENCY_ROUNDS = Number(env('BENCH_HOTPATH_LATENCY_ROUNDS', '1'));
const FSYNC_SECONDS = Number(env('BENCH_HOTPATH_FSYNC_SECONDS', '3'));
const EVENT_LOOP_TARGET_MS = 1;

/** A broker build: this checkout's, or the baseline's `dist/src/cli/main.js`. */
interface Build {
  name: 'new' | 'baseline';
  entry?: string;
}

interface Rate {
  recordsPerSec: number;
  mbPerSec: number;
  kcatCpu: number;
}

interface BrokerRun {
  build: Build['name'];
  produce: Rate & { brokerCpu: number; overMock: number };
  consume: Rate & { brokerCpu: number; overProduce: number };
  /** During the produce; `samples` is about how many the histogram took. */
  eventLoop: EventLoopDelay & { samples: number };
  /** Of a process doing nothing beside it, over the same produce (startIdleLoopProbe). */
  idleLoop: EventLoopDelay;
}

interface ThroughputRound {
  size: number;
  round: number;
  mock: Rate;
  brokers: BrokerRun[];
}

interface LatencyRun {
  build: Build['name'];
  round: number;
  fsync: FsyncLatency;
  floor: GroupCommitFloor;
  latency: ProbeResult;
  boundMs: number;
  pass: boolean;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const fmt = (n: number) => Math.round(n).toLocaleString('en');
/** `xs` rotated left by `by`, so that no build always runs first. */
const rotate = <T>(xs: T[], by: number): T[] => xs.map((_, i) => xs[(i + by) % xs.length]);

function buildsToCompare(): Build[] {
  const dist = process.env.BENCH_BASELINE_DIST;
  if (!dist) return [{ name: 'new' }];
  const entry = path.resolve(dist, 'src/cli/main.js');
  if (!fs.existsSync(entry)) throw new Error(`BENCH_BASELINE_DIST: ${entry} is missing (build that checkout first: npm run build)`);
  return [{ name: 'new' }, { name: 'baseline', entry }];
}

function rateOf(records: number, size: number, run: KcatRun): Rate {
  return { recordsPerSec: Math.round(records / run.wallSeconds), mbPerSec: round2((records * size) / run.wallSeconds / 1e6), kcatCpu: round2(run.cpuSeconds / run.wallSeconds) };
}

const produceArgs = (bootstrap: string, topic: string, file: string) => ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-l', file, '-X', 'acks=all', ...KCAT_PRODUCER_PROPS];
/** librdkafka's mock cluster inside kcat: bootstrap.servers is ignored. */
const MOCK = ['-X', 'test.mock.num.brokers=1'];

/** Makes sure the mock acknowledges every record with acks=all (from kcat's delivery log), so that its rate is a real ceiling. */
async function checkMockDeliversAll(file: string, records: number): Promise<void> {
  const run = await runKcat([...MOCK, ...produceArgs('127.0.0.1:1', 'check', file), '-d', 'msg']);
  let delivered = 0;
  for (const m of run.stderr.matchAll(/MessageSet with (\d+) message\(s\) .*delivered/g)) delivered += Number(m[1]);
  if (delivered !== records) throw new Error(`the mock broker acknowledged ${delivered} of ${records} records`);
}

/** One size's record files: the measured one and a tenth of it that warms each new broker up first. */
interface RecordFiles {
  size: number;
  records: number;
  file: string;
  warmUpFile: string;
}

/**
 * Produce and consume on a new broker of `build`, after a warm-up produce to
 * another topic (a new process compiles its hot paths and grows its heap in its
 * first second, which is not the load a running broker sees); `overMock` is
 * left for the round to fill in.
 */
async function runOnBroker(build: Build, work: string, { size, records, file, warmUpFile }: RecordFiles, idle: IdleLoopProbe): Promise<BrokerRun> {
  const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
  const broker = await startBrokerProcess(dataDir, ['--http-port', String(await freePort())], { entry: build.entry });
  try {
    const httpPort = broker.httpPort;
    if (httpPort === null) throw new Error(`the ${build.name} broker did not log its HTTP port at start-up, so its event-loop delay cannot be read`);
    await runKcat(produceArgs(broker.bootstrap, 'warm-up', warmUpFile));
    await scrapeEventLoopDelay(httpPort);
    await idle.reset();
    let cpu = cpuSeconds(broker.pid);
    const produced = await runKcat(produceArgs(broker.bootstrap, 'hotpath', file));
    const eventLoop = await scrapeEventLoopDelay(httpPort);
    const idleLoop = await idle.read();
    const produceCpu = cpuSeconds(broker.pid) - cpu;
    cpu = cpuSeconds(broker.pid);
    // fetch.wait.max.ms=5: kcat sees the end only from an empty fetch, which the broker would hold 500 ms.
    const consumed = await runKcat(['-C', '-b', broker.bootstrap, '-t', 'hotpath', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\n', '-X', 'fetch.wait.max.ms=5']);
    if (consumed.stdoutLines !== records) throw new Error(`${build.name} broker: consumed ${consumed.stdoutLines} of ${records} records`);
    const consumeCpu = cpuSeconds(broker.pid) - cpu;
    const produce = rateOf(records, size, produced);
    const consume = rateOf(records, size, consumed);
    return {
      build: build.name,
      produce: { ...produce, brokerCpu: round2(produceCpu / produced.wallSeconds), overMock: 0 },
      consume: { ...consume, brokerCpu: round2(consumeCpu / consumed.wallSeconds), overProduce: round2(consume.recordsPerSec / produce.recordsPerSec) },
      eventLoop: { ...eventLoop, samples: Math.round((produced.wallSeconds * 1000) / EVENT_LOOP_SAMPLE_MS) },
      idleLoop,
    };
  } finally {
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function describeBrokerRun(r: BrokerRun): string {
  return (
    `${r.build} ${fmt(r.produce.recordsPerSec)} rec/s ${r.produce.mbPerSec} MB/s = ${r.produce.overMock}x mock (broker ${r.produce.brokerCpu}, kcat ${r.produce.kcatCpu} cores), ` +
    `event loop p99 ${round2(r.eventLoop.p99Ms)} ms max ${round2(r.eventLoop.maxMs)} ms (~${r.eventLoop.samples} samples; an idle process beside it p99 ${round2(r.idleLoop.p99Ms)} ms max ${round2(r.idleLoop.maxMs)} ms); ` +
    `consume ${fmt(r.consume.recordsPerSec)} rec/s = ${r.consume.overProduce}x produce (broker ${r.consume.brokerCpu}, kcat ${r.consume.kcatCpu} cores)`
  );
}

/** new / baseline of one figure in one round. */
function abRatio<T extends { build: Build['name'] }>(runs: T[], figure: (r: T) => number): number | undefined {
  const base = runs.find((r) => r.build === 'baseline');
  const next = runs.find((r) => r.build === 'new');
  return base && next ? round2(figure(next) / figure(base)) : undefined;
}

async function measureThroughput(builds: Build[], work: string, idle: IdleLoopProbe): Promise<ThroughputRound[]> {
  const rounds: ThroughputRound[] = [];
  for (const { size, records } of SIZES) {
    const file = writeRecordFile(path.join(work, `records-${size}.txt`), size, records);
    const files = { size, records, file, warmUpFile: writeRecordFile(path.join(work, `warm-up-${size}.txt`), size, Math.ceil(records / 10)) };
    await checkMockDeliversAll(file, records);
    console.log(`[1,2,4] ${size} B: the mock acknowledged all ${fmt(records)} records (acks=all); rounds: ${ROUNDS} of ${fmt(records)} records each`);
    for (let round = 0; round < ROUNDS; round++) {
      let mock: Rate | undefined;
      const brokers: BrokerRun[] = [];
      // The order turns round by round, so that no run is always the first or the last on a warm machine.
      for (const target of rotate<Build | 'mock'>(['mock', ...builds], round)) {
        if (target === 'mock') mock = rateOf(records, size, await runKcat([...MOCK, ...produceArgs('127.0.0.1:1', 'hotpath', file)]));
        else brokers.push(await runOnBroker(target, work, files, idle));
      }
      for (const b of brokers) b.produce.overMock = round2(b.produce.recordsPerSec / mock!.recordsPerSec);
      rounds.push({ size, round, mock: mock!, brokers });
      console.log(`  ${size} B round ${round + 1}/${ROUNDS}: mock ${fmt(mock!.recordsPerSec)} rec/s ${mock!.mbPerSec} MB/s (kcat ${mock!.kcatCpu} cores)`);
      for (const b of brokers) console.log(`    ${describeBrokerRun(b)}`);
      const ab = abRatio(brokers, (r) => r.produce.recordsPerSec);
      if (ab !== undefined) console.log(`    new/baseline: produce ${ab}x, consume ${abRatio(brokers, (r) => r.consume.recordsPerSec)}x, event-loop p99 ${abRatio(brokers, (r) => r.eventLoop.p99Ms)}x`);
    }
    fs.rmSync(file);
    fs.rmSync(files.warmUpFile);
  }
  return rounds;
}

async function measureLatency(builds: Build[], work: string, program: string): Promise<LatencyRun[]> {
  const runs: LatencyRun[] = [];
  for (const rate of LATENCY_RATES) {
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      const pair: LatencyRun[] = [];
      for (const build of rotate(builds, round)) {
        const dataDir = fs.mkdtempSync(path.join(work, 'data-'));
        const broker = await startBrokerProcess(dataDir, [], { entry: build.entry });
        try {
          const client = new KafkaClient({ bootstrap: broker.bootstrap, clientId: 'bench-hotpath' });
          await new Admin(client).createTopic('latency', 1);
          await client.close();
          const fsync = measureFsyncLatency(work, FSYNC_SECONDS);
          const floor = await measureGroupCommitFloor(work, rate, FSYNC_SECONDS);
          const latency = await runLatencyProbe(program, broker.bootstrap, 'latency', rate, LATENCY_SECONDS);
          const boundMs = Math.max(2, 4 * fsync.p99Ms);
          const run = { build: build.name, round, fsync, floor, latency, boundMs: round2(boundMs), pass: latency.p99Ms <= boundMs && latency.p999Ms <= 2.5 * boundMs };
          pair.push(run);
          console.log(
            `[3] ${fmt(rate)}/s round ${round + 1}/${LATENCY_ROUNDS} ${build.name}: fdatasync p50 ${round2(fsync.p50Ms)} p99 ${round2(fsync.p99Ms)} p99.9 ${round2(fsync.p999Ms)} ms (${fmt(fsync.rounds)} rounds); ` +
              `group-commit floor p50 ${round2(floor.p50Ms)} p99 ${round2(floor.p99Ms)} p99.9 ${round2(floor.p999Ms)} ms (${fmt(floor.rounds)} rounds); ` +
              `end to end p50 ${round2(latency.p50Ms)} p99 ${round2(latency.p99Ms)} p99.9 ${round2(latency.p999Ms)} max ${round2(latency.maxMs)} ms ` +
              `(sender at most ${round2(latency.maxSendLagMs)} ms behind schedule); ` +
              `bound ${round2(boundMs)} ms: ${run.pass ? 'pass' : 'FAIL'}`,
          );
        } finally {
          await broker.stop();
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      }
      const ab = abRatio(pair, (r) => r.latency.p99Ms);
      if (ab !== undefined) console.log(`    new/baseline: p99 ${ab}x, p99.9 ${abRatio(pair, (r) => r.latency.p999Ms)}x`);
      runs.push(...pair);
    }
  }
  return runs;
}

interface BuildSummary {
  produceRecordsPerSec: number;
  produceMbPerSec: number;
  overMock: number;
  consumeOverProduce: number;
  eventLoopP99Ms: number;
  idleLoopP99Ms: number;
}

/** Medians over the rounds of each size, per build, and of new / baseline. */
function summarizeThroughput(rounds: ThroughputRound[], builds: Build[]) {
  return SIZES.map(({ size, target }) => {
    const ofSize = rounds.filter((r) => r.size === size);
    const medianOf = (name: Build['name'], figure: (r: BrokerRun) => number) => round2(median(ofSize.map((r) => figure(r.brokers.find((b) => b.build === name)!))));
    const abMedian = (figure: (r: BrokerRun) => number) => round2(median(ofSize.map((r) => abRatio(r.brokers, figure)!)));
    const perBuild: Partial<Record<Build['name'], BuildSummary>> = {};
    for (const { name } of builds) {
      perBuild[name] = {
        produceRecordsPerSec: Math.round(medianOf(name, (r) => r.produce.recordsPerSec)),
        produceMbPerSec: medianOf(name, (r) => r.produce.mbPerSec),
        overMock: medianOf(name, (r) => r.produce.overMock),
        consumeOverProduce: medianOf(name, (r) => r.consume.overProduce),
        eventLoopP99Ms: medianOf(name, (r) => r.eventLoop.p99Ms),
        idleLoopP99Ms: medianOf(name, (r) => r.idleLoop.p99Ms),
      };
    }
    return {
      size,
      target,
      mockRecordsPerSec: Math.round(median(ofSize.map((r) => r.mock.recordsPerSec))),
      builds: perBuild,
      newOverBaseline:
        builds.length > 1
          ? { produce: abMedian((b) => b.produce.recordsPerSec), consume: abMedian((b) => b.consume.recordsPerSec), eventLoopP99: abMedian((b) => b.eventLoop.p99Ms) }
          : undefined,
    };
  });
}

const buildLabel = (name: Build['name']) => (name === 'new' ? '' : 'baseline: ');
const verdict = (met: boolean) => (met ? 'met' : 'missed');

function summaryLines(throughput: ReturnType<typeof summarizeThroughput>, latency: LatencyRun[], builds: Build[], latencyNote: string | undefined): string[] {
  const lines: string[] = [];
  for (const s of throughput) {
    for (const { name } of builds) {
      const x = s.builds[name]!;
      lines.push(
        `- ${buildLabel(name)}kcat produce ${s.size} B acks=all, median of ${ROUNDS}: ${fmt(x.produceRecordsPerSec)} rec/s, ${x.produceMbPerSec} MB/s = ${x.overMock}x the mock's ${fmt(s.mockRecordsPerSec)} rec/s ` +
          `(target >= ${s.target}x: ${verdict(x.overMock >= s.target)}); consume ${x.consumeOverProduce}x produce; event-loop delay p99 ${x.eventLoopP99Ms} ms during produce (an idle process beside it: ${x.idleLoopP99Ms} ms)` +
          (s.size === 1024 ? ` (target <= ${EVENT_LOOP_TARGET_MS} ms: ${verdict(x.eventLoopP99Ms <= EVENT_LOOP_TARGET_MS)})` : ''),
      );
    }
    if (s.newOverBaseline) lines.push(`- new/baseline ${s.size} B, median of ${ROUNDS}: produce ${s.newOverBaseline.produce}x, consume ${s.newOverBaseline.consume}x, event-loop p99 ${s.newOverBaseline.eventLoopP99}x`);
  }
  if (latencyNote) lines.push(`- latency skipped: ${latencyNote}`);
  for (const rate of LATENCY_RATES) {
    const atRate = latency.filter((r) => r.latency.rate === rate);
    for (const { name } of builds) {
      const runs = atRate.filter((r) => r.build === name);
      if (runs.length === 0) continue;
      const m = (figure: (r: LatencyRun) => number) => round2(median(runs.map(figure)));
      lines.push(
        `- ${buildLabel(name)}latency ${fmt(rate)}/s 100 B acks=all (librdkafka both ends)${runs.length > 1 ? `, median of ${runs.length}` : ''}: p50 ${m((r) => r.latency.p50Ms)} ms, p99 ${m((r) => r.latency.p99Ms)} ms, ` +
          `p99.9 ${m((r) => r.latency.p999Ms)} ms, max ${m((r) => r.latency.maxMs)} ms; fdatasync p99 ${m((r) => r.fsync.p99Ms)} ms, group-commit floor p99 ${m((r) => r.floor.p99Ms)} ms, bound ${m((r) => r.boundMs)} ms: ${runs.filter((r) => r.pass).length} of ${runs.length} pass`,
      );
    }
    if (builds.length > 1 && atRate.length > 0) {
      const pairs = [...new Set(atRate.map((r) => r.round))].map((round) => atRate.filter((r) => r.round === round));
      const abMedian = (figure: (r: LatencyRun) => number) => round2(median(pairs.map((p) => abRatio(p, figure)!)));
      lines.push(`- new/baseline latency ${fmt(rate)}/s: p99 ${abMedian((r) => r.latency.p99Ms)}x, p99.9 ${abMedian((r) => r.latency.p999Ms)}x`);
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const builds = buildsToCompare();
  const work = fs.mkdtempSync(path.join(env('BENCH_HOTPATH_DIR', os.tmpdir()), 'sluice-bench-hotpath-'));
  try {
    if (builds.length > 1) console.log(`A/B: this checkout's broker ("new") against ${builds[1].entry} ("baseline"), alternated round by round`);
    const idle = await startIdleLoopProbe();
    const throughput = await measureThroughput(builds, work, idle).finally(() => idle.stop());
    const probe = buildLatencyProbe();
    const latencyNote = 'missing' in probe ? probe.missing : undefined;
    if (latencyNote) console.log(`[3] latency skipped: ${latencyNote}`);
    const latency = 'program' in probe ? await measureLatency(builds, work, probe.program) : [];

    const summary = summarizeThroughput(throughput, builds);
    const lines = summaryLines(summary, latency, builds, latencyNote);
    console.log(lines.join('\n'));
    const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg().map(round2), baseline: builds[1]?.entry };
    const settings = { rounds: ROUNDS, sizes: SIZES, latencyRates: LATENCY_RATES, latencySeconds: LATENCY_SECONDS, latencyRounds: LATENCY_ROUNDS, fsyncSeconds: FSYNC_SECONDS };
    fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench/results/hotpath.json'), JSON.stringify({ ...meta, settings, summary, throughput, latency, latencySkipped: latencyNote }, null, 2) + '\n');
    fs.appendFileSync(
      path.join(ROOT, 'bench/RESULTS.md'),
      `\n## hotpath ${meta.date.slice(0, 10)} ${commit} (${meta.node}, ${meta.cpus} cores, load average ${meta.loadAverage.join(' ')})\n` + lines.join('\n') + '\n',
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
