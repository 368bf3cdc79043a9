// `npm run bench:queues`: work-queue throughput and redelivery, Sluice's share
// groups beside RabbitMQ (quorum and classic queues) when it is installed
// (Debian `rabbitmq-server`), each broker on this machine, fsync on (Sluice's
// default group-commit; RabbitMQ confirms persistent messages once on disk).
// Per system, each step a child process (bench/queue-worker.ts):
//   publish     N messages of 100 bytes, each confirmed
//   work        4 workers take and acknowledge those N messages one by one
//   redelivery  a worker takes K messages and is killed (SIGKILL); the time
//               until another worker has received all K again
// Before the steps, Sluice's share-state topic is created by a share group of
// its own (see prepareSluice), as RabbitMQ's queues are declared before them.
// Writes bench/results/queues.json and appends a summary to bench/RESULTS.md.
//
// Options: --messages N (default 100,000), --held K (default 100),
// --prefetch P (each worker's unacknowledged messages at most, default 100),
// --systems sluice,rabbitmq-quorum,rabbitmq-classic.

import { type ChildProcess, execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Admin, KafkaClient, connect } from '../src/client/index.js';
import { startBrokerProcess } from './broker-process.js';
import { type Done, startWorker } from './worker-process.js';
import { freePort } from './free-port.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const WORKER = path.join(HERE, 'queue-worker.js');
const RABBITMQ_SERVER = ['/usr/lib/rabbitmq/bin/rabbitmq-server', '/usr/sbin/rabbitmq-server'].find((p) => fs.existsSync(p));
const SLUICE_PARTITIONS = 4;
const WARM_UP_TOPIC = 'warm-up';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    held: { type: 'string', default: '100' },
    prefetch: { type: 'string', default: '100' },
    systems: { type: 'string', default: 'sluice,rabbitmq-quorum,rabbitmq-classic' },
  },
});
const messages = Number(args.messages);
const held = Number(args.held);
const prefetch = Number(args.prefetch);
const systems = args.systems.split(',');

interface Broker {
  address: string;
  pids: number[];
  stop(): Promise<void>;
}

interface Row {
  system: string;
  test: string;
  messages: number;
  messagesPerSec?: number;
  redeliveryMs?: number;
  clientCpu?: number;
  brokerCpu?: number;
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port}`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

/** A RabbitMQ node of its own in `dir` (no plugins), on free ports. */
async function startRabbitMq(server: string, dir: string): Promise<Broker> {
  const [port, distPort] = [await freePort(), await freePort()];
  const pidFile = path.join(dir, 'pid');
  const child: ChildProcess = spawn(server, [], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      HOME: dir,
      RABBITMQ_NODENAME: `sluice-bench-${port}@localhost`,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(dir, 'log'),
      RABBITMQ_PID_FILE: pidFile,
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    },
  });
  process.stderr.write(`starting RabbitMQ on port ${port}...\n`);
  await waitForPort(port, Date.now() + 60_000);
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  return {
    address: `amqp://guest:guest@127.0.0.1:${port}`,
    pids: [pid],
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}

async function startSluice(dir: string): Promise<Broker> {
  const broker = await startBrokerProcess(path.join(dir, 'data'), []);
  return { address: broker.bootstrap, pids: [broker.pid], stop: () => broker.stop() };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function throughputRow(system: string, test: string, count: number, done: Done): Row {
  return {
    system,
    test,
    messages: count,
    messagesPerSec: Math.round(count / done.wallSeconds),
    clientCpu: round(done.cpuSeconds / done.wallSeconds, 2),
    brokerCpu: round(done.brokerCpuSeconds / done.wallSeconds, 2),
  };
}

/** Publishes `held` messages, lets one worker take them all and kills it; the time until another worker has them all. */
async function redelivery(system: string, broker: Broker, queue: string): Promise<Row> {
  const worker = (mode: string) => startWorker(WORKER, [system, mode, broker.address, queue, String(held)], broker.pids);
  await worker('publish').done;
  const holder = worker('hold');
  await holder.event('held');
  const rescuer = worker('rescue');
  await rescuer.event('ready');
  const killedAt = Date.now();
  holder.exited.catch(() => {}); // it dies by design
  holder.child.kill('SIGKILL');
  const { at } = await rescuer.event('redelivered');
  await rescuer.exited;
  return { system, test: 'redelivery', messages: held, redeliveryMs: Number(at) - killedAt };
}

async function runSystem(system: string, work: string, rows: Row[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(work, `${system}-`));
  let broker: Broker;
  if (system === 'sluice') {
    broker = await startSluice(dir);
  } else {
    if (!RABBITMQ_SERVER) {
      console.log(`${system}: skipped, RabbitMQ is not installed (apt-get install -y rabbitmq-server)`);
      return;
    }
    broker = await startRabbitMq(RABBITMQ_SERVER, dir);
  }
  const add = (r: Row) => {
    rows.push(r);
    console.log(JSON.stringify(r));
  };
  try {
    if (system === 'sluice') await prepareSluice(broker.address, ['jobs', 'held']);
    const publish = await startWorker(WORKER, [system, 'publish', broker.address, 'jobs', String(messages)], broker.pids).done;
    add(throughputRow(system, 'publish', messages, publish));
    const consume = await startWorker(WORKER, [system, 'work', broker.address, 'jobs', String(messages), String(prefetch)], broker.pids).done;
    add(throughputRow(system, `work (4 workers, prefetch ${prefetch}, ack each)`, messages, consume));
    add(await redelivery(system, broker, 'held'));
  } finally {
    await broker.stop();
  }
}

/**
 * The queues' topics (the workers' share group reads them from the start:
 * `from: 'earliest'`), and one message taken and acknowledged by a share group
 * of its own, so that the broker's share-state topic (__share_group_state,
 * created on the first state write, as in Kafka) exists before the timed steps,
 * as the queues do for RabbitMQ.
 */
async function prepareSluice(bootstrap: string, topics: string[]): Promise<void> {
  const client = new KafkaClient({ bootstrap, clientId: 'bench-admin' });
  try {
    const admin = new Admin(client);
    for (const topic of topics) await admin.createTopic(topic, topic === 'held' ? 1 : SLUICE_PARTITIONS);
    await admin.createTopic(WARM_UP_TOPIC, 1);
  } finally {
    await client.close();
  }
  const sluice = await connect({ bootstrap, clientId: 'bench-warm-up' });
  try {
    await sluice.producer({ acks: 'all' }).send(WARM_UP_TOPIC, { value: 'warm-up' });
    for await (const msg of sluice.queue(WARM_UP_TOPIC, { group: 'bench-warm-up', from: 'earliest' })) {
      msg.ack();
      break;
    }
  } finally {
    await sluice.close();
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-queues-'));
  const rows: Row[] = [];
  try {
    for (const system of systems) await runSystem(system, work, rows);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.table(rows);

  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, messages, held, prefetch };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/queues.json'), JSON.stringify({ ...meta, rows }, null, 2));
  const lines = rows.map((r) =>
    r.test === 'redelivery'
      ? `- ${r.system} redelivery of ${r.messages} messages after their worker was killed: ${r.redeliveryMs} ms`
      : `- ${r.system} ${r.test}: ${r.messagesPerSec!.toLocaleString('en')} msg/s (client ${r.clientCpu}, broker ${r.brokerCpu} cores)`,
  );
  fs.appendFileSync(path.join(ROOT, 'bench/RESULTS.md'), `\n## queues ${meta.date.slice(0, 10)} ${commit} (${meta.node}, ${meta.cpus} cores, ${messages.toLocaleString('en')} messages of 100 B)\n${lines.join('\n')}\n`);
}

await main();
