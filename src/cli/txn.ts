// `sluice txn list|describe`: the transactions the coordinators know, as
// kafka-transactions.sh shows them (KIP-664). list asks every broker for its
// transactional ids and each id's coordinator for the producer epoch (which
// ListTransactions does not carry); describe adds the timeout, the start of
// the open transaction and the partitions it has written to.

import type { Command } from 'commander';
import { Admin, type TransactionDescription } from '../client/admin.js';
import { type ClientFlags, addBootstrapOption, withClient } from './client-options.js';
import { formatJson, formatTable, print } from './output.js';

interface OutputFlags extends ClientFlags {
  json?: boolean;
}

function addOutputOptions(cmd: Command): Command {
  return addBootstrapOption(cmd).option('--json', 'print JSON instead of a table', false);
}

/** ISO time of a transaction start; null (printed '-') when no transaction is open. */
function startTime(ms: number): string | null {
  return ms < 0 ? null : new Date(ms).toISOString();
}

function registerList(txn: Command): void {
  addOutputOptions(txn.command('list').description('list transactional ids with their state, producer id and epoch')).action(async (flags: OutputFlags) => {
    const txns = await withClient(flags, async (client) => {
      const admin = new Admin(client);
      return admin.describeTransactions((await admin.listTransactions()).map((t) => t.transactionalId));
    });
    const rows = txns.map((t) => ({ transactionalId: t.transactionalId, state: t.state, producerId: t.producerId, producerEpoch: t.producerEpoch }));
    if (flags.json) print(formatJson(rows));
    else print(formatTable(['TRANSACTIONAL-ID', 'STATE', 'PRODUCER-ID', 'PRODUCER-EPOCH'], rows.map((r) => [r.transactionalId, r.state, r.producerId, r.producerEpoch])));
  });
}

function registerDescribe(txn: Command): void {
  addOutputOptions(txn.command('describe <transactional-id>').description("show a transactional id's state, producer, timeout and the partitions of its open transaction"))
    .addHelpText('after', '\nExample:\n  sluice txn describe order-copier-0')
    .action(async (transactionalId: string, flags: OutputFlags) => {
      const [d]: TransactionDescription[] = await withClient(flags, (client) => new Admin(client).describeTransactions([transactionalId]));
      if (flags.json) {
        print(formatJson(d));
        return;
      }
      const summary = formatTable(null, [
        ['TRANSACTIONAL-ID', d.transactionalId],
        ['STATE', d.state],
        ['PRODUCER-ID', d.producerId],
        ['PRODUCER-EPOCH', d.producerEpoch],
        ['TIMEOUT-MS', d.timeoutMs],
        ['START-TIME', startTime(d.startTimeMs)],
      ]);
      const rows = d.topics.flatMap((t) => t.partitions.map((p) => [t.topic, p]));
      print(summary + '\n' + formatTable(['TOPIC', 'PARTITION'], rows));
    });
}

export function registerTxn(program: Command): void {
  const txn = program.command('txn').description('list and describe transactions');
  registerList(txn);
  registerDescribe(txn);
}
