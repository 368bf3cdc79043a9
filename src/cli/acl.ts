// `sluice acl add|list|remove`: ACL bindings through the Kafka protocol
// (CreateAcls, DescribeAcls, DeleteAcls), as kafka-acls.sh does. A command
// names resources (--topic, --group, --cluster, --transactional-id, each
// repeatable), principals (--allow, --deny: User:<name>, User:* for all) and
// operations (--operation, repeatable); add and remove take every combination
// of them, as kafka-acls.sh --add and --remove do. Names of operations and
// pattern types are Kafka's in any case (read, Read, READ; DescribeConfigs).

import { type Command, InvalidArgumentError, Option } from 'commander';
import { Admin } from '../client/admin.js';
import {
  type AclBinding,
  type AclBindingFilter,
  type AclCodeTable,
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  ALL_BINDINGS,
  CLUSTER_RESOURCE,
  WILDCARD_HOST,
  aclCodeName,
  aclCodeOf,
  namedBinding,
} from '../protocol/acl-codes.js';
import { collectString, nonEmptyArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { formatJson, formatTable, print } from './output.js';

interface ResourceFlags extends ClientFlags {
  topic?: string[];
  group?: string[];
  cluster?: boolean;
  transactionalId?: string[];
  pattern: number;
}

interface BindingFlags extends ResourceFlags {
  allow?: string[];
  deny?: string[];
  host: string;
  operation?: number[];
}

/** `ClusterAction` for CLUSTER_ACTION: how kafka-acls.sh spells them. */
const pascal = (name: string) => name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** argParser for a name of `table` (any case) among `allowed`; the error lists them. */
function codeArg(table: AclCodeTable, allowed: string[]): (value: string) => number {
  return (value) => {
    const code = aclCodeOf(table, value);
    if (code === undefined || !allowed.includes(aclCodeName(table, code)!)) {
      throw new InvalidArgumentError(`one of ${allowed.map(pascal).join(', ')} (in any case).`);
    }
    return code;
  };
}

// ANY is for filters; the token operations are for USER resources, which this command does not name.
const OPERATIONS = Object.keys(AclOperation).filter((name) => !['ANY', 'CREATE_TOKENS', 'DESCRIBE_TOKENS'].includes(name));
const operationArg = codeArg(AclOperation, OPERATIONS);
const collectOperation = (value: string, previous: number[] | undefined) => [...(previous ?? []), operationArg(value)];

function addResourceOptions(cmd: Command, patterns: string[], defaultPattern: string, help: string): Command {
  return addBootstrapOption(cmd)
    .option('--topic <name>', `${help} topic (repeatable)`, collectString)
    .option('--group <id>', `${help} consumer group (repeatable)`, collectString)
    .option('--cluster', `${help} cluster`)
    .option('--transactional-id <id>', `${help} transactional id (repeatable)`, collectString)
    .addOption(
      new Option('--pattern <type>', `how resource names are taken: ${patterns.map((p) => p.toLowerCase()).join(', ')}`)
        .default(AclPatternType[defaultPattern as keyof typeof AclPatternType], defaultPattern.toLowerCase())
        .argParser(codeArg(AclPatternType, patterns)),
    );
}

function addBindingOptions(cmd: Command, verb: string): Command {
  return addResourceOptions(cmd, ['LITERAL', 'PREFIXED'], 'LITERAL', `${verb} bindings of this`)
    .option('--allow <principal>', 'principal allowed, User:<name> or User:* (repeatable)', collectString)
    .option('--deny <principal>', 'principal denied, User:<name> or User:* (repeatable)', collectString)
    .option('--host <address>', 'client address the binding applies to', nonEmptyArg, WILDCARD_HOST)
    .option('--operation <name>', `${OPERATIONS.map(pascal).join(', ')} (repeatable)`, collectOperation);
}

/** The resources the flags name, as [type, name]. */
function resourcesOf(flags: ResourceFlags): [number, string][] {
  return [
    ...(flags.topic ?? []).map((name): [number, string] => [AclResourceType.TOPIC, name]),
    ...(flags.group ?? []).map((name): [number, string] => [AclResourceType.GROUP, name]),
    ...(flags.cluster ? [[AclResourceType.CLUSTER, CLUSTER_RESOURCE] as [number, string]] : []),
    ...(flags.transactionalId ?? []).map((name): [number, string] => [AclResourceType.TRANSACTIONAL_ID, name]),
  ];
}

/** Every binding of a resource, a principal and an operation the flags give; a usage error when one of the three is missing. */
function bindingsOf(flags: BindingFlags, cmd: Command): AclBinding[] {
  const resources = resourcesOf(flags);
  const principals = [...(flags.allow ?? []).map((p): [string, number] => [p, AclPermissionType.ALLOW]), ...(flags.deny ?? []).map((p): [string, number] => [p, AclPermissionType.DENY])];
  if (resources.length === 0) cmd.error('error: name a resource with --topic, --group, --cluster or --transactional-id');
  if (principals.length === 0) cmd.error('error: name a principal with --allow or --deny, e.g. --allow User:alice');
  if (!flags.operation) cmd.error(`error: name an operation with --operation: ${OPERATIONS.map(pascal).join(', ')}`);
  return resources.flatMap(([resourceType, resourceName]) =>
    principals.flatMap(([principal, permissionType]) =>
      flags.operation!.map((operation) => ({ resourceType, resourceName, patternType: flags.pattern, principal, host: flags.host, operation, permissionType })),
    ),
  );
}

const HEADERS = ['RESOURCE TYPE', 'NAME', 'PATTERN', 'PRINCIPAL', 'HOST', 'OPERATION', 'PERMISSION'];
const row = (b: AclBinding): string[] => {
  const n = namedBinding(b);
  return [n.resourceType, n.resourceName, n.patternType, n.principal, n.host, n.operation, n.permissionType];
};

function registerAdd(acl: Command): void {
  addBindingOptions(acl.command('add').description('add ACL bindings: every combination of the resources, principals and operations given'), 'add')
    .addHelpText('after', '\nExamples:\n  sluice acl add --allow User:alice --operation Read --operation Describe --topic orders\n  sluice acl add --allow User:app --operation Write --topic logs. --pattern prefixed\n  sluice acl add --deny User:* --host 10.0.0.9 --operation All --cluster')
    .action(async (flags: BindingFlags, command: Command) => {
      const bindings = bindingsOf(flags, command);
      await withClient(flags, (client) => new Admin(client).createAcls(bindings));
      print(formatTable([...HEADERS, 'STATUS'], bindings.map((b) => [...row(b), 'ADDED'])));
    });
}

function registerRemove(acl: Command): void {
  addBindingOptions(acl.command('remove').description('remove exactly the ACL bindings the options name (every combination, as add)'), 'remove')
    .addHelpText('after', '\nExample:\n  sluice acl remove --allow User:alice --operation Read --topic orders')
    .action(async (flags: BindingFlags, command: Command) => {
      // A binding, every field given, is the filter for exactly itself.
      const bindings = bindingsOf(flags, command);
      const removed = await withClient(flags, (client) => new Admin(client).deleteAcls(bindings));
      print(formatTable([...HEADERS, 'STATUS'], bindings.map((b, i) => [...row(b), removed[i].length > 0 ? 'REMOVED' : 'NOT FOUND'])));
    });
}

function registerList(acl: Command): void {
  addResourceOptions(acl.command('list').description('list ACL bindings (all, or those of the resources given)'), ['ANY', 'MATCH', 'LITERAL', 'PREFIXED'], 'ANY', 'list the')
    .option('--principal <principal>', 'only the bindings of this principal, e.g. User:alice', nonEmptyArg)
    .option('--json', 'print JSON instead of a table', false)
    .addHelpText(
      'after',
      "\n--pattern any (the default) lists the bindings named exactly as given, literal or prefixed; match lists every binding that applies to the resource (literal, the '*' wildcard, prefixes of its name).\n\nExamples:\n  sluice acl list\n  sluice acl list --topic orders --pattern match --principal User:alice",
    )
    .action(async (flags: ResourceFlags & { principal?: string; json: boolean }) => {
      const any: AclBindingFilter = { ...ALL_BINDINGS, patternType: flags.pattern, principal: flags.principal ?? null };
      const resources = resourcesOf(flags);
      const filters = resources.length === 0 ? [any] : resources.map(([resourceType, resourceName]) => ({ ...any, resourceType, resourceName }));
      const found = await withClient(flags, async (client) => {
        const admin = new Admin(client);
        return (await Promise.all(filters.map((f) => admin.describeAcls(f)))).flat();
      });
      // A binding that applies to two resources asked about (a wildcard, a prefix) is listed once.
      const bindings = [...new Map(found.map((b) => [JSON.stringify(row(b)), b])).values()];
      if (flags.json) print(formatJson(bindings.map(namedBinding)));
      else print(formatTable(HEADERS, bindings.map(row).sort((a, b) => a.join('\0').localeCompare(b.join('\0')))));
    });
}

export function registerAcl(program: Command): void {
  const acl = program.command('acl').description('ACL bindings (who may do what to which topics, groups, transactional ids, the cluster): add, list, remove');
  registerAdd(acl);
  registerList(acl);
  registerRemove(acl);
}
