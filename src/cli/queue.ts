// `sluice queue send|receive|redrive|delete`: a topic used as a queue through
// a share group (KIP-932).
//   send     stdin lines to the topic, exactly as `sluice produce`
//   receive  as a member of share group --group: prints each message as
//            `sluice consume` does and acknowledges it once printed; follows
//            until Ctrl-C or --max-messages
//   redrive  sends the group's dead letters back to their original topic and
//            partition (client/share/dead-letter-redrive.ts), with progress
//            and a count on stderr
//   delete   deletes an empty share group with its delivery state (DeleteGroups)

import { type Command, Option } from 'commander';
import { Admin } from '../client/admin.js';
import { KafkaError } from '../client/client-error.js';
import type { ConsumedRecord } from '../client/consumer.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { AcknowledgeType } from '../client/share/acknowledgements.js';
import { redriveDeadLetters } from '../client/share/dead-letter-redrive.js';
import { type Delivery, ShareConsumer } from '../client/share/share-consumer.js';
import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ShareGroupDescribeRequest, ShareGroupDescribeResponse } from '../protocol/messages/share-group-describe.js';
import { integerArg, nonEmptyArg } from './arguments.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { type PrintFlags, formatArg, printRecords } from './consume.js';
import { GroupStateError } from './group.js';
import { InputError, type ProduceFlags, addProduceOptions, produce } from './produce.js';
import { registerQueueStats } from './queue-stats.js';

interface ReceiveFlags extends ClientFlags, PrintFlags {
  group: string;
  fromBeginning?: boolean;
  prefetch: number;
}

/**
 * Prints messages and acknowledges each once its line is written: the next
 * take acknowledges the ones printed before it, and the end of the run the
 * last ones. A message taken but not printed goes back when the member leaves.
 */
async function receive(client: KafkaClient, topic: string, flags: ReceiveFlags): Promise<void> {
  if (flags.fromBeginning) await new Admin(client).alterConfigs({ type: 'group', name: flags.group }, { set: { 'share.auto.offset.reset': 'earliest' } });
  // Never fetch more than will be printed: what is fetched and not printed goes back with its delivery count raised.
  const prefetch = Math.min(flags.prefetch, flags.maxMessages ?? Infinity);
  const consumer = new ShareConsumer(client, { groupId: flags.group, topic, prefetch, maxWaitMs: 500 });
  await consumer.start();
  process.stderr.write(`receiving '${topic}' in share group '${flags.group}'; Ctrl-C to stop\n`);
  let printed: Delivery[] = [];
  const acknowledgePrinted = () => {
    for (const d of printed) consumer.settle(d, AcknowledgeType.Accept);
    printed = [];
  };
  let wake!: () => void;
  const stopped = new Promise<null>((resolve) => (wake = () => resolve(null)));
  const poll = async (): Promise<ConsumedRecord[] | null> => {
    acknowledgePrinted();
    const d = await Promise.race([consumer.take(), stopped]);
    if (!d) return null;
    printed = [d];
    return [d.record];
  };
  try {
    await printRecords(poll, () => wake(), flags);
    acknowledgePrinted();
  } finally {
    await consumer.close();
  }
}

async function redrive(client: KafkaClient, group: string): Promise<void> {
  const result = await redriveDeadLetters(client, group, (p) => process.stderr.write(`redriven ${p.redriven + p.skipped}/${p.total}\n`));
  if (result.deadLetterTopic === '') throw new InputError(`share group '${group}' names no dead-letter topic (group config errors.deadletterqueue.topic.name)`);
  const skipped = result.skipped > 0 ? `; ${result.skipped} skipped (other groups' or without their origin)` : '';
  process.stderr.write(`${result.redriven} dead letter(s) redriven from '${result.deadLetterTopic}' to their topics${skipped}\n`);
}

/** Deletes `group` only if it is a share group (DeleteGroups would delete a consumer group too). */
async function deleteShareGroup(client: KafkaClient, group: string): Promise<void> {
  const admin = new Admin(client);
  const res = await (await admin.coordinatorOf(group)).send({ request: ShareGroupDescribeRequest, response: ShareGroupDescribeResponse }, { groupIds: [group], includeAuthorizedOperations: false });
  const described: Message | undefined = res.groups[0];
  if (!described || described.errorCode !== ErrorCode.NONE) throw new InputError(`'${group}' is not a share group`);
  const [result] = await admin.deleteGroups([group]);
  if (result.errorCode === ErrorCode.NON_EMPTY_GROUP) {
    throw new GroupStateError(`cannot delete share group '${group}': it has ${described.members.length} member(s); stop them (they leave when they exit), then run this again`);
  }
  if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode, null, `delete share group '${group}'`);
  process.stderr.write(`share group '${group}' deleted\n`);
}

/** Adds `sluice queue` and its subcommands to `program`. */
export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('use a topic as a queue: share groups (KIP-932) deliver each message to one member, which acknowledges it');

  addProduceOptions(queue.command('send <topic>').description('send each line of stdin as a message (as `sluice produce`); a summary goes to stderr'))
    .addHelpText('after', "\nExample:\n  printf 'job-1\\njob-2\\n' | sluice queue send jobs")
    .action((topic: string, flags: ProduceFlags) => withClient(flags, (client) => produce(client, topic, flags)));

  addBootstrapOption(
    queue
      .command('receive <topic>')
      .description('print messages as a member of a share group, acknowledging each once printed; follows until Ctrl-C')
      .requiredOption('-g, --group <id>', 'the share group to receive in', nonEmptyArg)
      .option('--from-beginning', "set the group's share.auto.offset.reset to earliest first (where a group starts on a partition it has not read)")
      .option('-n, --max-messages <n>', 'exit after printing this many messages (default: no limit)', integerArg(1))
      .option('--prefetch <n>', 'messages fetched ahead of printing at most (never more than --max-messages)', integerArg(1), 100)
      .addOption(new Option('-f, --format <template>', 'per-message template, as for `sluice consume`').default('%v').argParser(formatArg).conflicts('json'))
      .option('--json', 'print one JSON object per message, as `sluice consume --json`'),
  )
    .addHelpText('after', '\nExample:\n  sluice queue receive jobs --group workers -n 10')
    .action((topic: string, flags: ReceiveFlags) => withClient(flags, (client) => receive(client, topic, flags)));

  addBootstrapOption(queue.command('redrive <group>').description("send the share group's dead letters back to the topic and partition they came from, without the _dlq.errors.* headers"))
    .addHelpText('after', '\nEach dead letter goes back once: the consumer group sluice.redrive.<group> keeps how far the dead-letter topic was redriven.\n\nExample:\n  sluice queue redrive workers')
    .action((group: string, flags: ClientFlags) => withClient(flags, (client) => redrive(client, group)));

  addBootstrapOption(queue.command('delete <group>').description('delete an empty share group with its delivery state'))
    .addHelpText('after', '\nExample:\n  sluice queue delete workers')
    .action((group: string, flags: ClientFlags) => withClient(flags, (client) => deleteShareGroup(client, group)));

  registerQueueStats(queue);
}
