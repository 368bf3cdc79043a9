// `npm run bench:groups`: how long a consumer group takes to (re)balance.
// BENCH_GROUP_MEMBERS GroupConsumers (default 50), in this process, each
// with its own connections, join one group on a topic of
// BENCH_GROUP_PARTITIONS partitions (default 100) served by a broker in a
// child process with its default config (group.initial.rebalance.delay.ms 0).
//
//   join:  from the first JoinGroup sent to the moment every member has its
//          partitions (SyncGroup answered) in one generation that covers every
//          partition. With no initial delay the first members form generations
//          of their own that the later ones break up, so this includes a few
//          rebalances; `generations` says how many.
//   leave: from one member starting to leave (LeaveGroup) to the others all
//          having their partitions in the next generation. Members learn of a
//          rebalance from their next heartbeat, so this is bounded below by
//          the heartbeat interval; `leaveSync` is the part after the first
//          member rejoined (JoinGroup → SyncGroup for everyone).
//
// Each round uses a new group; the run prints every round and the medians,
// writes bench/results/group-rebalance.json and appends a summary to
// bench/RESULTS.md. Options (env): BENCH_GROUP_MEMBERS, BENCH_GROUP_PARTITIONS,
// BENCH_GROUP_HEARTBEAT_MS (default 3000, Kafka's heartbeat.interval.ms),
// BENCH_GROUP_ROUNDS (default 3).

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Admin, GroupConsumer, KafkaClient, type TopicPartitions } from '../src/client/index.js';
import { groupConsumerChannel } from '../src/client/group-consumer.js';
import { startBrokerProcess } from './broker-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: number) => Number(process.env[name] ?? def);
const MEMBERS = env('BENCH_GROUP_MEMBERS', 50);
const PARTITIONS = env('BENCH_GROUP_PARTITIONS', 100);
const HEARTBEAT_MS = env('BENCH_GROUP_HEARTBEAT_MS', 3000);
const ROUNDS = env('BENCH_GROUP_ROUNDS', 3);
const TOPIC = 'bench-rebalance';

interface GroupEvent {
  event: 'join' | 'sync' | 'revoke' | 'leave';
  groupId: string;
  memberId: string;
  generationId: number;
  partitions?: TopicPartitions[];
}

interface Member {
  client: KafkaClient;
  consumer: GroupConsumer;
  stop(): Promise<void>;
}

interface RoundResult {
  round: number;
  joinMs: number;
  generations: number;
  leaveMs: number;
  leaveSyncMs: number;
}

/**
 * Watches one group's events and resolves when `members` all have their
 * partitions from one generation newer than `after` that covers every partition.
 */
class Settlement {
  /** memberId -> the generation and partition count of its last SyncGroup answer. */
  private readonly synced = new Map<string, { generation: number; partitions: number }>();
  private waiter: { members: Member[]; after: number; resolve(at: number): void } | null = null;
  firstJoinAfter: (since: number) => number | null;
  private readonly joins: number[] = [];

  constructor(readonly groupId: string) {
    this.firstJoinAfter = (since) => this.joins.find((at) => at >= since) ?? null;
  }

  readonly onEvent = (message: unknown): void => {
    const e = message as GroupEvent;
    if (e.groupId !== this.groupId) return;
    const now = performance.now();
    if (e.event === 'join') this.joins.push(now);
    if (e.event !== 'sync') return;
    this.synced.set(e.memberId, { generation: e.generationId, partitions: (e.partitions ?? []).reduce((n, tp) => n + tp.partitions.length, 0) });
    this.check(now);
  };

  until(members: Member[], after: number): Promise<number> {
    return new Promise((resolve) => {
      this.waiter = { members, after, resolve };
      this.check(performance.now());
    });
  }

  /** The generation the members settled on (-1 before). */
  generationOf(members: Member[]): number {
    return this.synced.get(members[0].consumer.memberId)?.generation ?? -1;
  }

  private check(now: number): void {
    const w = this.waiter;
    if (!w) return;
    const first = this.synced.get(w.members[0].consumer.memberId);
    if (!first || first.generation <= w.after) return;
    let total = 0;
    for (const m of w.members) {
      const s = this.synced.get(m.consumer.memberId);
      if (!s || s.generation !== first.generation || m.consumer.generationId !== first.generation) return;
      total += s.partitions;
    }
    if (total !== PARTITIONS) return;
    this.waiter = null;
    w.resolve(now);
  }
}

function startMember(bootstrap: string, groupId: string, index: number): Member {
  const client = new KafkaClient({ bootstrap, clientId: `bench-member-${index}` });
  const consumer = new GroupConsumer(client, { groupId, topics: [TOPIC], heartbeatIntervalMs: HEARTBEAT_MS, autoCommit: false, maxWaitMs: 500 });
  let running = true;
  const loop = (async () => {
    while (running) await consumer.poll();
  })();
  return {
    client,
    consumer,
    async stop() {
      running = false;
      consumer.wakeup();
      await loop;
      await consumer.close();
      await client.close();
    },
  };
}

async function runRound(bootstrap: string, round: number): Promise<RoundResult> {
  const settlement = new Settlement(`bench-group-${round}`);
  groupConsumerChannel.subscribe(settlement.onEvent);
  try {
    const members = Array.from({ length: MEMBERS }, (_, i) => startMember(bootstrap, settlement.groupId, i));
    const joined = await settlement.until(members, -1);
    const firstJoin = settlement.firstJoinAfter(0)!;
    const generation = settlement.generationOf(members);

    const leaving = members[0];
    const rest = members.slice(1);
    const leaveStart = performance.now();
    const [releft] = await Promise.all([settlement.until(rest, generation), leaving.stop()]);
    const rejoinStart = settlement.firstJoinAfter(leaveStart)!;
    await Promise.all(rest.map((m) => m.stop()));
    return {
      round,
      joinMs: Math.round(joined - firstJoin),
      generations: generation,
      leaveMs: Math.round(releft - leaveStart),
      leaveSyncMs: Math.round(releft - rejoinStart),
    };
  } finally {
    groupConsumerChannel.unsubscribe(settlement.onEvent);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-groups-'));
  const broker = await startBrokerProcess(path.join(work, 'data'), []);
  const results: RoundResult[] = [];
  try {
    const admin = new KafkaClient({ bootstrap: broker.bootstrap });
    await new Admin(admin).createTopic(TOPIC, PARTITIONS);
    await admin.close();
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await runRound(broker.bootstrap, round);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  } finally {
    await broker.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const summary = {
    joinMs: median(results.map((r) => r.joinMs)),
    leaveMs: median(results.map((r) => r.leaveMs)),
    leaveSyncMs: median(results.map((r) => r.leaveSyncMs)),
  };
  const settings = { members: MEMBERS, partitions: PARTITIONS, heartbeatIntervalMs: HEARTBEAT_MS, sessionTimeoutMs: 10_000, groupInitialRebalanceDelayMs: 0 };
  console.table(results);
  console.log(
    `${MEMBERS} members, ${PARTITIONS} partitions, heartbeat ${HEARTBEAT_MS} ms (median of ${ROUNDS}): ` +
      `join ${summary.joinMs} ms; rebalance after one leaves ${summary.leaveMs} ms, of which JoinGroup→SyncGroup ${summary.leaveSyncMs} ms`,
  );

  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/group-rebalance.json'), JSON.stringify({ ...meta, settings, rounds: results, median: summary }, null, 2) + '\n');
  fs.appendFileSync(
    path.join(ROOT, 'bench/RESULTS.md'),
    `\n## ${meta.date.slice(0, 10)} ${commit} group rebalance (${meta.node}, ${meta.cpus} cores)\n` +
      `- ${MEMBERS} members, ${PARTITIONS} partitions, heartbeat ${HEARTBEAT_MS} ms, median of ${ROUNDS}: join ${summary.joinMs} ms; ` +
      `one member leaves: ${summary.leaveMs} ms (JoinGroup→SyncGroup ${summary.leaveSyncMs} ms)\n`,
  );
}

await main();
