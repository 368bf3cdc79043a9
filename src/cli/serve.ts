// `sluice serve`: runs a broker until SIGINT/SIGTERM, then shuts down cleanly
// (closes connections, flushes and closes every log).
// Each option comes from, in order of precedence: the flag, the SLUICE_*
// environment variable, the --config JSON file, the built-in default.

import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { type BrokerConfig, defaultConfig } from '../config.js';
import { ConfigError, SluiceError, asStorageFailure } from '../errors.js';
import { startBroker } from '../start-broker.js';

interface ServeOption {
  key: keyof BrokerConfig;
  flag: string;
  help: string;
}

const OPTIONS: ServeOption[] = [
  { key: 'port', flag: '--port <n>', help: 'Kafka listener port (0 picks a free one)' },
  { key: 'host', flag: '--host <addr>', help: 'interface to listen on' },
  { key: 'advertisedHost', flag: '--advertised-host <name>', help: 'host name given to clients (default: --host)' },
  { key: 'listeners', flag: '--listeners <list>', help: 'Kafka listeners NAME://host:port,... with NAME one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (default: PLAINTEXT on --host:--port)' },
  { key: 'advertisedListeners', flag: '--advertised-listeners <list>', help: 'addresses given to clients per listener, NAME://host:port,... (default: each listener\'s own)' },
  { key: 'tlsCert', flag: '--tls-cert <file>', help: 'PEM certificate (chain) of SSL and SASL_SSL listeners' },
  { key: 'tlsKey', flag: '--tls-key <file>', help: 'PEM private key of --tls-cert' },
  { key: 'tlsCa', flag: '--tls-ca <file>', help: 'PEM CAs that client certificates are verified against' },
  { key: 'saslMechanisms', flag: '--sasl-mechanisms <names>', help: 'SASL mechanisms of SASL listeners: SCRAM-SHA-512, SCRAM-SHA-256, PLAIN' },
  { key: 'saslPlainAllowPlaintext', flag: '--sasl-plain-allow-plaintext <bool>', help: 'offer PLAIN on SASL_PLAINTEXT listeners too (the password crosses the network in clear)' },
  { key: 'connectionsMaxReauthMs', flag: '--connections-max-reauth-ms <ms>', help: 'SASL session lifetime; a client must re-authenticate before it lapses (0: never)' },
  { key: 'interBrokerListenerName', flag: '--inter-broker-listener-name <name>', help: 'the listener other brokers replicate from: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default: --replication-address, else the PLAINTEXT one)' },
  { key: 'interBrokerSaslMechanism', flag: '--inter-broker-sasl-mechanism <name>', help: 'SASL mechanism brokers log in to each other with' },
  { key: 'interBrokerSaslUsername', flag: '--inter-broker-sasl-username <user>', help: 'SASL user brokers log in to each other as (created with sluice user create)' },
  { key: 'interBrokerSaslPassword', flag: '--inter-broker-sasl-password <password>', help: "that user's password (prefer the environment variable or the config file: a flag shows in ps)" },
  { key: 'authorizer', flag: '--authorizer <kind>', help: 'none (everyone may do everything) or acl (the ACLs of `sluice acl`, deny by default)' },
  { key: 'superUsers', flag: '--super-users <principals>', help: 'principals the ACL authorizer allows everything, User:<name>,...' },
  { key: 'tlsClientAuth', flag: '--tls-client-auth <mode>', help: 'ask TLS clients for a certificate: none, requested, required' },
  { key: 'dataDir', flag: '--data-dir <dir>', help: 'directory for logs and metadata' },
  { key: 'nodeId', flag: '--node-id <n>', help: 'broker id' },
  { key: 'autoCreateTopicsEnable', flag: '--auto-create-topics-enable <bool>', help: 'create unknown topics on first use' },
  { key: 'numPartitions', flag: '--num-partitions <n>', help: 'partitions of auto-created topics' },
  { key: 'socketRequestMaxBytes', flag: '--socket-request-max-bytes <bytes>', help: 'largest request frame' },
  { key: 'fetchMaxBytes', flag: '--fetch-max-bytes <bytes>', help: 'largest Fetch response, whatever the client asks' },
  { key: 'fetchMaxWaitMs', flag: '--fetch-max-wait-ms <ms>', help: 'longest a Fetch waits for data, whatever the client asks' },
  { key: 'queuedMaxRequestBytes', flag: '--queued-max-request-bytes <bytes>', help: 'request bytes read and not yet answered, all connections (-1: no limit)' },
  { key: 'maxConnections', flag: '--max-connections <n>', help: 'open client connections; one past it is closed at once' },
  { key: 'maxConnectionsPerIp', flag: '--max-connections-per-ip <n>', help: 'open connections from one client address' },
  { key: 'maxConnectionsPerIpOverrides', flag: '--max-connections-per-ip-overrides <list>', help: 'open connections from chosen addresses, ip:count,...' },
  { key: 'maxConnectionCreationRate', flag: '--max-connection-creation-rate <n>', help: 'new connections per second over the whole broker' },
  { key: 'connectionsMaxIdleMs', flag: '--connections-max-idle-ms <ms>', help: 'close a connection idle this long' },
  { key: 'quotaWindowNum', flag: '--quota-window-num <n>', help: "samples a client quota's rate is measured over" },
  { key: 'quotaWindowSizeSeconds', flag: '--quota-window-size-seconds <s>', help: 'span of one client quota sample' },
  { key: 'connectionMaxBufferedResponseBytes', flag: '--connection-max-buffered-response-bytes <bytes>', help: 'response bytes one connection holds for a client before it reads no more requests' },
  { key: 'messageMaxBytes', flag: '--message-max-bytes <bytes>', help: 'largest record batch (default max.message.bytes)' },
  { key: 'segmentBytes', flag: '--segment-bytes <bytes>', help: 'default segment.bytes' },
  { key: 'segmentMs', flag: '--segment-ms <ms>', help: 'default segment.ms' },
  { key: 'retentionMs', flag: '--retention-ms <ms>', help: 'default retention.ms (-1: forever)' },
  { key: 'retentionBytes', flag: '--retention-bytes <bytes>', help: 'default retention.bytes per partition (-1: no limit)' },
  { key: 'flushPolicy', flag: '--flush-policy <policy>', help: 'group-commit (fsync before acks=all), interval, or os' },
  { key: 'flushIntervalMs', flag: '--flush-interval-ms <ms>', help: 'fsync period of the interval policy' },
  { key: 'retentionCheckIntervalMs', flag: '--retention-check-interval-ms <ms>', help: 'how often retention runs' },
  { key: 'maxPartitions', flag: '--max-partitions <n>', help: 'partitions this broker holds over all topics' },
  { key: 'scrubBytesPerSec', flag: '--scrub-bytes-per-sec <bytes>', help: 'rate of the background CRC32C re-check of closed segments (0: off)' },
  { key: 'stateSnapshotIntervalMs', flag: '--state-snapshot-interval-ms <ms>', help: 'how often changed producer state and dedup windows are snapshotted' },
  { key: 'producerIdExpirationMs', flag: '--producer-id-expiration-ms <ms>', help: "how long an idle producer's sequence state is kept" },
  { key: 'offsetsTopicNumPartitions', flag: '--offsets-topic-num-partitions <n>', help: 'partitions of __consumer_offsets when it is created' },
  { key: 'offsetsRetentionMinutes', flag: '--offsets-retention-minutes <min>', help: "how long an empty group's committed offsets are kept" },
  { key: 'groupInitialRebalanceDelayMs', flag: '--group-initial-rebalance-delay-ms <ms>', help: 'wait for more members before the first rebalance of an empty group' },
  { key: 'groupMinSessionTimeoutMs', flag: '--group-min-session-timeout-ms <ms>', help: 'smallest session timeout a group member may ask for' },
  { key: 'groupMaxSessionTimeoutMs', flag: '--group-max-session-timeout-ms <ms>', help: 'largest session timeout a group member may ask for' },
  { key: 'groupConsumerHeartbeatIntervalMs', flag: '--group-consumer-heartbeat-interval-ms <ms>', help: 'heartbeat interval of consumer-protocol group members' },
  { key: 'groupConsumerSessionTimeoutMs', flag: '--group-consumer-session-timeout-ms <ms>', help: 'session timeout of consumer-protocol group members' },
  { key: 'groupConsumerAssignors', flag: '--group-consumer-assignors <names>', help: 'server-side assignors of consumer-protocol groups, default first (uniform, range)' },
  { key: 'transactionStateNumPartitions', flag: '--transaction-state-num-partitions <n>', help: 'partitions of __transaction_state when it is created' },
  { key: 'transactionMaxTimeoutMs', flag: '--transaction-max-timeout-ms <ms>', help: 'largest transaction timeout a producer may ask for' },
  { key: 'transactionTimeoutCheckIntervalMs', flag: '--transaction-timeout-check-interval-ms <ms>', help: 'how often transactions past their timeout are aborted' },
  { key: 'httpPort', flag: '--http-port <n>', help: 'HTTP API port on --host (default 8080; 0: off)' },
  { key: 'httpWrites', flag: '--http-writes <bool>', help: 'let the HTTP API produce, create and delete topics and alter configs (default: read-only)' },
  { key: 'httpToken', flag: '--http-token <token>', help: 'bearer token every HTTP API request must carry' },
  { key: 'httpTls', flag: '--http-tls <bool>', help: 'serve the HTTP API and the console over HTTPS with --tls-cert and --tls-key' },
  { key: 'httpAuth', flag: '--http-auth <scheme>', help: "none, or basic: every HTTP API request (and the console) logs in as a SASL user, HTTP Basic checked against the user's SCRAM credential" },
  { key: 'metricsPartitions', flag: '--metrics-partitions <bool>', help: 'GET /metrics also per partition (records and bytes in and out), not only per topic' },
  { key: 'etcd', flag: '--etcd <urls>', help: 'etcd endpoints of a cluster, comma-separated (default: none, a broker of its own)' },
  { key: 'etcdPrefix', flag: '--etcd-prefix <prefix>', help: 'key prefix of the cluster in etcd' },
  { key: 'brokerLeaseTtlMs', flag: '--broker-lease-ttl-ms <ms>', help: 'a broker that cannot renew its etcd lease this long is dead to the cluster' },
  { key: 'rack', flag: '--rack <name>', help: 'rack of this broker, for rack-aware replica placement' },
  { key: 'replicationAddress', flag: '--replication-address <host:port>', help: 'address other brokers fetch replicas from (default: the advertised listener)' },
  { key: 'replicaLagTimeMaxMs', flag: '--replica-lag-time-max-ms <ms>', help: 'a follower behind the leader this long leaves the ISR' },
  { key: 'replicaFetchWaitMaxMs', flag: '--replica-fetch-wait-max-ms <ms>', help: "longest a follower's fetch waits at the leader" },
  { key: 'replicaHighWatermarkCheckpointIntervalMs', flag: '--replica-high-watermark-checkpoint-interval-ms <ms>', help: 'how often changed high watermarks are checkpointed' },
  { key: 'logLevel', flag: '--log-level <level>', help: 'pino level: trace, debug, info, warn, error, silent' },
];

/** Where `sluice serve` differs from an embedded broker: a server process offers the HTTP API unless told not to. */
const SERVE_DEFAULTS: Partial<BrokerConfig> = { httpPort: 8080 };

/** SLUICE_DATA_DIR for dataDir, and so on. */
export function envName(key: string): string {
  return 'SLUICE_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * Prints a failure the operator can act on (code, message, hint; no stack
 * trace) and exits with status 1. Errors with an errno (ENOSPC, EMFILE, ...)
 * get their code and hint here when no deeper layer gave them one.
 */
function exitWith(err: unknown, doing: string): never {
  const failure = asStorageFailure(err, doing);
  if (failure instanceof SluiceError) {
    process.stderr.write(`error ${failure.code}: ${failure.message}\n${failure.hint ? `hint: ${failure.hint}\n` : ''}`);
  } else {
    // Not an error Sluice knows: its stack is what a bug report needs.
    process.stderr.write(`error while ${doing}: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`);
  }
  process.exit(1);
}

export function registerServe(program: Command): void {
  const cmd = program.command('serve').description('run a broker');
  for (const o of OPTIONS) {
    const def = SERVE_DEFAULTS[o.key] ?? defaultConfig[o.key];
    const shown = String(def);
    cmd.addOption(new Option(o.flag, `${o.help} [env ${envName(o.key)}]`).default(undefined, shown === '' ? '(none)' : shown));
  }
  // Kafka's broker.id, as an alias of --node-id.
  cmd.addOption(new Option('--broker-id <n>', 'the same as --node-id (Kafka calls it broker.id)').conflicts('nodeId'));
  cmd.option('--config <file>', `JSON file of options, named as the long flags in camelCase (e.g. {"dataDir": "/var/lib/sluice"}) [env SLUICE_CONFIG]`);
  cmd.action(async (flags: Record<string, unknown>) => {
    const file = (flags.config as string | undefined) ?? process.env.SLUICE_CONFIG;
    const merged: Record<string, unknown> = { ...SERVE_DEFAULTS, ...(file ? readConfigFile(file) : {}) };
    for (const o of OPTIONS) {
      const env = process.env[envName(o.key)];
      if (env !== undefined) merged[o.key] = env;
      if (flags[o.key] !== undefined) merged[o.key] = flags[o.key];
    }
    if (flags.brokerId !== undefined) merged.nodeId = flags.brokerId;
    let broker;
    try {
      broker = await startBroker(merged as Partial<BrokerConfig>);
    } catch (err) {
      exitWith(err, 'starting the broker');
    }
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal} received, shutting down\n`);
      try {
        await broker.close();
      } catch (err) {
        exitWith(err, 'shutting down');
      }
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}
