// `sluice produce TOPIC`: one record per stdin line, like
// kafka-console-producer: lines split at \n, \r\n or \r; an empty line in the
// middle is a record with an empty value; the newline that ends the input
// does not make an extra empty record. Lines are read as UTF-8 text.
//
// Records go through the Producer's batches (--batch-size bytes, --linger-ms)
// in input order; each record's partition is --partition, else murmur2 of its
// key, else the sticky partition (the Producer decides). Reading waits while
// the Producer's buffer is full. A summary goes to stderr so stdout stays free
// for pipes.

import readline from 'node:readline';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { KafkaClient } from '../client/kafka-client.js';
import { type Acks, Producer, type ProducerRecord } from '../client/producer.js';
import { SluiceError } from '../errors.js';
import { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/messages/api-versions.js';
import { Codec } from '../protocol/record-batch.js';
import type { RecordHeader } from '../protocol/records.js';
import { collectKeyValue, integerArg, nonEmptyArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';

export interface ProduceFlags extends ClientFlags {
  keySeparator?: string;
  partition?: number;
  header?: [string, string][];
  acks: Acks;
  compression: Codec;
  batchSize: number;
  lingerMs: number;
}

/** Input that cannot be turned into records (a line without the key separator). */
export class InputError extends SluiceError {
  constructor(message: string) {
    super('SLUICE_ERR_INPUT', message);
  }
}

const ACKS: Record<string, Acks> = { '0': 0, '1': 1, all: -1, '-1': -1 };
const CODECS: Record<string, Codec> = { none: Codec.None, gzip: Codec.Gzip, snappy: Codec.Snappy, lz4: Codec.Lz4, zstd: Codec.Zstd };

function choiceArg<T>(table: Record<string, T>): (value: string) => T {
  return (value) => {
    if (!Object.hasOwn(table, value)) throw new InvalidArgumentError(`allowed: ${Object.keys(table).join(', ')}.`);
    return table[value];
  };
}

/**
 * With acks=0 nothing confirms delivery, and closing the client could drop
 * requests still in the socket. The broker reads requests on a connection in
 * order, so an answered ApiVersions request on each leader's connection
 * proves it has read every Produce request written before it.
 */
async function awaitUnacknowledged(client: KafkaClient, topic: string): Promise<void> {
  const leaders = new Set((await client.topic(topic)).partitions.map((p) => p.leader));
  await Promise.all(
    [...leaders].map(async (leader) =>
      (await client.node(leader)).send({ request: ApiVersionsRequest, response: ApiVersionsResponse }, { clientSoftwareName: 'sluice', clientSoftwareVersion: '0.1.0' }),
    ),
  );
}

function toRecord(line: string, lineNumber: number, flags: ProduceFlags, headers: RecordHeader[]): ProducerRecord {
  let key: Buffer | null = null;
  let value = line;
  if (flags.keySeparator !== undefined) {
    const i = line.indexOf(flags.keySeparator);
    if (i < 0) throw new InputError(`line ${lineNumber} has no key separator ${JSON.stringify(flags.keySeparator)}; every line before it was sent`);
    key = Buffer.from(line.slice(0, i));
    value = line.slice(i + flags.keySeparator.length);
  }
  return { key, value: Buffer.from(value), headers, partition: flags.partition, timestamp: Date.now() };
}

/** Sends each stdin line to `topic` (see the top of this file); `sluice queue send` runs it too. */
export async function produce(client: KafkaClient, topic: string, flags: ProduceFlags): Promise<void> {
  // Asking for the topic first fails fast on an unreachable broker, before
  // the user types anything; like the Producer, it allows auto-creation.
  const info = await client.topic(topic, true);
  if (flags.partition !== undefined && flags.partition >= info.partitions.length) {
    throw new InputError(`topic '${topic}' has ${info.partitions.length} partition(s), 0 to ${info.partitions.length - 1}; there is no partition ${flags.partition}`);
  }
  const producer = new Producer(client, { acks: flags.acks, codec: flags.compression, batchBytes: flags.batchSize, lingerMs: flags.lingerMs });
  let sent = 0;
  let failure: Error | null = null;
  const delivered = () => sent++;
  const failed = (err: Error) => (failure ??= err);
  const headers = (flags.header ?? []).map(([key, value]) => ({ key, value: Buffer.from(value) }));
  const started = performance.now();
  // terminal: false leaves Ctrl-C to the terminal, which sends SIGINT (readline would swallow it).
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  // Ctrl-C ends the input like Ctrl-D: what was read is still sent. A second Ctrl-C kills.
  const onSigint = () => lines.close();
  process.once('SIGINT', onSigint);
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      if (failure) break;
      await producer.ready();
      producer.send(topic, toRecord(line, ++lineNumber, flags, headers)).then(delivered, failed);
    }
  } finally {
    // Send what preceded a bad line or a failure, then report it.
    lines.close();
    process.off('SIGINT', onSigint);
    await producer.close();
  }
  if (failure) throw failure;
  if (flags.acks === 0) await awaitUnacknowledged(client, topic);
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(sent / seconds) : sent;
  const what = flags.acks === 0 ? 'sent (acks=0: not acknowledged)' : 'produced';
  process.stderr.write(`${sent} record(s) ${what} to '${topic}' in ${seconds.toFixed(2)} s (${rate} records/s)\n`);
}

/** The options of `produce`, shared with `sluice queue send`. */
export function addProduceOptions(cmd: Command): Command {
  return addBootstrapOption(
    cmd
      .option('-k, --key-separator <sep>', 'split each line at the first <sep> into key and value (default: no key)', nonEmptyArg)
      .option('-p, --partition <n>', 'send every record to this partition (default: by key hash, else one partition per batch (sticky))', integerArg(0))
      .option('-H, --header <key=value>', 'header added to every record (repeatable)', collectKeyValue)
      .addOption(new Option('--acks <acks>', 'acknowledgement to wait for: 0, 1 or all').default(-1, 'all').argParser(choiceArg(ACKS)))
      .addOption(new Option('-z, --compression <codec>', 'none, gzip, snappy, lz4 or zstd').default(Codec.None, 'none').argParser(choiceArg(CODECS)))
      .addOption(new Option('--batch-size <bytes>', 'bytes per partition batch at most (as Kafka\'s batch.size)').default(16384).argParser(integerArg(1)))
      .addOption(new Option('--linger-ms <ms>', 'how long a partial batch waits for more lines').default(5).argParser(integerArg(0))),
  );
}

export function registerProduce(program: Command): void {
  addProduceOptions(program.command('produce <topic>').description('send each line of stdin as a record; a summary goes to stderr'))
    .addHelpText('after', "\nExamples:\n  printf 'k1:hello\\nk2:world\\n' | sluice produce orders -k :\n  sluice produce orders -H source=cli --acks 1 -z zstd < lines.txt")
    .action((topic: string, flags: ProduceFlags) => withClient(flags, (client) => produce(client, topic, flags)));
}
