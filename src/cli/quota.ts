// `sluice quota set|remove|list`: client quotas through the Kafka protocol
// (AlterClientQuotas, DescribeClientQuotas), as kafka-configs.sh --alter
// --entity-type users --entity-name alice --add-config producer_byte_rate=...
// does. An entity is named by --user, --client-id (together: that user with
// that client id) or --ip; --default <type> names that type's default entity
// (Kafka's <default>) instead, e.g. `--default user` or `--user alice --default client-id`.

import { type Command, InvalidArgumentError } from 'commander';
import { Admin, type ClientQuotaEntity, type ClientQuotaFilter } from '../client/admin.js';
import { collectString, nonEmptyArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { formatJson, formatTable, print } from './output.js';

const ENTITY_TYPES = ['user', 'client-id', 'ip'] as const;

/** Quota flags and the Kafka key each sets. */
const RATE_FLAGS = [
  { flag: '--producer-byte-rate <bytes>', option: 'producerByteRate', key: 'producer_byte_rate', help: 'bytes per second of Produce requests (user, client id)' },
  { flag: '--consumer-byte-rate <bytes>', option: 'consumerByteRate', key: 'consumer_byte_rate', help: 'bytes per second of Fetch responses (user, client id)' },
  { flag: '--request-percentage <percent>', option: 'requestPercentage', key: 'request_percentage', help: "share of the broker's request handling time per second, 100 = all of it (user, client id)" },
  { flag: '--connection-creation-rate <n>', option: 'connectionCreationRate', key: 'connection_creation_rate', help: 'new connections per second (ip)' },
] as const;

interface EntityFlags extends ClientFlags {
  user?: string;
  clientId?: string;
  ip?: string;
  default?: string[];
}

type SetFlags = EntityFlags & Partial<Record<(typeof RATE_FLAGS)[number]['option'], number>> & { validateOnly: boolean };

function positiveNumberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0.');
  return n;
}

function entityTypeArg(value: string, previous: string[] | undefined): string[] {
  if (!(ENTITY_TYPES as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${ENTITY_TYPES.join(', ')}.`);
  return collectString(value, previous);
}

function addEntityOptions(cmd: Command, verb: string): Command {
  return addBootstrapOption(cmd)
    .option('--user <name>', `${verb} the quotas of this user`, nonEmptyArg)
    .option('--client-id <id>', `${verb} the quotas of this client id (with --user: of that user with it)`, nonEmptyArg)
    .option('--ip <address>', `${verb} the quotas of this client address`, nonEmptyArg)
    .option('--default <type>', `${verb} the default entity of a type (user, client-id, ip) instead of a named one (repeatable)`, entityTypeArg);
}

/** The entity the flags name; a usage error (via `cmd.error`) when they name none or an impossible one. */
function entityOf(flags: EntityFlags, cmd: Command): ClientQuotaEntity {
  const entity: ClientQuotaEntity = {};
  const named: Record<string, string | undefined> = { user: flags.user, 'client-id': flags.clientId, ip: flags.ip };
  for (const type of ENTITY_TYPES) if (named[type] !== undefined) entity[type] = named[type] as string;
  for (const type of flags.default ?? []) {
    if (type in entity) cmd.error(`error: --${type} and --default ${type} name two ${type} entities; give one of them`);
    entity[type] = null;
  }
  if (Object.keys(entity).length === 0) cmd.error('error: name an entity with --user, --client-id, --ip or --default <type>');
  if ('ip' in entity && Object.keys(entity).length > 1) cmd.error('error: an ip quota stands alone: --ip (or --default ip) cannot go with --user or --client-id');
  return entity;
}

const describeEntity = (entity: ClientQuotaEntity) =>
  Object.entries(entity)
    .map(([type, name]) => `${type}=${name ?? '<default>'}`)
    .join(',');

function registerSet(quota: Command): void {
  const cmd = addEntityOptions(quota.command('set').description('set client quotas of an entity'), 'set');
  for (const r of RATE_FLAGS) cmd.option(r.flag, r.help, positiveNumberArg);
  cmd
    .option('--validate-only', 'have the broker check the change without making it', false)
    .addHelpText('after', '\nExamples:\n  sluice quota set --user alice --producer-byte-rate 1048576\n  sluice quota set --default client-id --consumer-byte-rate 2097152\n  sluice quota set --user alice --client-id app --request-percentage 25\n  sluice quota set --default ip --connection-creation-rate 10')
    .action(async (flags: SetFlags, command: Command) => {
      const entity = entityOf(flags, command);
      const set = Object.fromEntries(RATE_FLAGS.filter((r) => flags[r.option] !== undefined).map((r) => [r.key, flags[r.option] as number]));
      if (Object.keys(set).length === 0) command.error(`error: give at least one of ${RATE_FLAGS.map((r) => r.flag.split(' ')[0]).join(', ')}`);
      await withClient(flags, (client) => new Admin(client).alterClientQuotas([{ entity, set }], flags.validateOnly));
      print(formatTable(['ENTITY', 'QUOTA', 'VALUE', 'STATUS'], Object.entries(set).map(([key, value]) => [describeEntity(entity), key, value, flags.validateOnly ? 'VALID' : 'SET'])));
    });
}

function registerRemove(quota: Command): void {
  addEntityOptions(quota.command('remove').description('remove client quotas of an entity (all of them unless --quota)'), 'remove')
    .option('--quota <key>', 'remove only this quota: producer_byte_rate, consumer_byte_rate, request_percentage, connection_creation_rate (repeatable)', collectString)
    .addHelpText('after', '\nExample:\n  sluice quota remove --user alice --quota producer_byte_rate')
    .action(async (flags: EntityFlags & { quota?: string[] }, command: Command) => {
      const entity = entityOf(flags, command);
      const removed = await withClient(flags, async (client) => {
        const admin = new Admin(client);
        const keys = flags.quota ?? Object.keys((await admin.describeClientQuotas(exactly(entity), true))[0]?.values ?? {});
        if (keys.length > 0) await admin.alterClientQuotas([{ entity, remove: keys }]);
        return keys;
      });
      print(formatTable(['ENTITY', 'QUOTA', 'STATUS'], removed.map((key) => [describeEntity(entity), key, 'REMOVED'])));
    });
}

/** A filter matching `entity` alone (with strict). */
const exactly = (entity: ClientQuotaEntity): ClientQuotaFilter[] =>
  Object.entries(entity).map(([entityType, name]) => (name === null ? { entityType, matchType: 'default' } : { entityType, matchType: 'exact', match: name }));

function registerList(quota: Command): void {
  addEntityOptions(quota.command('list').description('list client quotas; entity flags narrow the list to entities with those parts'), 'list')
    .option('--strict', 'only entities with no parts besides those given', false)
    .option('--json', 'print JSON instead of a table', false)
    .action(async (flags: EntityFlags & { strict: boolean; json: boolean }, command: Command) => {
      const filtered = flags.user !== undefined || flags.clientId !== undefined || flags.ip !== undefined || flags.default !== undefined;
      const filter = filtered ? exactly(entityOf(flags, command)) : [];
      const entries = await withClient(flags, (client) => new Admin(client).describeClientQuotas(filter, flags.strict));
      if (flags.json) print(formatJson(entries));
      else print(formatTable(['ENTITY', 'QUOTA', 'VALUE'], entries.flatMap((e) => Object.entries(e.values).map(([key, value]) => [describeEntity(e.entity), key, value])).sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`))));
    });
}

export function registerQuota(program: Command): void {
  const quota = program.command('quota').description('client quotas (byte rates, request time, connection rates): set, remove, list');
  registerSet(quota);
  registerRemove(quota);
  registerList(quota);
}
