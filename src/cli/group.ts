// `sluice group list|describe|reset-offsets|delete`: consumer groups, as
// kafka-consumer-groups and rpk group show them. describe reports each
// partition's committed offset, log end offset and lag with the member that
// owns it (src/client/group-lag.ts computes the figures); reset-offsets
// commits new offsets for a topic, which Kafka allows only while the group
// has no members, so a running consumer cannot overwrite them a moment later.

import { type Command, Option } from 'commander';
import { Admin, EARLIEST, LATEST } from '../client/admin.js';
import { KafkaError } from '../client/client-error.js';
import { describeGroupLag } from '../client/group-lag.js';
import { SluiceError } from '../errors.js';
import { ErrorCode, errorName } from '../protocol/error-codes.js';
import { integerArg, nonEmptyArg, timeArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { formatJson, formatTable, print } from './output.js';

interface OutputFlags extends ClientFlags {
  json?: boolean;
}

interface ResetFlags extends OutputFlags {
  topic: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: number;
  toTime?: number;
  dryRun?: boolean;
}

/** A group operation the group's state does not allow (reset or delete while it has members). */
export class GroupStateError extends SluiceError {
  constructor(message: string) {
    super('SLUICE_ERR_GROUP_ACTIVE', message);
  }
}

function addOutputOptions(cmd: Command): Command {
  return addBootstrapOption(cmd).option('--json', 'print JSON instead of a table', false);
}

function activeGroupError(groupId: string, action: string, members: number, state: string): GroupStateError {
  const who = members === 1 ? '1 member' : `${members} members`;
  return new GroupStateError(
    `cannot ${action} group '${groupId}': it has ${who} (state ${state}); Kafka allows this only while a group is empty. Stop its consumers (they leave the group when they exit), then run this again`,
  );
}

function registerList(group: Command): void {
  addOutputOptions(group.command('list').description('list consumer groups with their state')).action(async (flags: OutputFlags) => {
    const groups = await withClient(flags, (client) => new Admin(client).listGroups());
    if (flags.json) print(formatJson(groups));
    else print(formatTable(['GROUP', 'STATE', 'PROTOCOL-TYPE'], groups.map((g) => [g.groupId, g.state || null, g.protocolType || null])));
  });
}

function registerDescribe(group: Command): void {
  addOutputOptions(group.command('describe <group>').description("show a group's members and, per partition, committed offset, log end offset and lag"))
    .addHelpText('after', "\nCURRENT-OFFSET is the group's committed offset ('-': none yet); LAG is LOG-END-OFFSET minus it.\n\nExample:\n  sluice group describe billing")
    .action(async (groupId: string, flags: OutputFlags) => {
      const lag = await withClient(flags, (client) => describeGroupLag(new Admin(client), groupId));
      if (!lag) throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, 'no members and no committed offsets', `describe group '${groupId}'`);
      if (flags.json) {
        print(formatJson(lag));
        return;
      }
      const summary = formatTable(null, [
        ['GROUP', lag.groupId],
        ['STATE', lag.state],
        ['PROTOCOL', lag.protocol || null],
        ['MEMBERS', lag.members],
        ['TOTAL-LAG', lag.totalLag],
      ]);
      const rows = [
        ...lag.partitions.map((p) => [p.topic, p.partition, p.currentOffset, p.logEndOffset, p.lag, p.memberId, p.host, p.clientId]),
        ...lag.idleMembers.map((m) => [null, null, null, null, null, m.memberId, m.host, m.clientId]),
      ];
      print(summary + '\n' + formatTable(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], rows));
    });
}

/** The new offset of each partition of the topic, by the --to-* flag; --to-offset is clamped into the log, as Kafka does. */
async function targetOffsets(admin: Admin, topic: string, partitions: number[], flags: ResetFlags): Promise<Map<number, number>> {
  if (flags.toEarliest) return new Map([...(await admin.listOffsets(topic, partitions, EARLIEST))].map(([p, o]) => [p, o.offset]));
  const latest = await admin.listOffsets(topic, partitions, LATEST);
  if (flags.toLatest) return new Map([...latest].map(([p, o]) => [p, o.offset]));
  if (flags.toOffset !== undefined) {
    const earliest = await admin.listOffsets(topic, partitions, EARLIEST);
    return new Map(partitions.map((p) => [p, Math.min(Math.max(flags.toOffset!, earliest.get(p)!.offset), latest.get(p)!.offset)]));
  }
  // By time: the first record at or after it; the end when there is none (-1).
  const byTime = await admin.listOffsets(topic, partitions, flags.toTime!);
  return new Map(partitions.map((p) => [p, byTime.get(p)!.offset < 0 ? latest.get(p)!.offset : byTime.get(p)!.offset]));
}

async function resetOffsets(admin: Admin, groupId: string, flags: ResetFlags): Promise<{ partition: number; priorOffset: number | null; newOffset: number }[]> {
  const [group] = await admin.describeGroups([groupId]);
  if (group.members.length > 0 || (group.state !== 'Empty' && group.state !== 'Dead')) throw activeGroupError(groupId, 'reset offsets of', group.members.length, group.state);
  const partitions = (await admin.client.topic(flags.topic)).partitions.map((p) => p.partition);
  const [targets, prior] = await Promise.all([targetOffsets(admin, flags.topic, partitions, flags), admin.fetchOffsets(groupId, [{ topic: flags.topic, partitions }])]);
  const plan = partitions.map((p) => {
    const before = prior.find((c) => c.partition === p)?.offset ?? -1;
    return { partition: p, priorOffset: before < 0 ? null : before, newOffset: targets.get(p)! };
  });
  if (flags.dryRun) return plan;
  try {
    await admin.commitOffsets(groupId, plan.map((p) => ({ topic: flags.topic, partition: p.partition, offset: p.newOffset })));
  } catch (err) {
    // A consumer joined between the check and the commit: the coordinator refuses a memberless commit then.
    if (err instanceof KafkaError && (err.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || err.errorCode === ErrorCode.REBALANCE_IN_PROGRESS)) {
      const [now] = await admin.describeGroups([groupId]);
      throw activeGroupError(groupId, 'reset offsets of', now.members.length, now.state);
    }
    throw err;
  }
  return plan;
}

function registerResetOffsets(group: Command): void {
  addOutputOptions(
    group
      .command('reset-offsets <group>')
      .description("set a group's committed offsets on a topic (only while the group has no members)")
      .requiredOption('-t, --topic <topic>', 'the topic whose offsets to reset (every partition)', nonEmptyArg)
      .addOption(new Option('--to-earliest', 'the first offset still in each partition').conflicts(['toLatest', 'toOffset', 'toTime']))
      .addOption(new Option('--to-latest', 'the end of each partition (skip everything there now)').conflicts(['toOffset', 'toTime']))
      .addOption(new Option('--to-offset <n>', 'this offset in every partition, clamped into each log').argParser(integerArg(0)).conflicts('toTime'))
      .addOption(new Option('--to-time <time>', 'the first record at or after this time (ISO 8601 or ms); the end if none').argParser(timeArg))
      .option('--dry-run', 'print the new offsets without committing them', false),
  )
    .addHelpText('after', '\nExamples:\n  sluice group reset-offsets billing -t orders --to-earliest --dry-run\n  sluice group reset-offsets billing -t orders --to-time 2026-01-31T12:00:00Z')
    .action(async function (this: Command, groupId: string, flags: ResetFlags) {
      if ([flags.toEarliest, flags.toLatest, flags.toOffset, flags.toTime].every((f) => f === undefined)) {
        this.error('error: say where to: --to-earliest, --to-latest, --to-offset <n> or --to-time <time>');
      }
      const plan = await withClient(flags, (client) => resetOffsets(new Admin(client), groupId, flags));
      if (flags.json) print(formatJson({ group: groupId, topic: flags.topic, dryRun: Boolean(flags.dryRun), partitions: plan }));
      else print(formatTable(['TOPIC', 'PARTITION', 'PRIOR-OFFSET', 'NEW-OFFSET'], plan.map((p) => [flags.topic, p.partition, p.priorOffset, p.newOffset])));
      if (flags.dryRun) process.stderr.write('dry run: nothing was committed\n');
    });
}

function registerDelete(group: Command): void {
  addOutputOptions(group.command('delete <group...>').description('delete groups without members, with their committed offsets')).action(
    async (groupIds: string[], flags: OutputFlags) => {
      const results = await withClient(flags, (client) => new Admin(client).deleteGroups(groupIds));
      const status = results.map((r) => ({ group: r.groupId, status: r.errorCode === ErrorCode.NONE ? 'OK' : errorName(r.errorCode) }));
      if (flags.json) print(formatJson(status));
      else print(formatTable(['GROUP', 'STATUS'], status.map((s) => [s.group, s.status])));
      const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
      for (const f of failed) {
        const why =
          f.errorCode === ErrorCode.NON_EMPTY_GROUP
            ? 'it has members; stop its consumers, then run this again'
            : f.errorCode === ErrorCode.GROUP_ID_NOT_FOUND
              ? 'no such group (`sluice group list` shows the groups)'
              : errorName(f.errorCode);
        process.stderr.write(`error: group '${f.groupId}' was not deleted: ${why}\n`);
      }
      if (failed.length > 0) process.exitCode = 1;
    },
  );
}

export function registerGroup(program: Command): void {
  const group = program.command('group').description('list, describe (lag), reset offsets of and delete consumer groups');
  registerList(group);
  registerDescribe(group);
  registerResetOffsets(group);
  registerDelete(group);
}
