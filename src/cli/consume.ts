// `sluice consume TOPIC`: prints records as they arrive, like
// kafka-console-consumer. Starts at the end of each partition unless told
// otherwise, reads every partition unless --partition, and follows new
// records until Ctrl-C (exit 0) or --max-messages. No consumer group: the
// partitions are assigned directly and nothing is committed.
//
// Once the start offsets are known, one line goes to stderr
// ("consuming 't' from partition:offset 0:5 ..."): from then on, every
// record produced is printed. Records go to stdout, nothing else does.

import { type Command, InvalidArgumentError, Option } from 'commander';
import { Admin, EARLIEST, LATEST } from '../client/admin.js';
import { AssignedConsumer, type ConsumedRecord } from '../client/consumer.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { ConfigError } from '../errors.js';
import { integerArg } from './arguments.js';
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
}

/** ISO 8601 (as Date.parse reads it) or plain milliseconds since the epoch. */
function timeArg(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidArgumentError('expected an ISO 8601 time such as 2026-01-31T12:00:00Z, or ms since the epoch.');
  return ms;
}

/** Compiled once here only to reject a bad template before connecting. */
function formatArg(value: string): string {
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

async function consume(client: KafkaClient, topic: string, flags: ConsumeFlags): Promise<void> {
  const info = await client.topic(topic);
  const all = info.partitions.map((p) => p.partition);
  if (flags.partition !== undefined && !all.includes(flags.partition)) {
    throw new ConfigError(`topic '${topic}' has ${all.length} partition(s), 0 to ${all.length - 1}; there is no partition ${flags.partition}`);
  }
  const partitions = flags.partition !== undefined ? [flags.partition] : all;
  const start = await startOffsets(new Admin(client), topic, partitions, flags);
  const format: (r: ConsumedRecord) => string = flags.json ? formatRecordJson : compileFormat(flags.format);
  const consumer = new AssignedConsumer(client, topic, start);

  // Ctrl-C, SIGTERM or a closed stdout (`| head`) end the run normally. A
  // waiting fetch is abandoned rather than awaited (the client is closed
  // right after), so Ctrl-C does not wait out the fetch's long poll.
  let stopping = false;
  let wake!: () => void;
  const stopped = new Promise<null>((resolve) => (wake = () => resolve(null)));
  const stop = () => {
    stopping = true;
    wake();
  };
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`error: cannot write to stdout: ${err.message}\n`);
    stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onStdoutError);
  process.stderr.write(`consuming '${topic}' from partition:offset ${[...start].map(([p, o]) => `${p}:${o}`).join(' ')}; Ctrl-C to stop\n`);

  let remaining = flags.maxMessages ?? Infinity;
  try {
    while (!stopping && remaining > 0) {
      const records = await Promise.race([consumer.poll(), stopped]);
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
      .option('--json', 'print one JSON object per record: topic, partition, offset, timestamp, key, value, headers (UTF-8 strings)'),
  )
    .addHelpText('after', "\nExamples:\n  sluice consume orders --from-beginning -n 10 -f '%p/%o %k=%v'\n  sluice consume orders --from-time 2026-01-31T12:00:00Z --json")
    .action(function (this: Command, topic: string, flags: ConsumeFlags) {
      // Kafka's console consumer has the same rule: one offset means one partition.
      if (flags.offset !== undefined && flags.partition === undefined) this.error('error: --offset needs --partition (an offset belongs to one partition)');
      return withClient(flags, (client) => consume(client, topic, flags));
    });
}
