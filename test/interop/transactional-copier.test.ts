// Exactly-once consume-transform-produce through kills: a kafkajs
// transactional copier (transactional-copier.ts, its own process) copies 300
// records from 3 partitions to an output topic, one transaction per fetched
// batch with the group's offsets in it. The test SIGKILLs it at points drawn
// from a seeded PRNG (after records were written into an open transaction,
// while EndTxn(commit) is on its way, or a short random delay after a commit)
// and restarts it, several times, then lets it finish. A read_committed read
// of the output must hold every input record's transform exactly once.
//
// The kill points are reached by waiting on the copier's own events, so the
// PRNG chooses where the kill lands, not how long the test sleeps.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startTestBroker } from '../helpers/broker.js';
import { defer } from '../helpers/broker-process.js';
import { prng } from '../helpers/seeded-random.js';

const { Kafka, logLevel } = kafkajs;

const COPIER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'transactional-copier.js');
const INPUT = 'copier-in';
const OUTPUT = 'copier-out';
const GROUP = 'copier';
const TXN_ID = 'copier-0';
const PARTITIONS = 3;
const RECORDS = 300;
const KILLS = 5;
const SESSION_TIMEOUT_MS = 1500;
/** Ceiling on every wait; a guard that fails the test, not a synchronisation. */
const WAIT_MS = 30_000;
const SEED = Number(process.env.SLUICE_COPIER_SEED ?? 20240611);

interface CopierEvent {
  event: 'ready' | 'sent' | 'committing' | 'committed';
  partition?: number;
  next?: number;
}

interface Copier {
  child: ChildProcess;
  /** Resolves at the first event after this call that satisfies `match`; rejects if the copier exits first. */
  waitFor(match: (e: CopierEvent) => boolean, what: string): Promise<CopierEvent>;
  exited: Promise<void>;
}

function startCopier(t: TestContext, bootstrap: string): Copier {
  const child = spawn(process.execPath, [COPIER, bootstrap, INPUT, OUTPUT, GROUP, TXN_ID, String(SESSION_TIMEOUT_MS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const waiters = new Set<(e: CopierEvent) => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as CopierEvent;
    for (const w of [...waiters]) w(e);
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  defer(t, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  return {
    child,
    exited,
    waitFor: (match, what) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`copier: no ${what} within ${WAIT_MS} ms\nstderr: ${stderr}`)), WAIT_MS);
        const onExit = () => done(new Error(`copier exited (code ${child.exitCode}, signal ${child.signalCode}) before ${what}\nstderr: ${stderr}`));
        const waiter = (e: CopierEvent) => {
          if (match(e)) done(null, e);
        };
        function done(err: Error | null, e?: CopierEvent) {
          clearTimeout(timer);
          waiters.delete(waiter);
          child.off('close', onExit);
          if (err) reject(err);
          else resolve(e!);
        }
        waiters.add(waiter);
        child.on('close', onExit);
      }),
  };
}

async function kill(copier: Copier): Promise<void> {
  copier.child.kill('SIGKILL');
  await copier.exited;
}

test('a transactional copier killed with SIGKILL at random points and restarted writes every record exactly once', { timeout: 90_000 }, async (t) => {
  defer(t, () => {});
  const broker = await startTestBroker(t, {
    offsetsTopicNumPartitions: 3,
    transactionStateNumPartitions: 3,
    groupMinSessionTimeoutMs: 500,
  });
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'copier-test', logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: INPUT, numPartitions: PARTITIONS }, { topic: OUTPUT, numPartitions: PARTITIONS }] });

  const input = kafka.producer();
  await input.connect();
  defer(t, () => input.disconnect());
  const inputs = Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: `record ${i}`, partition: i % PARTITIONS }));
  // Many small batches: a fetch returns whole batches, so this keeps each transaction small and the kill points many.
  for (let i = 0; i < RECORDS; i += 6) await input.send({ topic: INPUT, messages: inputs.slice(i, i + 6) });

  const random = prng(SEED);
  const kills: string[] = [];
  for (let k = 0; k < KILLS; k++) {
    const copier = startCopier(t, broker.bootstrap);
    // Let it commit 1-3 transactions first, so every run makes progress and the copy ends.
    const commits = 1 + Math.floor(random() * 3);
    let seen = 0;
    await copier.waitFor((e) => e.event === 'committed' && ++seen === commits, `${commits} commits`);
    const where = random();
    if (where < 0.35) {
      await copier.waitFor((e) => e.event === 'sent', 'records sent in a transaction');
      kills.push('after send');
    } else if (where < 0.7) {
      await copier.waitFor((e) => e.event === 'committing', 'a commit on its way');
      kills.push('during commit');
    } else {
      const delayMs = Math.floor(random() * 30);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      kills.push(`${delayMs} ms after a commit`);
    }
    await kill(copier);
  }

  // The last run copies the rest: it is done once the group's offsets reach the end of every input partition.
  const last = startCopier(t, broker.bootstrap);
  const ends = new Map((await admin.fetchTopicOffsets(INPUT)).map((o) => [o.partition, Number(o.high)]));
  const reached = new Map<number, number>();
  const atEnd = () => [...ends].every(([p, end]) => (reached.get(p) ?? -1) >= end);
  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [INPUT] });
  for (const p of committed[0].partitions) reached.set(p.partition, Number(p.offset));
  if (!atEnd()) {
    await last.waitFor((e) => {
      if (e.event === 'committed') reached.set(e.partition!, e.next!);
      return atEnd();
    }, 'the end of the input');
  }
  await kill(last);

  // A committed sentinel in every output partition: once a read_committed reader has seen all three, it has read everything before them.
  const marker = kafka.producer({ transactionalId: 'copier-sentinel', idempotent: true, maxInFlightRequests: 1 });
  await marker.connect();
  defer(t, () => marker.disconnect());
  const txn = await marker.transaction();
  await txn.send({ topic: OUTPUT, messages: Array.from({ length: PARTITIONS }, (_, p) => ({ value: 'sentinel', partition: p })) });
  await txn.commit();

  const reader = kafka.consumer({ groupId: 'copier-reader', readUncommitted: false, maxWaitTimeInMs: 50 });
  await reader.connect();
  defer(t, () => reader.disconnect());
  await reader.subscribe({ topic: OUTPUT, fromBeginning: true });
  const copies: string[] = [];
  const sentinels = new Set<number>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read_committed reader saw sentinels in ${[...sentinels]} only within ${WAIT_MS} ms`)), WAIT_MS);
    reader
      .run({
        eachMessage: async ({ partition, message }) => {
          const value = String(message.value);
          if (value === 'sentinel') sentinels.add(partition);
          else copies.push(`${String(message.key)}/${value}`);
          if (sentinels.size === PARTITIONS) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await reader.stop();

  const counts = new Map<string, number>();
  for (const c of copies) counts.set(c, (counts.get(c) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1);
  const expected = inputs.map((r) => `${r.key}/copy of ${r.value}`);
  const missing = expected.filter((e) => !counts.has(e));
  const context = `seed ${SEED}, kills: ${kills.join('; ')}`;
  t.diagnostic(context);
  assert.deepEqual(duplicates, [], `duplicates (${context})`);
  assert.deepEqual(missing, [], `missing (${context})`);
  assert.equal(copies.length, RECORDS, context);
});
