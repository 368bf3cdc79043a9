// One client's side of `npm run bench:clients`, in a process of its own so
// that its CPU time is its own:
//
//   node dist/bench/client-worker.js <sluice|kafkajs|platformatic> <produce|consume|latency> <bootstrap> <topic> <records> <size>
//
// produce: `records` values of `size` bytes, acks=all, in rounds of 1000,
//   up to 32 rounds unacknowledged at a time (3.2 MB of 100 B records, a tenth
//   of a Kafka producer's default buffer.memory) (a sliding window, as a service
//   that does not wait for each acknowledgement before the next send)
//   (each client's call for many messages: one send/sendBatch of 1000 per round).
// consume: reads `records` records from the start in a new group.
// latency: `records` records of `size` bytes at 5,000/s (one send each,
//   acks=all), read back in the same process; each carries its send time.
// Prints {"event":"start"} when the measured part begins and, at the end,
// {"event":"done", wallSeconds, cpuSeconds, latenciesMs?}.

import { performance } from 'node:perf_hooks';
import { Consumer as PlatformaticConsumer, ProduceAcks, Producer as PlatformaticProducer } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { connect } from '../src/client/index.js';

interface BenchClient {
  /** Sends `values`, acks=all; resolves when every one is acknowledged. */
  sendRound(topic: string, values: Buffer[]): Promise<void>;
  /** Sends one value on its own, acks=all. */
  sendOne(topic: string, value: Buffer): Promise<void>;
  /** Reads `topic` from its start in a new group, calling `onValue` per record until it returns false. */
  consume(topic: string, onValue: (value: Buffer) => boolean): Promise<void>;
  close(): Promise<void>;
}

const ROUND = 1000;
const ROUNDS_IN_FLIGHT = 32;
const LATENCY_RATE = 5000;

async function sluiceClient(bootstrap: string): Promise<BenchClient> {
  const client = await connect({ bootstrap, clientId: 'bench-sluice' });
  const producer = client.producer({ acks: 'all' });
  // One record at a time gains nothing from waiting for more: the latency run sends without linger.
  const immediate = client.producer({ acks: 'all', lingerMs: 0 });
  return {
    async sendRound(topic, values) {
      await producer.sendBatch(topic, values.map((value) => ({ value })));
    },
    async sendOne(topic, value) {
      await immediate.send(topic, { value });
    },
    async consume(topic, onValue) {
      const consumer = client.consumer({ group: `bench-${topic}`, topics: [topic], from: 'earliest', maxWaitMs: 100 });
      await consumer.run(async (batch) => {
        for (const record of batch) {
          if (!onValue(record.value!)) {
            void consumer.close();
            return;
          }
        }
      });
    },
    close: () => client.close(),
  };
}

async function kafkajsClient(bootstrap: string): Promise<BenchClient> {
  const kafka = new kafkajs.Kafka({ clientId: 'bench-kafkajs', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const consumers: kafkajs.Consumer[] = [];
  return {
    async sendRound(topic, values) {
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    },
    async sendOne(topic, value) {
      await producer.send({ topic, acks: -1, messages: [{ value }] });
    },
    async consume(topic, onValue) {
      const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 100 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        let done = false;
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              if (done) return;
              for (const m of batch.messages) {
                if (!onValue(m.value!)) {
                  done = true;
                  resolve();
                  return;
                }
              }
            },
          })
          .catch(reject);
      });
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await producer.disconnect();
    },
  };
}

async function platformaticClient(bootstrap: string): Promise<BenchClient> {
  const common = { clientId: 'bench-platformatic', bootstrapBrokers: [bootstrap] };
  const producer = new PlatformaticProducer({ ...common, autocreateTopics: false });
  const consumers: PlatformaticConsumer<Buffer, Buffer, Buffer, Buffer>[] = [];
  return {
    async sendRound(topic, values) {
      await producer.send({ acks: ProduceAcks.ALL, messages: values.map((value) => ({ topic, value })) });
    },
    async sendOne(topic, value) {
      await producer.send({ acks: ProduceAcks.ALL, messages: [{ topic, value }] });
    },
    async consume(topic, onValue) {
      const consumer = new PlatformaticConsumer({ ...common, groupId: `bench-${topic}`, maxWaitTime: 100 });
      consumers.push(consumer);
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('data', (m) => {
          if (!onValue(m.value)) resolve();
        });
      });
      await stream.close();
    },
    async close() {
      await Promise.all(consumers.map((c) => c.close()));
      await producer.close();
    },
  };
}

const CLIENTS: Record<string, (bootstrap: string) => Promise<BenchClient>> = { sluice: sluiceClient, kafkajs: kafkajsClient, platformatic: platformaticClient };

function report(event: object): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Runs `work` between the start and done reports, with its wall and CPU time. */
async function measured(work: () => Promise<number[] | void>): Promise<void> {
  report({ event: 'start' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const latenciesMs = await work();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  report({ event: 'done', wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, latenciesMs: latenciesMs ?? undefined });
}

async function main(): Promise<void> {
  const [name, mode, bootstrap, topic, recordsArg, sizeArg] = process.argv.slice(2);
  const records = Number(recordsArg);
  const size = Number(sizeArg);
  const client = await CLIENTS[name](bootstrap);
  if (mode === 'produce') {
    const value = Buffer.alloc(size, 'x');
    await measured(async () => {
      const inFlight: Promise<void>[] = [];
      for (let sent = 0; sent < records; sent += ROUND) {
        inFlight.push(client.sendRound(topic, Array.from({ length: Math.min(ROUND, records - sent) }, () => value)));
        if (inFlight.length >= ROUNDS_IN_FLIGHT) await inFlight.shift();
      }
      await Promise.all(inFlight);
    });
  } else if (mode === 'consume') {
    await measured(async () => {
      let seen = 0;
      await client.consume(topic, () => ++seen < records);
    });
  } else {
    await measureLatency(client, topic, records, size);
  }
  await client.close();
}

/**
 * Pings until the consumer reads one (its group joined), then sends
 * `records` values at LATENCY_RATE and times each from send to receipt.
 * Byte 8 tells pings (0) from measured records (1).
 */
async function measureLatency(client: BenchClient, topic: string, records: number, size: number): Promise<void> {
  const latencies: number[] = [];
  let live!: () => void;
  const isLive = new Promise<void>((resolve) => (live = resolve));
  let allIn!: () => void;
  const allReceived = new Promise<void>((resolve) => (allIn = resolve));
  const reading = client.consume(topic, (value) => {
    if (value[8] === 0) {
      live();
      return true;
    }
    latencies.push(performance.now() - value.readDoubleBE(0));
    if (latencies.length < records) return true;
    allIn();
    return false;
  });
  const stamped = (kind: number) => {
    const value = Buffer.alloc(Math.max(size, 9));
    value.writeDoubleBE(performance.now(), 0);
    value[8] = kind;
    return value;
  };
  let pinging = true;
  void isLive.then(() => (pinging = false));
  while (pinging) {
    await client.sendOne(topic, stamped(0));
    await Promise.race([isLive, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  await measured(async () => {
    const start = performance.now();
    const acks: Promise<void>[] = [];
    for (let sent = 0; sent < records; ) {
      const due = Math.min(records, Math.floor(((performance.now() - start) / 1000) * LATENCY_RATE) + 1);
      for (; sent < due; sent++) acks.push(client.sendOne(topic, stamped(1)));
      // Sleep to the next millisecond tick rather than spin: the broker shares the cores.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(acks);
    await allReceived;
    return latencies;
  });
  await reading;
}

await main();
