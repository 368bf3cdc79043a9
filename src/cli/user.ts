// `sluice user create|delete|list`: SASL/SCRAM users through the Kafka
// protocol (AlterUserScramCredentials, DescribeUserScramCredentials), as
// kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' does.
// The password is read from stdin, never from the command line (where ps and
// shell history would show it), and salted here: the broker gets only the salt,
// the iterations and the salted password.

import { type Command, InvalidArgumentError, Option } from 'commander';
import { deleteScramCredentials, describeScramUsers, upsertScramCredential } from '../client/user-credentials.js';
import { SluiceError } from '../errors.js';
import { MAX_ITERATIONS, MIN_ITERATIONS, SCRAM_MECHANISMS, type ScramMechanism, isScramMechanism } from '../protocol/scram.js';
import { integerArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { formatJson, formatTable, print } from './output.js';

interface CreateFlags extends ClientFlags {
  mechanism: ScramMechanism;
  passwordStdin?: boolean;
  iterations: number;
}

function mechanismArg(value: string): ScramMechanism {
  if (!isScramMechanism(value)) throw new InvalidArgumentError(`one of ${Object.keys(SCRAM_MECHANISMS).join(', ')}`);
  return value;
}

/** stdin up to its end, less one trailing newline (`echo secret |` adds one). */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new SluiceError('SLUICE_ERR_INPUT', 'no password on stdin');
  return password;
}

function registerCreate(user: Command): void {
  addBootstrapOption(user.command('create <name>').description("create a SCRAM user, or set a new password for an existing one's mechanism"))
    .addOption(new Option('--mechanism <name>', 'SCRAM-SHA-512 or SCRAM-SHA-256').default('SCRAM-SHA-512').argParser(mechanismArg))
    .option('--password-stdin', 'read the password from stdin (required)')
    .addOption(new Option('--iterations <n>', `PBKDF2 iterations (${MIN_ITERATIONS}-${MAX_ITERATIONS})`).default(MIN_ITERATIONS).argParser(integerArg(MIN_ITERATIONS)))
    .addHelpText('after', "\nExample:\n  printf 'secret' | sluice user create alice --mechanism SCRAM-SHA-512 --password-stdin")
    .action(async (name: string, flags: CreateFlags) => {
      if (!flags.passwordStdin) throw new SluiceError('SLUICE_ERR_INPUT', 'give the password on stdin with --password-stdin');
      const password = await readPassword();
      await withClient(flags, (client) => upsertScramCredential(client, name, flags.mechanism, password, flags.iterations));
      print(formatTable(['USER', 'MECHANISM', 'STATUS'], [[name, flags.mechanism, 'OK']]));
    });
}

function registerDelete(user: Command): void {
  addBootstrapOption(user.command('delete <name>').description("delete a user's SCRAM credentials (all of them unless --mechanism)"))
    .addOption(new Option('--mechanism <name>', 'delete only this one').argParser(mechanismArg))
    .action(async (name: string, flags: ClientFlags & { mechanism?: ScramMechanism }) => {
      await withClient(flags, async (client) => {
        const mechanisms = flags.mechanism ? [flags.mechanism] : (await describeScramUsers(client, [name]))[0].credentials.map((c) => c.mechanism);
        await deleteScramCredentials(client, name, mechanisms);
      });
      print(formatTable(['USER', 'STATUS'], [[name, 'DELETED']]));
    });
}

function registerList(user: Command): void {
  addBootstrapOption(user.command('list').description('list SCRAM users with their mechanisms and iterations'))
    .option('--json', 'print JSON instead of a table', false)
    .action(async (flags: ClientFlags & { json: boolean }) => {
      const users = await withClient(flags, (client) => describeScramUsers(client));
      if (flags.json) print(formatJson(users));
      else print(formatTable(['USER', 'MECHANISM', 'ITERATIONS'], users.flatMap((u) => u.credentials.map((c) => [u.user, c.mechanism, c.iterations]))));
    });
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('SASL/SCRAM users: create, delete, list');
  registerCreate(user);
  registerDelete(user);
  registerList(user);
}
