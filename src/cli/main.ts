// The `sluice` command. One file per subcommand; each registers itself here.

import { Command, CommanderError } from 'commander';
import { SluiceError } from '../errors.js';
import { registerCluster } from './cluster.js';
import { registerConsume } from './consume.js';
import { registerGroup } from './group.js';
import { registerLog } from './log.js';
import { registerProduce } from './produce.js';
import { registerQueue } from './queue.js';
import { registerServe } from './serve.js';
import { registerTopic } from './topic.js';
import { registerTxn } from './txn.js';
import { registerUser } from './user.js';
import { registerQuota } from './quota.js';
import { registerAcl } from './acl.js';

const program = new Command('sluice')
  .description('Sluice: a durable message broker that speaks the Apache Kafka protocol')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerTopic(program);
registerProduce(program);
registerConsume(program);
registerGroup(program);
registerQueue(program);
registerTxn(program);
registerLog(program);
registerCluster(program);
registerUser(program);
registerQuota(program);
registerAcl(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof SluiceError) {
    process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    process.exit(1);
  }
  throw err;
}
