// `sluice consume TOPIC`: prints records as they arrive, like
// kafka-console-consumer. Starts at the end of each partition unless told
// otherwise, reads every partition unless --partition, and follows new
// records until Ctrl-C (exit 0) or --max-messages. Without --group the
// partitions are assigned directly and nothing is committed; with --group the
// process is a member of that consumer group (see consumeInGroup).
//
// Once the start offsets are known, one line goes to stderr
// ("consuming 't' from partition:offset 0:5 ..."; in a group, one after each
// rebalance): from then on, every record produced is printed. Records go to
// stdout, nothing else does.

import { type Command, Option } from 'commander';
import { Admin, EARLIEST, LATEST } from '../client/admin.js';
import { AssignedConsumer, type ConsumedRecord } from '../client/consumer.js';
import { GroupConsumer } from '../client/group-consumer.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { ConfigError } from '../errors.js';
import { integerArg, nonEmptyArg, timeArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { compileFormat, formatRecordJson } from './record-format.js';

interface ConsumeFlags extends ClientFlags {
  fromBeginning?: boolean;
  offset?: number;
  fromTime?: number;
  partition?: number;
  maxMessages?: number;
  format: string;
  json?: boolean;
  group?: string;
  commitIntervalMs: number;
}

/** How records are printed; `sluice queue receive` shares these flags. */
export type PrintFlags = Pick<ConsumeFlags, 'maxMessages' | 'format' | 'json'>;

/** Compiled once here only to reject a bad template before connecting. */
export function formatArg(value: string): string {
  compileFormat(value);
  return value;
}

/** Where each partition starts, by the flags; throws ConfigError for an --offset outside the log. */
async function startOffsets(admin: Admin, topic: string, partitions: number[], flags: ConsumeFlags): Promise<Map<number, number>> {
  if (flags.offset !== undefined) {
    const offset = flags.offset;
    const [earliest, latest] = await Promise.all([admin.listOffsets(topic, partitions, EARLIEST), admin.listOffsets(topic, partitions, LATEST)]);
    for (const p of partitions) {
      const start = earliest.get(p)?.offset ?? 0;
      const end = latest.get(p)?.offset ?? 0;
      if (offset < start || offset > end) throw new ConfigError(`--offset ${offset} is outside ${topic}-${p}, which holds offsets ${start} to ${end} (log end)`);
    }
    return new Map(partitions.map((p) => [p, offset]));
  }
  const timestamp = flags.fromBeginning ? EARLIEST : (flags.fromTime ?? LATEST);
  const found = await admin.listOffsets(topic, partitions, timestamp);
  // By timestamp, -1 means no record at or after that time: start at the end.
  const latest = flags.fromTime !== undefined && [...found.values()].some((f) => f.offset === -1) ? await admin.listOffsets(topic, partitions, LATEST) : found;
  return new Map(partitions.map((p) => [p, found.get(p)?.offset === -1 ? (latest.get(p)?.offset ?? 0) : (found.get(p)?.offset ?? 0)]));
}

/** Resolves once `text` is handed to the OS, so output is complete before exit and a slow reader slows the fetches. */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

/**
 * Prints what `poll` returns (at most `max` records a call; null ends the
 * run) until --max-messages, Ctrl-C, SIGTERM or a closed stdout (`| head`),
 * which end the run normally: `interrupt` makes a waiting poll return at once,
 * so Ctrl-C does not wait out a fetch's long poll.
 */
export async function printRecords(poll: (max: number) => Promise<ConsumedRecord[] | null>, interrupt: () => void, flags: PrintFlags): Promise<void> {
  const format: (r: ConsumedRecord) => string = flags.json ? formatRecordJson : compileFormat(flags.format);
  let stopping = false;
  const stop = () => {
    stopping = true;
    interrupt();
  };
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`error: cannot write to stdout: ${err.message}\n`);
    stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onStdoutError);
  let remaining = flags.maxMessages ?? Infinity;
  try {
    while (!stopping && remaining > 0) {
      const records = await poll(remaining);
      if (records === null) break;
      if (records.length === 0) continue;
      const shown = records.slice(0, remaining);
      remaining -= shown.length;
      let text = '';
      for (const r of shown) text += format(r) + '\n';
      await writeOut(text);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stdout.off('error', onStdoutError);
  }
}

/** Reads the partitions directly: nothing is committed. A fetch still waiting when the run ends is abandoned (the client closes right after). */
async function consumeAssigned(client: KafkaClient, topic: string, all: number[], flags: ConsumeFlags): Promise<void> {
  if (flags.partition !== undefined && !all.includes(flags.partition)) {
    throw new ConfigError(`topic '${topic}' has ${all.length} partition(s), 0 to ${all.length - 1}; there is no partition ${flags.partition}`);
  }
  const partitions = flags.partition !== undefined ? [flags.partition] : all;
  const start = await startOffsets(new Admin(client), topic, partitions, flags);
  const consumer = new AssignedConsumer(client, topic, start);
  let wake!: () => void;
  const stopped = new Promise<null>((resolve) => (wake = () => resolve(null)));
  process.stderr.write(`consuming '${topic}' from partition:offset ${formatStarts(start)}; Ctrl-C to stop\n`);
  await printRecords(() => Promise.race([consumer.poll(), stopped]), () => wake(), flags);
}

/**
 * As a member of group --group: partitions come from the group's assignor,
 * each starts at the group's committed offset (else --from-beginning or the
 * end), and the offsets of printed records are committed every
 * --commit-interval-ms and when the run ends (then the member leaves the
 * group, so the others take its partitions at once).
 */
async function consumeInGroup(client: KafkaClient, topic: string, groupId: string, flags: ConsumeFlags): Promise<void> {
  const consumer = new GroupConsumer(client, {
    groupId,
    topics: [topic],
    autoOffsetReset: flags.fromBeginning ? 'earliest' : 'latest',
    autoCommitIntervalMs: flags.commitIntervalMs,
    onAssigned: (assigned, generation) => {
      const starts = assigned.length === 0 ? 'no partition (other members hold them all)' : `partition:offset ${formatStarts(new Map(assigned.map((a) => [a.partition, a.offset])))}`;
      process.stderr.write(`consuming '${topic}' in group '${groupId}' (generation ${generation}) from ${starts}; Ctrl-C to stop\n`);
    },
  });
  try {
    await printRecords((max) => consumer.poll(max), () => consumer.wakeup(), flags);
  } finally {
    await consumer.close();
  }
}

function formatStarts(start: Map<number, number>): string {
  return [...start].map(([p, o]) => `${p}:${o}`).join(' ');
}

async function consume(client: KafkaClient, topic: string, flags: ConsumeFlags): Promise<void> {
  const info = await client.topic(topic);
  if (flags.group !== undefined) return consumeInGroup(client, topic, flags.group, flags);
  return consumeAssigned(client, topic, info.partitions.map((p) => p.partition), flags);
}

export function registerConsume(program: Command): void {
  addBootstrapOption(
    program
      .command('consume <topic>')
      .description('print records of a topic, one per line, following new ones until Ctrl-C (default start: the end of each partition)')
      .addOption(new Option('--from-beginning', 'start at the first record of each partition').conflicts(['offset', 'fromTime']))
      .addOption(new Option('--offset <n>', 'start at this offset (needs --partition)').argParser(integerArg(0)).conflicts('fromTime'))
      .addOption(new Option('--from-time <time>', 'start at the first record at or after this time (ISO 8601 or ms); the end if none').argParser(timeArg))
      .option('-p, --partition <n>', 'read only this partition (default: all)', integerArg(0))
      .option('-n, --max-messages <n>', 'exit after printing this many records (default: no limit)', integerArg(1))
      .addOption(new Option('-f, --format <template>', 'per-record template: %k key, %v value, %t topic, %p partition, %o offset, %T timestamp ms, %h headers k=v,k=v, %% percent; \\n \\t \\\\ escapes; a newline follows each record').default('%v').argParser(formatArg).conflicts('json'))
      .option('--json', 'print one JSON object per record: topic, partition, offset, timestamp, key, value, headers (UTF-8 strings)')
      .addOption(
        new Option('-g, --group <id>', "join this consumer group: share the partitions with its other members, start at its committed offsets (else --from-beginning or the end), commit what is printed")
          .argParser(nonEmptyArg)
          .conflicts(['offset', 'fromTime', 'partition']),
      )
      .option('--commit-interval-ms <ms>', 'with --group: commit printed offsets this often, and on exit', integerArg(1), 5000),
  )
    .addHelpText(
      'after',
      "\nExamples:\n  sluice consume orders --from-beginning -n 10 -f '%p/%o %k=%v'\n  sluice consume orders --from-time 2026-01-31T12:00:00Z --json\n  sluice consume orders --group billing --from-beginning",
    )
    .action(function (this: Command, topic: string, flags: ConsumeFlags) {
      // Kafka's console consumer has the same rule: one offset means one partition.
      if (flags.offset !== undefined && flags.partition === undefined) this.error('error: --offset needs --partition (an offset belongs to one partition)');
      return withClient(flags, (client) => consume(client, topic, flags));
    });
}
