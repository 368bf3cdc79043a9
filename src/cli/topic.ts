// `sluice topic create|list|describe|alter|delete`: topic administration over
// the Kafka protocol (CreateTopics, Metadata, ListOffsets, DescribeConfigs,
// IncrementalAlterConfigs, DeleteTopics); `describe` also asks the broker's
// HTTP API for the corrupt offset ranges its storage found. Names and partition counts are validated by the broker, whose
// error (Kafka error name and reason) is printed as is; the client only
// rejects flag values it can judge alone, such as a partition count below 1.

import type { Command } from 'commander';
import { Admin } from '../client/admin.js';
import { collectKeyValue, collectString, integerArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { type HttpFlags, addHttpOptions, getFromHttpApi, httpApiNote } from './http-api.js';
import { formatJson, formatSection, formatTable, print } from './output.js';

interface OutputFlags extends ClientFlags {
  json?: boolean;
}

interface CreateFlags extends OutputFlags {
  partitions?: number;
  replicationFactor?: number;
  config?: [string, string][];
}

interface AlterFlags extends OutputFlags {
  config?: [string, string][];
  deleteConfig?: string[];
}

/** Kafka prints topic ids as unpadded URL-safe base64 (Uuid.toString); so do we, so ids can be compared across tools. */
function topicIdString(id: Buffer): string {
  return id.toString('base64url');
}

/** The one-row status table rpk prints after create and delete. */
function printStatus(flags: OutputFlags, topic: string): void {
  print(flags.json ? formatJson({ topic, status: 'OK' }) : formatTable(['TOPIC', 'STATUS'], [[topic, 'OK']]));
}

function addOutputOptions(cmd: Command): Command {
  return addBootstrapOption(cmd).option('--json', 'print JSON instead of a table', false);
}

function registerCreate(topic: Command): void {
  addOutputOptions(
    topic
      .command('create <name>')
      .description('create a topic')
      .option('-p, --partitions <n>', "number of partitions (default: the broker's num.partitions)", integerArg(1))
      .option('-r, --replication-factor <n>', 'copies of each partition, on as many brokers (default: 1)', integerArg(1))
      .option('-c, --config <key=value>', 'topic config, e.g. retention.ms=86400000 (repeatable)', collectKeyValue),
  )
    .addHelpText('after', '\nExamples:\n  sluice topic create orders -p 6 -c retention.ms=86400000 -c cleanup.policy=compact\n  sluice topic create payments -p 6 -r 3 -c min.insync.replicas=2')
    .action(async (name: string, flags: CreateFlags) => {
      const spec = { partitions: flags.partitions ?? -1, replicationFactor: flags.replicationFactor ?? -1, config: Object.fromEntries(flags.config ?? []) };
      await withClient(flags, (client) => new Admin(client).createTopic(name, spec));
      printStatus(flags, name);
    });
}

function registerList(topic: Command): void {
  addOutputOptions(topic.command('list').description('list topics').option('-i, --internal', 'include internal topics (names starting with __)', false)).action(
    async (flags: OutputFlags & { internal: boolean }) => {
      const topics = await withClient(flags, (client) => new Admin(client).listTopics());
      const shown = topics
        .filter((t) => flags.internal || !t.isInternal)
        .map((t) => ({ name: t.name, partitions: t.partitions.length, replicas: t.partitions[0]?.replicas.length ?? 0, internal: t.isInternal }));
      if (flags.json) print(formatJson(shown));
      else print(formatTable(['NAME', 'PARTITIONS', 'REPLICAS'], shown.map((t) => [t.name, t.partitions, t.replicas])));
    },
  );
}

/** Offsets of the batches that fail their CRC32C check, per partition, as GET /topics/{t} gives them. */
interface CorruptRangesAnswer {
  partitions: { partition: number; corruptRanges?: { baseOffset: number; lastOffset: number }[] }[];
}

/** Each partition's corrupt ranges from the HTTP API; null (and a note on stderr) when it cannot be asked. */
async function corruptRangesOf(flags: HttpFlags, name: string): Promise<Map<number, string[]> | null> {
  const answer = await getFromHttpApi<CorruptRangesAnswer>(flags, `/topics/${encodeURIComponent(name)}`);
  if (!answer.ok) {
    process.stderr.write(httpApiNote('corrupt offset ranges', answer.reason));
    return null;
  }
  return new Map(answer.body.partitions.map((p) => [p.partition, (p.corruptRanges ?? []).map((r) => `${r.baseOffset}-${r.lastOffset}`)]));
}

function registerDescribe(topic: Command): void {
  addHttpOptions(addOutputOptions(topic.command('describe <name>').description('show a topic: partitions with leader, offsets and corrupt offset ranges, then configs'))).action(
    async (name: string, flags: OutputFlags & HttpFlags) => {
      const d = await withClient(flags, (client) => new Admin(client).describeTopic(name));
      const corrupt = await corruptRangesOf(flags, name);
      const offsets = new Map(d.partitionOffsets.map((o) => [o.partition, o]));
      const partitions = d.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicas,
        isr: p.isr,
        logStartOffset: offsets.get(p.partition)?.logStartOffset ?? -1,
        logEndOffset: offsets.get(p.partition)?.logEndOffset ?? -1,
        // null: unknown (no HTTP API), [] none found.
        corruptRanges: corrupt ? (corrupt.get(p.partition) ?? []) : null,
      }));
      const configs = [...d.configs].sort((a, b) => a.name.localeCompare(b.name)).map((c) => ({ name: c.name, value: c.value, source: c.source }));
      if (flags.json) {
        print(formatJson({ name: d.name, topicId: topicIdString(d.topicId), internal: d.isInternal, partitions, configs }));
        return;
      }
      const summary = formatTable(null, [
        ['NAME', d.name],
        ['ID', topicIdString(d.topicId)],
        ['PARTITIONS', partitions.length],
        ['INTERNAL', d.isInternal],
      ]);
      const columns = ['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'LOG-START-OFFSET', 'LOG-END-OFFSET', ...(corrupt ? ['CORRUPT-OFFSETS'] : [])];
      const partitionTable = formatTable(
        columns,
        partitions.map((p) => [
          p.partition,
          p.leader,
          p.leaderEpoch,
          `[${p.replicas.join(',')}]`,
          `[${p.isr.join(',')}]`,
          p.logStartOffset,
          p.logEndOffset,
          ...(p.corruptRanges ? [p.corruptRanges.length > 0 ? p.corruptRanges.join(',') : null] : []),
        ]),
      );
      const configTable = formatTable(['KEY', 'VALUE', 'SOURCE'], configs.map((c) => [c.name, c.value, c.source]));
      print([formatSection('SUMMARY', summary), formatSection('PARTITIONS', partitionTable), formatSection('CONFIGS', configTable)].join('\n'));
    },
  );
}

function registerAlter(topic: Command): void {
  addOutputOptions(
    topic
      .command('alter <name>')
      .description('change topic configs while the broker runs')
      .option('-c, --config <key=value>', 'set a topic config (repeatable)', collectKeyValue)
      .option('-d, --delete-config <key>', 'remove a topic config, back to the broker default (repeatable)', collectString),
  )
    .addHelpText('after', '\nExample:\n  sluice topic alter orders -c retention.ms=3600000 -d max.message.bytes')
    .action(async (name: string, flags: AlterFlags, cmd: Command) => {
      if (!flags.config?.length && !flags.deleteConfig?.length) cmd.error('error: give at least one --config or --delete-config');
      await withClient(flags, (client) => new Admin(client).alterConfigs({ type: 'topic', name }, { set: Object.fromEntries(flags.config ?? []), delete: flags.deleteConfig }));
      printStatus(flags, name);
    });
}

function registerDelete(topic: Command): void {
  addOutputOptions(topic.command('delete <name>').description('delete a topic and all its records')).action(async (name: string, flags: OutputFlags) => {
    await withClient(flags, (client) => new Admin(client).deleteTopic(name));
    printStatus(flags, name);
  });
}

export function registerTopic(program: Command): void {
  const topic = program.command('topic').description('create, list, describe, alter and delete topics');
  registerCreate(topic);
  registerList(topic);
  registerDescribe(topic);
  registerAlter(topic);
  registerDelete(topic);
}
