// What every client subcommand (topic, produce, consume) shares: the
// --bootstrap and --command-config flags and a client that is closed however
// the command ends.

import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseBootstrap } from '../client/bootstrap.js';
import { KafkaClient } from '../client/kafka-client.js';
import { readClientSecurity } from './command-config.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface ClientFlags {
  bootstrap: string;
  /** Kafka client properties (security.protocol, sasl.*, ssl.*), see command-config.ts. */
  commandConfig?: string;
}

/** Checks host:port while parsing, so a typo is reported before any connection is tried. */
function bootstrapArg(value: string): string {
  try {
    parseBootstrap(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

export function addBootstrapOption(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-b, --bootstrap <host:port,...>', 'addresses of brokers to start from (any one that answers will do)').env('SLUICE_BOOTSTRAP').default(DEFAULT_BOOTSTRAP).argParser(bootstrapArg),
    )
    .addOption(
      new Option(
        '--command-config <file>',
        'Kafka client properties for a secured listener: security.protocol, sasl.mechanism, sasl.username, sasl.password, sasl.jaas.config, ssl.ca.location, ssl.certificate.location, ssl.key.location (each also from SLUICE_SECURITY_PROTOCOL, SLUICE_SASL_MECHANISM, ...)',
      ).env('SLUICE_COMMAND_CONFIG'),
    );
}

/** Runs `fn` with a connected-on-demand client and always closes it. */
export async function withClient<T>(flags: ClientFlags, fn: (client: KafkaClient) => Promise<T>): Promise<T> {
  const client = new KafkaClient({ bootstrap: flags.bootstrap, clientId: 'sluice-cli', ...readClientSecurity(flags.commandConfig, process.env) });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
