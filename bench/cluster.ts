// `npm run bench:cluster`: a cluster of three broker processes over one etcd
// member on this machine. (1) Produce throughput with kcat (acks=all) to a
// topic of replication factor 3 / min.insync.replicas 2 beside one of
// replication factor 1, alternated, with the CPU of the three brokers and of
// kcat. (2) Leader failover: a producer sends one acks=all record at a time to
// an RF 3 topic, the leader is killed with kill -9, and the time from the kill
// to the first record acknowledged by the new leader is measured; the killed
// broker restarts and rejoins the ISR before the next kill.
//
// Options (env): BENCH_CLUSTER_RECORDS (default 500,000 records of 100 B per
// run), BENCH_CLUSTER_ROUNDS (default 2 runs per topic), BENCH_FAILOVER_KILLS
// (default 10), BENCH_LEASE_TTL_MS (default 3000).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '../src/client/admin.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import { Producer } from '../src/client/producer.js';
import { type BenchBroker, cpuSeconds, startBrokerProcess } from './broker-process.js';
import { ETCD_BIN, startEtcd } from './etcd-process.js';
import { freePort } from './free-port.js';
import { runKcat } from './kcat.js';
import { median } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: string) => Number(process.env[name] ?? def);
const RECORDS = env('BENCH_CLUSTER_RECORDS', '500000');
const ROUNDS = env('BENCH_CLUSTER_ROUNDS', '2');
const KILLS = env('BENCH_FAILOVER_KILLS', '10');
const LEASE_TTL_MS = env('BENCH_LEASE_TTL_MS', '3000');
const SIZE = 100;

interface Node {
  id: number;
  port: number;
  dataDir: string;
  process: BenchBroker | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function recordsFile(work: string): string {
  const file = path.join(work, 'records.txt');
  const line = Buffer.alloc(SIZE + 1, 'x');
  line[SIZE] = 10;
  fs.writeFileSync(file, Buffer.concat(Array.from({ length: RECORDS }, () => line)));
  return file;
}

async function main(): Promise<void> {
  if (!fs.existsSync(ETCD_BIN)) {
    console.log(`cluster benchmark skipped: ${ETCD_BIN} is missing (apt-get install etcd-server)`);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-cluster-'));
  const etcd = await startEtcd();
  const nodes: Node[] = [];
  for (let id = 1; id <= 3; id++) nodes.push({ id, port: await freePort(), dataDir: path.join(work, `broker-${id}`), process: null });
  const start = async (n: Node) => {
    n.process = await startBrokerProcess(n.dataDir, ['--node-id', String(n.id), '--port', String(n.port), '--etcd', etcd.endpoint, '--broker-lease-ttl-ms', String(LEASE_TTL_MS)]);
  };
  await Promise.all(nodes.map(start));
  const bootstrap = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  const client = new KafkaClient({ bootstrap, clientId: 'bench-cluster', requestTimeoutMs: 5000 });
  const admin = new Admin(client);
  const brokerCpu = () => nodes.reduce((sum, n) => sum + (n.process ? cpuSeconds(n.process.pid) : 0), 0);
  const partitionOf = async (topic: string) => (await admin.describeCluster()).partitions.find((p) => p.topic === topic && p.partition === 0);
  const inSync = (topic: string, replicas: number) => until(`${topic} fully in sync`, async () => ((await partitionOf(topic))?.isr.length === replicas ? true : undefined));
  try {
    await until('three brokers', async () => ((await admin.describeCluster()).brokers.length === 3 ? true : undefined));
    const file = recordsFile(work);
    const rows: { topic: string; replicationFactor: number; recordsPerSec: number; mbPerSec: number; brokersCpu: number; kcatCpu: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const rf of [1, 3]) {
        const topic = `rf${rf}-${round}`;
        await admin.createTopic(topic, { partitions: 1, replicationFactor: rf, config: rf === 3 ? { 'min.insync.replicas': '2' } : {} });
        await inSync(topic, rf);
        const leader = (await partitionOf(topic))!.leader;
        const cpu0 = brokerCpu();
        const run = await runKcat(['-P', '-b', `127.0.0.1:${nodes[leader - 1].port}`, '-t', topic, '-p', '0', '-l', file, '-X', 'acks=all', '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000']);
        const row = {
          topic,
          replicationFactor: rf,
          recordsPerSec: Math.round(RECORDS / run.wallSeconds),
          mbPerSec: Math.round((RECORDS * SIZE) / run.wallSeconds / 1e5) / 10,
          brokersCpu: Math.round(((brokerCpu() - cpu0) / run.wallSeconds) * 100) / 100,
          kcatCpu: Math.round((run.cpuSeconds / run.wallSeconds) * 100) / 100,
        };
        rows.push(row);
        console.log(JSON.stringify({ test: 'produce', ...row }));
      }
    }
    const rate = (rf: number) => Math.round(median(rows.filter((r) => r.replicationFactor === rf).map((r) => r.recordsPerSec)));
    const ratio = rate(3) / rate(1);

    await admin.createTopic('failover', { partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
    await inSync('failover', 3);
    const producer = new Producer(client, { acks: -1, lingerMs: 0, deliveryTimeoutMs: 60_000 });
    let lastAck = 0;
    /** When the last acknowledged write was sent: one sent before a kill may be answered just after it. */
    let lastAckSentAt = 0;
    let producing = true;
    const loop = (async () => {
      while (producing) {
        const sentAt = Date.now();
        await producer.send('failover', { key: null, value: Buffer.from('x'), partition: 0 });
        lastAck = Date.now();
        lastAckSentAt = sentAt;
      }
    })();
    const failovers: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const victim = nodes[(await partitionOf('failover'))!.leader - 1];
      await until('writes flowing', async () => (Date.now() - lastAck < 50 ? true : undefined));
      const killedAt = Date.now();
      await victim.process!.kill9();
      victim.process = null;
      await until('an acknowledged write sent after the kill', async () => (lastAckSentAt > killedAt ? true : undefined));
      failovers.push(lastAck - killedAt);
      console.log(JSON.stringify({ test: 'failover', kill, broker: victim.id, ms: lastAck - killedAt }));
      await start(victim);
      await inSync('failover', 3);
    }
    producing = false;
    await loop;
    await producer.close();
    const sorted = [...failovers].sort((a, b) => a - b);
    const summary = {
      rf1RecordsPerSec: rate(1),
      rf3RecordsPerSec: rate(3),
      rf3OverRf1: Math.round(ratio * 100) / 100,
      failoverP50Ms: sorted[Math.floor(sorted.length / 2)],
      failoverMaxMs: sorted[sorted.length - 1],
      leaseTtlMs: LEASE_TTL_MS,
    };
    console.table(rows);
    console.log(JSON.stringify({ test: 'summary', ...summary }));
    fs.appendFileSync(
      path.join(ROOT, 'bench/RESULTS.md'),
      `\n## Cluster, ${new Date().toISOString().slice(0, 10)} (3 brokers + 1 etcd member on one ${os.cpus().length}-core machine, ${process.version})\n` +
        `- kcat produce, ${SIZE} B, acks=all, median of ${ROUNDS}: RF 1 ${summary.rf1RecordsPerSec.toLocaleString('en')} rec/s, RF 3 / min.insync.replicas 2 ${summary.rf3RecordsPerSec.toLocaleString('en')} rec/s (${summary.rf3OverRf1}x)\n` +
        `- leader kill -9 to the first write acknowledged by the new leader, ${KILLS} kills, lease TTL ${LEASE_TTL_MS} ms: p50 ${summary.failoverP50Ms} ms, max ${summary.failoverMaxMs} ms\n`,
    );
  } finally {
    await client.close();
    await Promise.all(nodes.map((n) => n.process?.stop()));
    await etcd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
