// `sluice cluster reassign`: Kafka's kafka-reassign-partitions workflow over
// AlterPartitionReassignments / ListPartitionReassignments.
//
//   --generate --topics a,b --brokers 1,2,3   prints the current assignment and
//       a proposal spreading the topics' partitions over those brokers (same
//       replication factor, placed as the control plane places new topics)
//   --execute --reassignment-json-file plan.json   starts the moves; prints the
//       current assignment first, to keep for a rollback
//   --execute ... --throttle <bytes/s>   also throttles the replicas being added
//       (follower.replication.throttled.rate on the receiving brokers, the
//       topics' follower.replication.throttled.replicas)
//   --verify --reassignment-json-file plan.json    says, per partition, whether
//       its move is complete (exit 0, and the throttle is removed) or still in
//       progress (exit 1)
//
// The plan is Kafka's JSON: {"version":1,"partitions":[{"topic","partition","replicas"}]}.

import fs from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { Admin, type ClusterDescription } from '../client/admin.js';
import { assignReplicas } from '../cluster/replica-assignment.js';
import { SluiceError } from '../errors.js';
import { integerArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { formatJson, print } from './output.js';

interface PlanEntry {
  topic: string;
  partition: number;
  replicas: number[];
}

interface ReassignFlags extends ClientFlags {
  generate?: boolean;
  execute?: boolean;
  verify?: boolean;
  topics?: string[];
  brokers?: number[];
  reassignmentJsonFile?: string;
  throttle?: number;
}

function listArg(value: string): string[] {
  const items = value.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (items.length === 0) throw new InvalidArgumentError('must name at least one.');
  return items;
}

function brokerListArg(value: string): number[] {
  return listArg(value).map((x) => {
    const n = Number(x);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`"${x}" is not a broker id.`);
    return n;
  });
}

const THROTTLE_RATE = 'follower.replication.throttled.rate';
const THROTTLED_REPLICAS = 'follower.replication.throttled.replicas';

const planJson = (partitions: PlanEntry[]) => formatJson({ version: 1, partitions });

function currentPlan(d: ClusterDescription, topics: Set<string>): PlanEntry[] {
  return d.partitions.filter((p) => topics.has(p.topic)).map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas }));
}

/** Reads and checks a plan file: every entry names a topic, a partition and at least one broker. */
function readPlan(file: string): PlanEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_CONFIG', `cannot read the reassignment plan ${file}: ${(err as Error).message}`, { hint: 'write it as the output of --generate shows' });
  }
  const partitions = (parsed as { partitions?: unknown }).partitions;
  const valid = (e: unknown): e is PlanEntry => {
    const x = e as PlanEntry;
    return typeof x?.topic === 'string' && Number.isSafeInteger(x.partition) && Array.isArray(x.replicas) && x.replicas.length > 0 && x.replicas.every(Number.isSafeInteger);
  };
  if (!Array.isArray(partitions) || !partitions.every(valid)) {
    throw new SluiceError('SLUICE_ERR_CONFIG', `${file} is not a reassignment plan`, { hint: 'expected {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}' });
  }
  return partitions.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas }));
}

async function generate(flags: ReassignFlags): Promise<void> {
  if (!flags.topics || !flags.brokers) throw new SluiceError('SLUICE_ERR_CONFIG', '--generate needs --topics and --brokers', { hint: 'e.g. --generate --topics orders --brokers 1,2,3' });
  const topics = new Set(flags.topics);
  const d = await withClient(flags, (client) => new Admin(client).describeCluster());
  const current = currentPlan(d, topics);
  const missing = flags.topics.filter((t) => !current.some((p) => p.topic === t));
  if (missing.length > 0) throw new SluiceError('SLUICE_ERR_CONFIG', `unknown topic(s): ${missing.join(', ')}`);
  const racks = new Map(d.brokers.map((b) => [b.nodeId, b.rack]));
  const brokers = flags.brokers.map((nodeId) => ({ nodeId, rack: racks.get(nodeId) ?? null }));
  const proposed: PlanEntry[] = [];
  for (const topic of flags.topics) {
    const partitions = current.filter((p) => p.topic === topic);
    const factor = partitions[0].replicas.length;
    if (factor > brokers.length) throw new SluiceError('SLUICE_ERR_CONFIG', `${topic} has ${factor} replicas per partition but only ${brokers.length} broker(s) were given`);
    const replicas = assignReplicas(brokers, partitions.length, factor, 0);
    partitions.forEach((p, i) => proposed.push({ topic, partition: p.partition, replicas: replicas[i] }));
  }
  print(`Current partition replica assignment\n${planJson(current)}\nProposed partition reassignment configuration\n${planJson(proposed)}`);
}

async function execute(flags: ReassignFlags, file: string): Promise<void> {
  const plan = readPlan(file);
  await withClient(flags, async (client) => {
    const admin = new Admin(client);
    const d = await admin.describeCluster();
    print(`Current partition replica assignment\n${planJson(currentPlan(d, new Set(plan.map((p) => p.topic))))}\nSave this to use as the --reassignment-json-file option during rollback\n`);
    if (flags.throttle !== undefined) await setThrottle(admin, d, plan, flags.throttle);
    await admin.alterPartitionReassignments(plan);
  });
  if (flags.throttle !== undefined) print(`The replicas being added fetch at most ${flags.throttle} bytes/s per broker until --verify sees the moves complete.\n`);
  print(`Successfully started partition reassignment${plan.length === 1 ? '' : 's'} for ${plan.map((p) => `${p.topic}-${p.partition}`).join(',')}\n`);
}

/** The throttle of Kafka's tool: a rate on the brokers that receive replicas, and each topic's list of the replicas being added. */
async function setThrottle(admin: Admin, d: ClusterDescription, plan: PlanEntry[], rate: number): Promise<void> {
  const adding = new Map<string, string[]>();
  for (const p of plan) {
    const now = d.partitions.find((x) => x.topic === p.topic && x.partition === p.partition)?.replicas ?? [];
    const pairs = p.replicas.filter((b) => !now.includes(b)).map((b) => `${p.partition}:${b}`);
    adding.set(p.topic, [...(adding.get(p.topic) ?? []), ...pairs]);
  }
  const receivers = new Set(plan.flatMap((p) => p.replicas));
  for (const id of receivers) await admin.alterConfigs({ type: 'broker', name: String(id) }, { set: { [THROTTLE_RATE]: String(rate) } });
  for (const [topic, pairs] of adding) {
    if (pairs.length > 0) await admin.alterConfigs({ type: 'topic', name: topic }, { set: { [THROTTLED_REPLICAS]: pairs.join(',') } });
  }
}

/** Removes what setThrottle set, from every broker and every topic of the plan. */
async function removeThrottle(admin: Admin, d: ClusterDescription, plan: PlanEntry[]): Promise<void> {
  for (const b of d.brokers) await admin.alterConfigs({ type: 'broker', name: String(b.nodeId) }, { delete: [THROTTLE_RATE] });
  for (const topic of new Set(plan.map((p) => p.topic))) await admin.alterConfigs({ type: 'topic', name: topic }, { delete: [THROTTLED_REPLICAS] });
}

async function verify(flags: ReassignFlags, file: string): Promise<void> {
  const plan = readPlan(file);
  const pending = await withClient(flags, async (client) => {
    const admin = new Admin(client);
    const [ongoing, d] = await Promise.all([admin.listPartitionReassignments(null), admin.describeCluster()]);
    let incomplete = 0;
    for (const p of plan) {
      const running = ongoing.some((o) => o.topic === p.topic && o.partition === p.partition);
      const now = d.partitions.find((x) => x.topic === p.topic && x.partition === p.partition);
      const done = !running && now !== undefined && now.replicas.join() === p.replicas.join();
      if (!done) incomplete++;
      const state = done ? 'is completed' : running ? 'is still in progress' : `is not running, and the partition has replicas [${now?.replicas.join(',') ?? ''}]`;
      print(`Reassignment of partition ${p.topic}-${p.partition} ${state}.\n`);
    }
    if (incomplete === 0) {
      await removeThrottle(admin, d, plan);
      print('Throttle was removed.\n');
    }
    return incomplete;
  });
  if (pending > 0) process.exitCode = 1;
}

export function registerReassign(cluster: Command): void {
  addBootstrapOption(
    cluster
      .command('reassign')
      .description('move partition replicas between brokers (generate a plan, execute it, verify it)')
      .option('--generate', 'propose a plan that spreads --topics over --brokers')
      .option('--execute', 'start the moves of --reassignment-json-file')
      .option('--verify', 'tell whether the moves of --reassignment-json-file are complete (exit 1 while any is not)')
      .option('--topics <names>', 'topics to move, comma-separated (with --generate)', listArg)
      .option('--brokers <ids>', 'brokers to place them on, comma-separated (with --generate)', brokerListArg)
      .option('--reassignment-json-file <file>', 'the plan, as --generate prints it (with --execute and --verify)')
      .option('--throttle <bytes/s>', 'with --execute: the most bytes per second each broker fetches for the replicas it receives; --verify removes it once the moves are complete', integerArg(1)),
  )
    .addHelpText('after', '\nExample:\n  sluice cluster reassign --generate --topics orders --brokers 2,3,4 > plan.txt\n  sluice cluster reassign --execute --reassignment-json-file plan.json\n  sluice cluster reassign --verify --reassignment-json-file plan.json')
    .action(async (flags: ReassignFlags) => {
      const modes = [flags.generate, flags.execute, flags.verify].filter(Boolean).length;
      if (modes !== 1) throw new SluiceError('SLUICE_ERR_CONFIG', 'give exactly one of --generate, --execute, --verify');
      if (flags.generate) return generate(flags);
      const file = flags.reassignmentJsonFile;
      if (!file) throw new SluiceError('SLUICE_ERR_CONFIG', `--${flags.execute ? 'execute' : 'verify'} needs --reassignment-json-file`);
      return flags.execute ? execute(flags, file) : verify(flags, file);
    });
}
