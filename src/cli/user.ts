// `sluice user create|delete|list`: SASL/SCRAM users through the Kafka
// protocol (AlterUserScramCredentials, DescribeUserScramCredentials), as
// kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' does.
// The password is read from stdin, never from the command line (where ps and
// shell history would show it), and salted here: the broker gets only the salt,
// the iterations and the salted password.
//
// `create` also works without a broker, for the first administrator of a
// secured deployment (Kafka's `kafka-storage format --add-scram`): with
// --data-dir it writes a stopped broker's credentials file, with --etcd the
// cluster's credential record, which running brokers apply from their watch.

import fs from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { UserCredentials } from '../broker/user-credentials.js';
import { deleteScramCredentials, describeScramUsers, saltNewPassword, upsertScramCredential } from '../client/user-credentials.js';
import { EtcdSharedRecords } from '../cluster/etcd-shared-records.js';
import { urlList } from '../config-values.js';
import { SluiceError } from '../errors.js';
import { MAX_ITERATIONS, MIN_ITERATIONS, SCRAM_MECHANISMS, type ScramMechanism, credentialFromSaltedPassword, isScramMechanism } from '../protocol/scram.js';
import { integerArg, nonEmptyArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { formatJson, formatTable, print } from './output.js';

interface CreateFlags extends ClientFlags {
  mechanism: ScramMechanism;
  passwordStdin?: boolean;
  iterations: number;
  /** Without a broker: the stopped broker's data directory. */
  dataDir?: string;
  /** Without a broker: the cluster's etcd endpoints, and its prefix. */
  etcd?: string[];
  etcdPrefix: string;
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
    .addOption(new Option('--data-dir <dir>', "without a broker: write the user into this stopped broker's data directory").argParser(nonEmptyArg).conflicts('etcd'))
    .addOption(new Option('--etcd <urls>', "without a broker: write the user into the cluster's state in etcd").argParser((v) => urlList('--etcd', v)))
    .addOption(new Option('--etcd-prefix <prefix>', "the cluster's key prefix in etcd, with --etcd").default('/sluice'))
    .addHelpText(
      'after',
      "\nExamples:\n  printf 'secret' | sluice user create alice --mechanism SCRAM-SHA-512 --password-stdin\n" +
        "  printf 'secret' | sluice user create admin --password-stdin --etcd http://127.0.0.1:2379   # the first administrator, before any login works",
    )
    .action(async (name: string, flags: CreateFlags) => {
      if (!flags.passwordStdin) throw new SluiceError('SLUICE_ERR_INPUT', 'give the password on stdin with --password-stdin');
      if (name === '') throw new SluiceError('SLUICE_ERR_INPUT', 'the user name must not be empty');
      const password = await readPassword();
      if (flags.dataDir !== undefined || flags.etcd !== undefined) await storeWithoutBroker(name, password, flags);
      else await withClient(flags, (client) => upsertScramCredential(client, name, flags.mechanism, password, flags.iterations));
      print(formatTable(['USER', 'MECHANISM', 'STATUS'], [[name, flags.mechanism, 'OK']]));
    });
}

/** Writes the credential where the broker or the cluster keeps it, as the broker would on AlterUserScramCredentials. */
async function storeWithoutBroker(name: string, password: string, flags: CreateFlags): Promise<void> {
  const { salt, saltedPassword } = await saltNewPassword(flags.mechanism, password, flags.iterations);
  const upsertion = { user: name, mechanism: flags.mechanism, credential: credentialFromSaltedPassword(flags.mechanism, saltedPassword, salt, flags.iterations) };
  if (flags.dataDir !== undefined) {
    // Before the broker's first start too: it starts in the directory as made here.
    fs.mkdirSync(flags.dataDir, { recursive: true });
    await UserCredentials.open(flags.dataDir).alter([], [upsertion]);
    return;
  }
  const records = await EtcdSharedRecords.open(flags.etcd!, flags.etcdPrefix);
  try {
    // Another user's unreadable record is the brokers' to report; it does not stop this write.
    await UserCredentials.shared(records, () => {}).alter([], [upsertion]);
  } finally {
    records.close();
  }
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
