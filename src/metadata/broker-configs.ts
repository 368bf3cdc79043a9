// Broker configs with Kafka's names: the read-only ones mapped from the
// start-up options (src/config.ts), and the dynamic ones, which are the broker
// synonyms of topic configs (log.retention.ms, message.max.bytes, ...) and so
// supply every topic's defaults. Dynamic values are stored by the control plane
// at two levels, as Kafka's: the cluster-wide default (resource name "") and
// this broker's own (its node id); the broker's beats the default, which beats
// the start-up option, which beats the built-in default (Sluice's own where
// it has an option, e.g. group.initial.rebalance.delay.ms=0; else Kafka's).

import { type BrokerConfig, defaultConfig } from '../config.js';
import { formatListeners } from '../listener-config.js';
import { type ConfigDef, type ConfigMap, type DescribedConfig, ConfigSource, INT_MAX, LONG_MAX, long, text } from './config-def.js';
import { type TopicConfigDef, type TopicConfigs, type TopicDefaults, TOPIC_CONFIG_DEFS, topicConfigDef } from './topic-configs.js';

export interface BrokerConfigDef extends ConfigDef {
  /** The value the start-up options give it. */
  staticValue(c: BrokerConfig): string;
}

/** Where dynamic broker configs are kept (the control plane). */
export interface DynamicBrokerConfigStore {
  /** Overrides at `scope`: "" for the cluster-wide default, a node id for that broker. */
  brokerConfigs(scope: string): ConfigMap;
}

function readOnly(name: string, type: ConfigDef['type'], staticValue: (c: BrokerConfig) => string | number | boolean, doc: string, unit?: string): BrokerConfigDef {
  return { name, type, unit, doc, effect: 'applied', dynamic: false, validate: text(INT_MAX), staticValue: (c) => String(staticValue(c)) };
}

/**
 * Copies of each internal-topic partition wanted (Kafka's
 * offsets.topic.replication.factor and transaction.state.log.replication.factor
 * default); a smaller cluster gets one per live broker.
 */
export const STATE_TOPIC_REPLICATION_FACTOR = 3;

const READ_ONLY: BrokerConfigDef[] = [
  readOnly('broker.id', 'int', (c) => c.nodeId, 'This broker\'s id (--node-id).'),
  readOnly('node.id', 'int', (c) => c.nodeId, 'This broker\'s id (--node-id).'),
  readOnly('listeners', 'string', (c) => formatListeners(c.listeners), 'Where the Kafka listeners bind (--listeners, or --host and --port for one PLAINTEXT listener).'),
  readOnly('advertised.listeners', 'string', (c) => formatListeners(c.advertisedListeners), 'The addresses given to clients in Metadata, per listener (--advertised-listeners, --advertised-host).'),
  readOnly('ssl.client.auth', 'string', (c) => c.tlsClientAuth, 'Whether TLS listeners ask clients for a certificate: none, requested, required (--tls-client-auth).'),
  readOnly('sasl.enabled.mechanisms', 'list', (c) => c.saslMechanisms.join(','), 'SASL mechanisms SASL listeners offer (--sasl-mechanisms); PLAIN only with TLS unless --sasl-plain-allow-plaintext.'),
  readOnly('connections.max.reauth.ms', 'long', (c) => c.connectionsMaxReauthMs, 'SASL session lifetime before a client must re-authenticate (0: never; KIP-368).', 'ms'),
  readOnly('authorizer.class.name', 'string', (c) => (c.authorizer === 'acl' ? 'sluice.AclAuthorizer' : ''), 'The authorizer: empty for none (everyone may do everything), or the ACL authorizer (--authorizer acl).'),
  readOnly('super.users', 'list', (c) => c.superUsers.join(';'), 'Principals the ACL authorizer allows everything (--super-users).'),
  readOnly('ssl.enabled.protocols', 'list', () => 'TLSv1.2,TLSv1.3', 'TLS versions offered on SSL and SASL_SSL listeners.'),
  readOnly('log.dirs', 'string', (c) => c.dataDir, 'Where partition logs and cluster metadata live (--data-dir).'),
  readOnly('num.partitions', 'int', (c) => c.numPartitions, 'Partitions of auto-created topics and of CreateTopics asking for -1.'),
  readOnly('default.replication.factor', 'int', () => 1, 'Replicas of a new topic; a single broker keeps one.'),
  readOnly('auto.create.topics.enable', 'boolean', (c) => c.autoCreateTopicsEnable, 'Create unknown topics on Metadata and Produce.'),
  readOnly('socket.request.max.bytes', 'int', (c) => c.socketRequestMaxBytes, 'Largest request frame accepted.', 'bytes'),
  readOnly('fetch.max.bytes', 'int', (c) => c.fetchMaxBytes, 'Largest Fetch response the broker builds, whatever the client asks (the first batch still goes whole).', 'bytes'),
  readOnly('max.connections', 'int', (c) => c.maxConnections, 'Open client connections the broker keeps; one past it is closed at once.'),
  readOnly('max.connections.per.ip', 'int', (c) => c.maxConnectionsPerIp, 'Open connections from one client address; one past it is closed at once.'),
  readOnly('max.connections.per.ip.overrides', 'string', (c) => Object.entries(c.maxConnectionsPerIpOverrides).map(([ip, n]) => `${ip}:${n}`).join(','), 'Open connections from chosen client addresses, ip:count comma-separated.'),
  readOnly('max.connection.creation.rate', 'int', (c) => c.maxConnectionCreationRate, 'New connections per second over the whole broker; one past it is closed at once.'),
  readOnly('connections.max.idle.ms', 'long', (c) => c.connectionsMaxIdleMs, 'A connection with no traffic and no request in flight for this long is closed.', 'ms'),
  readOnly('quota.window.num', 'int', (c) => c.quotaWindowNum, 'Samples a client quota\'s rate is measured over.'),
  readOnly('quota.window.size.seconds', 'int', (c) => c.quotaWindowSizeSeconds, 'Span of one client quota sample.', 'seconds'),
  readOnly('queued.max.request.bytes', 'long', (c) => c.queuedMaxRequestBytes, 'Bytes of requests read and not yet answered, over all connections, before no more are read (-1: no limit).', 'bytes'),
  readOnly('log.retention.hours', 'int', () => 168, "Kafka's default retention in hours, behind log.retention.ms.", 'hours'),
  readOnly('replica.high.watermark.checkpoint.interval.ms', 'long', (c) => c.replicaHighWatermarkCheckpointIntervalMs, 'How often changed high watermarks are written to the data directory; a clean close always writes them.', 'ms'),
  readOnly('log.retention.check.interval.ms', 'long', (c) => c.retentionCheckIntervalMs, 'How often retention and compaction run.', 'ms'),
  readOnly('producer.id.expiration.ms', 'int', (c) => c.producerIdExpirationMs, 'How long an idle producer\'s sequence state is kept.', 'ms'),
  readOnly('offsets.topic.num.partitions', 'int', (c) => c.offsetsTopicNumPartitions, 'Partitions of __consumer_offsets when it is created.'),
  readOnly('offsets.topic.replication.factor', 'short', () => STATE_TOPIC_REPLICATION_FACTOR, 'Replicas of __consumer_offsets and the other internal topics; fewer when fewer brokers are live at their creation (one on a single broker).'),
  readOnly('offsets.retention.minutes', 'int', (c) => c.offsetsRetentionMinutes, 'How long committed offsets stay after their group became empty.', 'minutes'),
  readOnly('group.initial.rebalance.delay.ms', 'int', (c) => c.groupInitialRebalanceDelayMs, 'How long the first rebalance of an empty group waits for more members.', 'ms'),
  readOnly('group.min.session.timeout.ms', 'int', (c) => c.groupMinSessionTimeoutMs, 'Smallest session timeout a group member may ask for.', 'ms'),
  readOnly('group.max.session.timeout.ms', 'int', (c) => c.groupMaxSessionTimeoutMs, 'Largest session timeout a group member may ask for.', 'ms'),
  readOnly('transaction.state.log.num.partitions', 'int', (c) => c.transactionStateNumPartitions, 'Partitions of __transaction_state when it is created.'),
  readOnly('transaction.state.log.replication.factor', 'short', () => STATE_TOPIC_REPLICATION_FACTOR, 'Replicas of __transaction_state; fewer when fewer brokers are live at its creation (one on a single broker).'),
  readOnly('transaction.max.timeout.ms', 'int', (c) => c.transactionMaxTimeoutMs, 'Largest transaction timeout a producer may ask for.', 'ms'),
  readOnly('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', (c) => c.transactionTimeoutCheckIntervalMs, 'How often transactions past their timeout are aborted.', 'ms'),
];

/** Dynamic configs of the broker itself, not topic defaults. */
const DYNAMIC_OWN: BrokerConfigDef[] = [
  {
    name: 'follower.replication.throttled.rate',
    type: 'long',
    unit: 'bytes/s',
    doc: 'Bytes per second this broker fetches, over all its leaders, for the replicas topics list in follower.replication.throttled.replicas (a reassignment sets both with --throttle).',
    validate: long(1),
    effect: 'applied',
    dynamic: true,
    staticValue: () => LONG_MAX,
  },
  {
    name: 'leader.replication.throttled.rate',
    type: 'long',
    unit: 'bytes/s',
    doc: "Kafka's leader side of the replication throttle; stored only: Sluice throttles on the follower side.",
    validate: long(1),
    effect: 'stored',
    dynamic: true,
    staticValue: () => LONG_MAX,
  },
];

/** follower.replication.throttled.rate as bytes per second; Infinity when unset. */
export function throttleRate(configs: BrokerConfigs): number {
  const value = configs.value('follower.replication.throttled.rate');
  return value === LONG_MAX ? Infinity : Number(value);
}

/** The broker synonym of a topic config: dynamic, validated as the topic config, its value the topic's default. */
function synonymOf(t: TopicConfigDef): BrokerConfigDef {
  const fromOption = t.fromBrokerConfig;
  return {
    name: t.brokerSynonym as string,
    type: t.type,
    unit: t.unit,
    doc: `Default ${t.name} of topics that do not set it. ${t.doc}`,
    validate: t.validate,
    effect: t.effect,
    dynamic: true,
    staticValue: fromOption ? (c) => String(fromOption(c)) : () => t.default,
  };
}

export const BROKER_CONFIG_DEFS: readonly BrokerConfigDef[] = [...READ_ONLY, ...DYNAMIC_OWN, ...TOPIC_CONFIG_DEFS.filter((t) => t.brokerSynonym).map(synonymOf)].sort((a, b) =>
  a.name.localeCompare(b.name),
);

const BY_NAME = new Map(BROKER_CONFIG_DEFS.map((d) => [d.name, d]));

export function brokerConfigDef(name: string): BrokerConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Returns why a broker config change is refused (unknown, read-only, bad value), or null. */
export function brokerConfigProblem(name: string, value: string | null): { kind: 'unknown' | 'read-only' | 'invalid'; message: string } | null {
  const def = BY_NAME.get(name);
  if (!def) return { kind: 'unknown', message: `unknown broker config "${name}"` };
  if (!def.dynamic) return { kind: 'read-only', message: `${name} cannot be changed while the broker runs; set it at start-up` };
  const problem = value === null ? null : def.validate(value);
  return problem ? { kind: 'invalid', message: `${name} ${problem}, got "${value}"` } : null;
}

/**
 * The broker's effective configs: start-up options plus the dynamic overrides
 * the store holds. Read on every use, so a change applies at once.
 */
export class BrokerConfigs implements TopicDefaults {
  private readonly scope: string;

  constructor(
    readonly config: BrokerConfig,
    private readonly store: DynamicBrokerConfigStore,
  ) {
    this.scope = String(config.nodeId);
  }

  /** Whether `name` is this broker's resource name ("" is the cluster-wide default). */
  isThisBroker(name: string): boolean {
    return name === '' || name === this.scope;
  }

  /** Every source of broker config `def`, highest precedence first. */
  private chain(def: BrokerConfigDef): { name: string; value: string; source: number }[] {
    const chain: { name: string; value: string; source: number }[] = [];
    const own = this.store.brokerConfigs(this.scope)[def.name];
    if (own !== undefined) chain.push({ name: def.name, value: own, source: ConfigSource.DYNAMIC_BROKER });
    const clusterDefault = this.store.brokerConfigs('')[def.name];
    if (clusterDefault !== undefined) chain.push({ name: def.name, value: clusterDefault, source: ConfigSource.DYNAMIC_DEFAULT_BROKER });
    // A start-up option equal to the built-in default cannot be told from an unset one; both count as the default.
    const staticValue = def.staticValue(this.config);
    const builtIn = def.staticValue(defaultConfig);
    if (staticValue !== builtIn) chain.push({ name: def.name, value: staticValue, source: ConfigSource.STATIC_BROKER });
    chain.push({ name: def.name, value: builtIn, source: ConfigSource.DEFAULT });
    return chain;
  }

  /** The effective value of broker config `name` (which must be in the table). */
  value(name: string): string {
    const def = BY_NAME.get(name) as BrokerConfigDef;
    return this.store.brokerConfigs(this.scope)[name] ?? this.store.brokerConfigs('')[name] ?? def.staticValue(this.config);
  }

  topicDefault(name: string): string {
    const def = topicConfigDef(name) as TopicConfigDef;
    return def.brokerSynonym ? this.value(def.brokerSynonym) : def.default;
  }

  /**
   * Every broker config, as DescribeConfigs of this broker lists them; with
   * `defaultsOnly` (resource name "") only the cluster-wide dynamic ones, as Kafka.
   */
  describeBroker(defaultsOnly: boolean): DescribedConfig[] {
    if (defaultsOnly) {
      const stored = this.store.brokerConfigs('');
      return BROKER_CONFIG_DEFS.filter((d) => stored[d.name] !== undefined).map((def) => {
        const synonyms = [{ name: def.name, value: stored[def.name], source: ConfigSource.DYNAMIC_DEFAULT_BROKER }];
        return { def, value: stored[def.name], source: ConfigSource.DYNAMIC_DEFAULT_BROKER, readOnly: false, synonyms };
      });
    }
    return BROKER_CONFIG_DEFS.map((def) => {
      const synonyms = this.chain(def);
      return { def, value: synonyms[0].value, source: synonyms[0].source, readOnly: !def.dynamic, synonyms };
    });
  }

  /** Every topic config of a topic with overrides `configs`: its value, source and synonyms. */
  describeTopic(configs: TopicConfigs): DescribedConfig[] {
    return TOPIC_CONFIG_DEFS.map((def) => {
      const synonyms: { name: string; value: string; source: number }[] = [];
      if (configs[def.name] !== undefined) synonyms.push({ name: def.name, value: configs[def.name], source: ConfigSource.TOPIC });
      const brokerDef = def.brokerSynonym ? BY_NAME.get(def.brokerSynonym) : undefined;
      if (brokerDef) synonyms.push(...this.chain(brokerDef));
      else synonyms.push({ name: def.name, value: def.default, source: ConfigSource.DEFAULT });
      return { def, value: synonyms[0].value, source: synonyms[0].source, readOnly: false, synonyms };
    });
  }
}
