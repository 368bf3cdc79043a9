// One process of the queue benchmark (bench/queues.ts), for one system:
//   node dist/bench/queue-worker.js <system> <mode> <address> <queue> <count> [prefetch]
// system: sluice (a share group read through client.queue()), rabbitmq-quorum
// or rabbitmq-classic (amqplib; durable queue, persistent messages).
// modes:
//   publish  `count` 100-byte messages, each confirmed (acks=all; publisher
//            confirms), in rounds of 1000 with up to 8 rounds unconfirmed
//   work     4 workers in this process, each with its own connection and
//            `prefetch` (default 100) unacknowledged messages at most,
//            acknowledge every message one by one until `count` are acknowledged
//   hold     takes `count` messages, acknowledges none, reports "held" and
//            waits to be killed
//   rescue   reports "ready" once subscribed and "redelivered" (with the
//            time) once it has received `count` messages delivered before
// Prints {"event":"start"} and {"event":"done", wallSeconds, cpuSeconds} around
// the measured part (bench/worker-process.ts reads them).

import { performance } from 'node:perf_hooks';
import amqplib from 'amqplib';
import { connect } from '../src/client/index.js';

interface Delivery {
  /** Delivered before (RabbitMQ's redelivered flag; a delivery count above 1). */
  redelivered: boolean;
  ack(): void;
}

interface QueueClient {
  /** Sends `values`; resolves once every one is confirmed. */
  publish(values: Buffer[]): Promise<void>;
  /** Subscribes with `prefetch` unacknowledged messages at most; resolves once subscribed. */
  consume(prefetch: number, onMessage: (d: Delivery) => void): Promise<void>;
  close(): Promise<void>;
}

const ROUND = 1000;
const ROUNDS_IN_FLIGHT = 8;
const WORKERS = 4;
const GROUP = 'bench-workers';

async function sluiceClient(bootstrap: string, topic: string): Promise<QueueClient> {
  const client = await connect({ bootstrap, clientId: 'bench-queue' });
  const producer = client.producer({ acks: 'all' });
  const queues: { close(): Promise<void> }[] = [];
  return {
    async publish(values) {
      await producer.sendBatch(topic, values.map((value) => ({ value })));
    },
    async consume(prefetch, onMessage) {
      const queue = client.queue(topic, { group: GROUP, prefetch, from: 'earliest' });
      queues.push(queue);
      await queue.ready();
      // A handler that returns settles its message, so each waits for its ack (a held message never gets one).
      void queue.run((msg) => new Promise<void>((settled) => onMessage({ redelivered: msg.deliveryCount > 1, ack: () => settled(msg.ack()) })), { concurrency: prefetch });
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
      await client.close();
    },
  };
}

async function rabbitClient(url: string, queue: string, type: 'quorum' | 'classic'): Promise<QueueClient> {
  const connection = await amqplib.connect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': type } });
  return {
    publish: (values) =>
      new Promise((resolve, reject) => {
        let unconfirmed = values.length;
        const confirmed = (err: unknown) => {
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else if (--unconfirmed === 0) resolve();
        };
        for (const value of values) channel.sendToQueue(queue, value, { persistent: true }, confirmed);
      }),
    async consume(prefetch, onMessage) {
      await channel.prefetch(prefetch);
      await channel.consume(queue, (msg) => {
        if (msg) onMessage({ redelivered: msg.fields.redelivered, ack: () => channel.ack(msg) });
      });
    },
    close: () => connection.close(),
  };
}

function clientFor(system: string, address: string, queue: string): Promise<QueueClient> {
  if (system === 'sluice') return sluiceClient(address, queue);
  if (system === 'rabbitmq-quorum') return rabbitClient(address, queue, 'quorum');
  if (system === 'rabbitmq-classic') return rabbitClient(address, queue, 'classic');
  throw new Error(`unknown system ${system}`);
}

function report(event: object): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function measured(work: () => Promise<void>): Promise<void> {
  report({ event: 'start' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  report({ event: 'done', wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
}

/** Resolves once `count` messages passed `accept` (each is acknowledged unless `hold`). */
function receive(clients: QueueClient[], count: number, opts: { prefetch: number; hold?: boolean; accept?: (d: Delivery) => boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const onMessage = (d: Delivery) => {
      if (!opts.hold) d.ack();
      if (opts.accept && !opts.accept(d)) return;
      if (++seen === count) resolve();
    };
    Promise.all(clients.map((c) => c.consume(opts.prefetch, onMessage))).then(() => report({ event: 'ready' }), reject);
  });
}

async function main(): Promise<void> {
  const [system, mode, address, queue, countArg, prefetchArg] = process.argv.slice(2);
  const count = Number(countArg);
  const prefetch = Number(prefetchArg ?? 100);
  if (mode === 'publish') {
    const client = await clientFor(system, address, queue);
    const value = Buffer.alloc(100, 'x');
    await measured(async () => {
      const inFlight: Promise<void>[] = [];
      for (let sent = 0; sent < count; sent += ROUND) {
        inFlight.push(client.publish(Array.from({ length: Math.min(ROUND, count - sent) }, () => value)));
        if (inFlight.length >= ROUNDS_IN_FLIGHT) await inFlight.shift();
      }
      await Promise.all(inFlight);
    });
    await client.close();
  } else if (mode === 'work') {
    const clients = await Promise.all(Array.from({ length: WORKERS }, () => clientFor(system, address, queue)));
    await measured(() => receive(clients, count, { prefetch }));
    await Promise.all(clients.map((c) => c.close()));
  } else if (mode === 'hold') {
    const client = await clientFor(system, address, queue);
    await receive([client], count, { prefetch: count, hold: true });
    report({ event: 'held' });
    await new Promise(() => {}); // until killed
  } else if (mode === 'rescue') {
    const client = await clientFor(system, address, queue);
    await receive([client], count, { prefetch: count, accept: (d) => d.redelivered });
    report({ event: 'redelivered', at: Date.now() });
    await client.close();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.exit(0);
}

await main();
