// Broker configuration: every option in one typed place, with unit and default,
// validated once at start-up and passed down by constructor argument.
// Only src/cli reads process.env; it maps SLUICE_* variables onto these names.

import path from 'node:path';
import { SERVER_ASSIGNORS } from './coordinator/group/consumer/assignor.js';
import { boolean, integer, ipCounts, limitOrOff, nameList, oneOf, principalList, urlList } from './config-values.js';
import { ConfigError } from './errors.js';
import { type ListenerAddress, type SecurityProtocol, parseListeners, usesSasl, usesTls } from './listener-config.js';
import type { FlushPolicy } from './storage/partition-log.js';

export interface BrokerConfig {
  /** Interface the Kafka listener binds. Default 127.0.0.1. */
  host: string;
  /** Kafka listener port; 0 picks a free port. Default 9092. */
  port: number;
  /** Host name given to clients in Metadata; defaults to `host`. */
  advertisedHost: string;
  /**
   * Kafka listeners, `NAME://host:port` comma-separated, the name a security
   * protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), each on a port of its
   * own (0: a free one). Empty: one PLAINTEXT listener on `host`:`port`. The first
   * PLAINTEXT listener (else the first) is the broker's primary one: `host` and
   * `port` name it once bound. Default ''. Kafka's listeners.
   */
  listeners: ListenerAddress[];
  /**
   * What Metadata tells a client about each listener, in the same form (port 0:
   * the bound one); a listener not named here is advertised at its own address,
   * with `advertisedHost` in place of a wildcard host. Default ''. Kafka's advertised.listeners.
   */
  advertisedListeners: ListenerAddress[];
  /** PEM file of the server's certificate chain for SSL and SASL_SSL listeners; '' for none. Default ''. Kafka's ssl.keystore.location. */
  tlsCert: string;
  /** PEM file of the private key of `tlsCert`. Default ''. */
  tlsKey: string;
  /** PEM file of the CAs client certificates are verified against; '' for Node's default CAs. Default ''. Kafka's ssl.truststore.location. */
  tlsCa: string;
  /**
   * Whether TLS listeners ask clients for a certificate: none, requested (verified
   * when given), required. A verified certificate's subject is the connection's
   * principal. Default none. Kafka's ssl.client.auth.
   */
  tlsClientAuth: TlsClientAuth;
  /**
   * SASL mechanisms SASL_PLAINTEXT and SASL_SSL listeners offer: SCRAM-SHA-512,
   * SCRAM-SHA-256, PLAIN (checked against the users' SCRAM credentials). A string
   * is split at commas. Default ["SCRAM-SHA-512", "SCRAM-SHA-256"]. Kafka's sasl.enabled.mechanisms.
   */
  saslMechanisms: string[];
  /** Whether PLAIN is offered on SASL_PLAINTEXT listeners too, where the password crosses the network in clear. Default false. */
  saslPlainAllowPlaintext: boolean;
  /**
   * Lifetime of a SASL session (ms): a client is told it (SaslAuthenticate v1+) and
   * must re-authenticate before it lapses, or its next request closes the
   * connection (KIP-368). 0: sessions never lapse. Default 0, as Kafka's connections.max.reauth.ms.
   */
  connectionsMaxReauthMs: number;
  /**
   * Who decides what a principal may do: none (everyone may do everything, as
   * Kafka without authorizer.class.name) or acl (the ACL bindings of
   * `<dataDir>/acls`, in a cluster those in etcd; deny by default). Default none.
   */
  authorizer: AuthorizerKind;
  /**
   * Principals the ACL authorizer allows everything, `User:<name>`; a string is
   * split at commas (Kafka's super.users uses semicolons; both are taken). Default [].
   */
  superUsers: string[];
  /** Where partition logs and cluster metadata live. Default ./data. */
  dataDir: string;
  /** This broker's node id. Default 0. */
  nodeId: number;
  /** Create unknown topics on Metadata (when the client allows) and Produce. Default true. */
  autoCreateTopicsEnable: boolean;
  /** Partitions of auto-created topics. Default 1. */
  numPartitions: number;
  /** Largest request frame accepted (bytes); larger frames close the connection. Default 100 MiB. */
  socketRequestMaxBytes: number;
  /**
   * Largest Fetch response the broker builds (bytes), whatever the client's max_bytes;
   * the first batch still goes whole (KIP-74). Default 57671680 (55 MiB), as Kafka's fetch.max.bytes.
   */
  fetchMaxBytes: number;
  /**
   * Longest a Fetch may wait for data, whatever its max_wait_ms (ms). Clients
   * give up on a request after their own timeout (30 s by default in Kafka's),
   * so a longer wait only holds the connection's answers behind it. Default
   * 30000. Sluice's own: Kafka honours any max_wait_ms.
   */
  fetchMaxWaitMs: number;
  /**
   * Bytes of requests read and not yet answered, over all connections, past which no
   * connection reads another request until answers go out (bytes); -1: no limit.
   * Default 268435456 (256 MiB). Kafka's queued.max.request.bytes, whose default is -1:
   * Sluice bounds it, as one client pipelining large produces could otherwise hold
   * any amount of memory.
   */
  queuedMaxRequestBytes: number;
  /**
   * Bytes of responses one connection may hold for a client that does not read them
   * (bytes): responses written and not yet taken by the socket, plus the largest
   * answers of the fetches in flight (their max_bytes, capped by fetchMaxBytes). Past
   * it the connection reads no more requests until the client drains its socket; a
   * connection with nothing in flight still takes one request if what it wrote and the
   * client has not read is under the limit. Default 16777216 (16 MiB).
   * Sluice's own: Kafka handles one request per connection at a time.
   */
  connectionMaxBufferedResponseBytes: number;
  /**
   * Open client connections the broker keeps; one past it is closed at once (Kafka
   * instead waits to accept it). Default 10000 (Kafka's max.connections is unlimited:
   * Sluice bounds it so a connection flood meets a limit before the file descriptors run out).
   */
  maxConnections: number;
  /** Open connections from one client address; one past it is closed at once. Default 2147483647 (no limit), as Kafka's max.connections.per.ip. */
  maxConnectionsPerIp: number;
  /**
   * maxConnectionsPerIp for chosen client addresses, `ip:count` comma-separated
   * (an IPv6 address before its last colon) or an object; addresses only, no host
   * names. Default '' (none). Kafka's max.connections.per.ip.overrides.
   */
  maxConnectionsPerIpOverrides: Record<string, number>;
  /**
   * New connections per second over the whole broker, measured as client quotas
   * are (quotaWindowNum, quotaWindowSizeSeconds); one past it is closed at once
   * (Kafka delays accepting it instead). Per client address, the
   * connection_creation_rate quota of ip entities (AlterClientQuotas) applies
   * too. Default 2147483647 (no limit), as Kafka's max.connection.creation.rate.
   */
  maxConnectionCreationRate: number;
  /**
   * A connection with no bytes read or written for this long, and no request in
   * flight, is closed (ms). Default 600000 (10 minutes), as Kafka's connections.max.idle.ms.
   */
  connectionsMaxIdleMs: number;
  /**
   * Samples a client quota's rate is measured over (KIP-13): the rate is the
   * bytes (or request time) of the last quotaWindowNum windows over their span.
   * Default 11, as Kafka's quota.window.num.
   */
  quotaWindowNum: number;
  /** Span of one quota sample (seconds). Default 1, as Kafka's quota.window.size.seconds. */
  quotaWindowSizeSeconds: number;
  /** Largest record batch accepted (bytes), default for topic max.message.bytes. Default 1 MiB + 12. */
  messageMaxBytes: number;
  /** Default segment.bytes (bytes). Default 1 GiB. */
  segmentBytes: number;
  /** Default segment.ms (ms). Default 7 days. */
  segmentMs: number;
  /** Default retention.ms (ms); -1 keeps forever. Default 7 days. */
  retentionMs: number;
  /** Default retention.bytes per partition (bytes); -1 means no limit. Default -1. */
  retentionBytes: number;
  /** Default flush.policy. Default group-commit. */
  flushPolicy: FlushPolicy;
  /** Default flush.interval.ms for the interval policy (ms). Default 1000. */
  flushIntervalMs: number;
  /** How often log retention and committed-offset retention are enforced (ms). Default 5 minutes. */
  retentionCheckIntervalMs: number;
  /**
   * Rate at which the background scrubber re-checks the CRC32C of closed log
   * segments, across all partitions (bytes per second); 0 turns it off.
   * Default 16 MiB/s (storage/scrubber.ts).
   */
  scrubBytesPerSec: number;
  /**
   * Partitions this broker holds over all topics, internal ones included; a
   * CreateTopics or CreatePartitions past it answers INVALID_PARTITIONS. Each
   * partition costs memory (about 60 KiB) and open files, so one request must
   * not be able to exhaust either. Default 10000. Sluice's own: Kafka has no such
   * limit (Redpanda bounds partitions per core).
   */
  maxPartitions: number;
  /**
   * Records of one share-group partition between its start offset and the last
   * record handed out (acquired, or settled behind an unsettled one) before no new
   * records are acquired. Default 2000, as Kafka's group.share.partition.max.record.locks.
   */
  shareMaxInFlightRecords: number;
  /** Partitions of __share_group_state when it is created. Default 50, as Kafka's share.coordinator.state.topic.num.partitions. */
  shareStateTopicNumPartitions: number;
  /**
   * How often each partition's producer state and dedup window are snapshotted
   * beside its log when they changed (ms); a restart after a crash replays the
   * log from the last snapshot. A clean close always writes one. Default 60000.
   */
  stateSnapshotIntervalMs: number;
  /**
   * How long a partition keeps an idle producer's sequence state (ms): a retry
   * later than this is no longer recognised as a duplicate. Default 86400000
   * (1 day), as Kafka's producer.id.expiration.ms.
   */
  producerIdExpirationMs: number;
  /**
   * Partitions of the internal `__consumer_offsets` topic, used when the broker
   * creates it (on the first use of a group, as Kafka); an existing topic keeps
   * its count. Default 50, as Kafka's offsets.topic.num.partitions.
   */
  offsetsTopicNumPartitions: number;
  /**
   * How long the committed offsets of a group stay after the group became empty
   * (minutes); for groups that never used group management, counted from each
   * offset's commit. Default 10080 (7 days), as Kafka's offsets.retention.minutes.
   */
  offsetsRetentionMinutes: number;
  /**
   * How long the first rebalance of an empty group waits for more members to join
   * (ms), extended by each new member up to the rebalance timeout. Default 0: a
   * lone consumer starts at once, which is what development setups and most
   * client test suites expect (Kafka's own default is 3000; librdkafka's
   * cooperative-rebalance tests count callbacks assuming it: with 0, consumers
   * started together may join one after the other, as from Kafka set to 0).
   */
  groupInitialRebalanceDelayMs: number;
  /** Smallest session timeout a group member may ask for (ms); others get INVALID_SESSION_TIMEOUT. Default 6000. */
  groupMinSessionTimeoutMs: number;
  /** Largest session timeout a group member may ask for (ms). Default 1800000 (30 minutes). */
  groupMaxSessionTimeoutMs: number;
  /**
   * Heartbeat interval the broker gives consumer-protocol group members (KIP-848,
   * `group.protocol=consumer`) (ms). Default 5000, as Kafka's group.consumer.heartbeat.interval.ms.
   */
  groupConsumerHeartbeatIntervalMs: number;
  /**
   * How long a consumer-protocol member may go without a heartbeat before it is
   * removed and its partitions reassigned (ms). Default 45000, as Kafka's
   * group.consumer.session.timeout.ms.
   */
  groupConsumerSessionTimeoutMs: number;
  /**
   * Server-side assignors consumer-protocol groups may use, by name ("uniform",
   * "range"); the first is the default, a member may ask for another. Default
   * ["uniform", "range"], as Kafka's group.consumer.assignors. A string is split at commas.
   */
  groupConsumerAssignors: string[];
  /**
   * Partitions of the internal `__transaction_state` topic, used when the broker
   * creates it (on the first use of a transactional id); an existing topic keeps
   * its count. Default 50, as Kafka's transaction.state.log.num.partitions.
   */
  transactionStateNumPartitions: number;
  /** Largest transaction timeout a producer may ask for (ms); others get INVALID_TRANSACTION_TIMEOUT. Default 900000 (15 minutes), as Kafka's transaction.max.timeout.ms. */
  transactionMaxTimeoutMs: number;
  /** How often transactions open past their timeout are aborted (ms). Default 10000, as Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms. */
  transactionTimeoutCheckIntervalMs: number;
  /**
   * Port of the HTTP API (src/http/) on `host`; 0 turns it off. Default 0 for an
   * embedded broker; `sluice serve` defaults it to 8080.
   */
  httpPort: number;
  /** Whether the HTTP API may change anything (produce, create and delete topics, alter configs); false: read-only. Default false. */
  httpWrites: boolean;
  /** Bearer token every HTTP API request must carry; '' for none. Default ''. */
  httpToken: string;
  /**
   * How HTTP API requests prove who sends them: 'none', or 'basic' (HTTP Basic
   * with a SASL user's name and password, checked against the user's SCRAM
   * credential; every route, the console's page included). Not with httpToken. Default 'none'.
   */
  httpAuth: HttpAuth;
  /** Whether the HTTP API (and the console) is served over HTTPS with the TLS listeners' certificate, tlsCert and tlsKey. Default false. */
  httpTls: boolean;
  /** Whether GET /metrics also gives records and bytes in and out per partition (one series per partition: many on a big broker). Default false: per topic. */
  metricsPartitions: boolean;
  /**
   * etcd endpoints of the cluster's control plane (e.g. ["http://127.0.0.1:2379"]); a
   * string is split at commas. Empty: a broker of its own, with its metadata in
   * the data directory. Default [].
   */
  etcd: string[];
  /** Key prefix under which the cluster keeps its state in etcd; clusters sharing an etcd need different ones. Default "/sluice". */
  etcdPrefix: string;
  /**
   * TTL of this broker's registration lease in etcd (ms): a broker that cannot
   * renew it for this long is dead to the cluster, and stops acknowledging as a
   * leader on its own. Default 6000.
   */
  brokerLeaseTtlMs: number;
  /** Rack of this broker, for rack-aware replica placement; '' for none. Default ''. */
  rack: string;
  /**
   * Address ("host:port") other brokers fetch replicas from; '' for the Kafka
   * listener's advertised address. Default ''.
   */
  replicationAddress: string;
  /**
   * The listener (by its security protocol) other brokers reach this one on to
   * replicate and send transaction markers, with the TLS and SASL settings
   * below; '' for replicationAddress, else the first PLAINTEXT listener, without
   * TLS or SASL. Default ''. Kafka's inter.broker.listener.name.
   */
  interBrokerListenerName: string;
  /** The SASL mechanism brokers log in to each other with, on a SASL inter-broker listener. Default SCRAM-SHA-512. Kafka's sasl.mechanism.inter.broker.protocol. */
  interBrokerSaslMechanism: string;
  /** The user brokers log in to each other as, on a SASL inter-broker listener (a SASL user, created with `sluice user`). Default ''. */
  interBrokerSaslUsername: string;
  /** That user's password. Default ''. */
  interBrokerSaslPassword: string;
  /**
   * A follower that has not caught up with the leader's log end for this long
   * leaves the ISR (ms). Default 30000, as Kafka's replica.lag.time.max.ms.
   */
  replicaLagTimeMaxMs: number;
  /** Longest a follower's fetch waits at the leader for new records (ms). Default 500, as Kafka's replica.fetch.wait.max.ms. */
  replicaFetchWaitMaxMs: number;
  /**
   * How often the high watermarks of this broker's partitions are written to
   * `<dataDir>/replication-offset-checkpoint` when one moved (ms); a clean
   * close always writes them. A replica reopened after a crash starts its high
   * watermark from the last write. Default 5000, as Kafka's
   * replica.high.watermark.checkpoint.interval.ms.
   */
  replicaHighWatermarkCheckpointIntervalMs: number;
  /** pino log level. Default info. */
  logLevel: string;
}

export type TlsClientAuth = 'none' | 'requested' | 'required';
export type HttpAuth = 'none' | 'basic';
export type AuthorizerKind = 'none' | 'acl';
const AUTHORIZERS: readonly AuthorizerKind[] = ['none', 'acl'];

export const defaultConfig: BrokerConfig = {
  host: '127.0.0.1',
  port: 9092,
  advertisedHost: '',
  listeners: [],
  advertisedListeners: [],
  tlsCert: '',
  tlsKey: '',
  tlsCa: '',
  tlsClientAuth: 'none',
  saslMechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256'],
  saslPlainAllowPlaintext: false,
  connectionsMaxReauthMs: 0,
  authorizer: 'none',
  superUsers: [],
  dataDir: './data',
  nodeId: 0,
  autoCreateTopicsEnable: true,
  numPartitions: 1,
  socketRequestMaxBytes: 100 * 1024 * 1024,
  fetchMaxBytes: 55 * 1024 * 1024,
  fetchMaxWaitMs: 30_000,
  queuedMaxRequestBytes: 256 * 1024 * 1024,
  connectionMaxBufferedResponseBytes: 16 * 1024 * 1024,
  maxConnections: 10_000,
  maxConnectionsPerIp: 2 ** 31 - 1,
  maxConnectionsPerIpOverrides: {},
  maxConnectionCreationRate: 2 ** 31 - 1,
  connectionsMaxIdleMs: 10 * 60 * 1000,
  quotaWindowNum: 11,
  quotaWindowSizeSeconds: 1,
  messageMaxBytes: 1024 * 1024 + 12,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  flushPolicy: 'group-commit',
  flushIntervalMs: 1000,
  retentionCheckIntervalMs: 5 * 60 * 1000,
  scrubBytesPerSec: 16 * 1024 * 1024,
  maxPartitions: 10_000,
  shareMaxInFlightRecords: 2000,
  shareStateTopicNumPartitions: 50,
  stateSnapshotIntervalMs: 60 * 1000,
  producerIdExpirationMs: 24 * 3600 * 1000,
  offsetsTopicNumPartitions: 50,
  offsetsRetentionMinutes: 7 * 24 * 60,
  groupInitialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 30 * 60 * 1000,
  groupConsumerHeartbeatIntervalMs: 5000,
  groupConsumerSessionTimeoutMs: 45_000,
  groupConsumerAssignors: ['uniform', 'range'],
  transactionStateNumPartitions: 50,
  transactionMaxTimeoutMs: 15 * 60 * 1000,
  transactionTimeoutCheckIntervalMs: 10_000,
  httpPort: 0,
  httpWrites: false,
  metricsPartitions: false,
  httpToken: '',
  httpAuth: 'none',
  httpTls: false,
  etcd: [],
  etcdPrefix: '/sluice',
  brokerLeaseTtlMs: 6000,
  rack: '',
  replicationAddress: '',
  interBrokerListenerName: '',
  interBrokerSaslMechanism: 'SCRAM-SHA-512',
  interBrokerSaslUsername: '',
  interBrokerSaslPassword: '',
  replicaLagTimeMaxMs: 30_000,
  replicaFetchWaitMaxMs: 500,
  replicaHighWatermarkCheckpointIntervalMs: 5000,
  logLevel: 'info',
};

const FLUSH_POLICIES: readonly FlushPolicy[] = ['group-commit', 'interval', 'os'];
const TLS_CLIENT_AUTH: readonly TlsClientAuth[] = ['none', 'requested', 'required'];
const HTTP_AUTH: readonly HttpAuth[] = ['none', 'basic'];
const SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'];
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);

/**
 * The listeners and what each advertises. Without `listeners`, host and port make
 * one PLAINTEXT listener. TLS listeners need a certificate and its key.
 */
function resolveListeners(o: Record<string, unknown>, host: string, port: number, advertisedHost: string) {
  const given = parseListeners('listeners', o.listeners);
  const listeners = given.length > 0 ? given : [{ name: 'PLAINTEXT' as const, host, port }];
  const advertised = parseListeners('advertisedListeners', o.advertisedListeners);
  for (const a of advertised) {
    if (!listeners.some((l) => l.name === a.name)) throw new ConfigError(`advertisedListeners names ${a.name}, which is not among the listeners`);
    if (WILDCARD_HOSTS.has(a.host)) throw new ConfigError(`advertisedListeners: ${a.name} advertises "${a.host}", which clients cannot connect to`);
  }
  const advertisedListeners = listeners.map(
    (l) => advertised.find((a) => a.name === l.name) ?? { name: l.name, host: WILDCARD_HOSTS.has(l.host) || advertisedHost !== host ? advertisedHost : l.host, port: 0 },
  );
  const tlsClientAuth = String(o.tlsClientAuth) as TlsClientAuth;
  if (!TLS_CLIENT_AUTH.includes(tlsClientAuth)) throw new ConfigError(`tlsClientAuth must be one of ${TLS_CLIENT_AUTH.join(', ')}, got ${JSON.stringify(o.tlsClientAuth)}`);
  const tlsCert = String(o.tlsCert);
  const tlsKey = String(o.tlsKey);
  if (listeners.some((l) => usesTls(l.name)) && (tlsCert === '' || tlsKey === '')) {
    throw new ConfigError('an SSL or SASL_SSL listener needs tlsCert and tlsKey (the server certificate and its private key, PEM files)');
  }
  return { listeners, advertisedListeners, tlsCert, tlsKey, tlsCa: String(o.tlsCa), tlsClientAuth };
}

type InterBrokerSettings = Pick<BrokerConfig, 'interBrokerListenerName' | 'interBrokerSaslMechanism' | 'interBrokerSaslUsername' | 'interBrokerSaslPassword'>;

/** The inter-broker listener: one of this broker's own, not with replicationAddress; a SASL one needs the brokers' user. */
function resolveInterBroker(o: Record<string, unknown>, listeners: readonly ListenerAddress[], replicationAddress: string): InterBrokerSettings {
  const name = String(o.interBrokerListenerName);
  const settings = {
    interBrokerListenerName: name,
    interBrokerSaslMechanism: oneOf('interBrokerSaslMechanism', o.interBrokerSaslMechanism, SASL_MECHANISMS),
    interBrokerSaslUsername: String(o.interBrokerSaslUsername),
    interBrokerSaslPassword: String(o.interBrokerSaslPassword),
  };
  if (name === '') return settings;
  if (!listeners.some((l) => l.name === name)) throw new ConfigError(`interBrokerListenerName must name one of this broker's listeners (${listeners.map((l) => l.name).join(', ')}), got ${JSON.stringify(name)}`);
  if (replicationAddress !== '') throw new ConfigError('interBrokerListenerName and replicationAddress exclude each other: brokers reach each other on that listener');
  if (usesSasl(name as SecurityProtocol) && (settings.interBrokerSaslUsername === '' || settings.interBrokerSaslPassword === '')) {
    throw new ConfigError(`the inter-broker listener ${name} asks for a SASL login: set interBrokerSaslUsername and interBrokerSaslPassword (a user created with sluice user create)`);
  }
  return settings;
}

/** Who brokers are to each other, where it is known from the configuration (not on SSL: a certificate's subject). */
function interBrokerPrincipal(s: InterBrokerSettings): string | null {
  if (s.interBrokerListenerName === '' || s.interBrokerListenerName === 'PLAINTEXT') return 'User:ANONYMOUS';
  return usesSasl(s.interBrokerListenerName as SecurityProtocol) ? `User:${s.interBrokerSaslUsername}` : null;
}

/** Merges `overrides` over the defaults and validates every option. */
export function resolveConfig(overrides: Partial<Record<keyof BrokerConfig, unknown>> = {}): BrokerConfig {
  for (const key of Object.keys(overrides)) {
    if (!(key in defaultConfig)) throw new ConfigError(`unknown option "${key}"`);
  }
  const o = { ...defaultConfig, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const flushPolicy = oneOf('flushPolicy', o.flushPolicy, FLUSH_POLICIES);
  const host = String(o.host);
  const port = integer('port', o.port, 0, 65535);
  const advertisedHost = String(o.advertisedHost || host);
  const groupMinSessionTimeoutMs = integer('groupMinSessionTimeoutMs', o.groupMinSessionTimeoutMs, 1, 2 ** 31 - 1);
  const groupMaxSessionTimeoutMs = integer('groupMaxSessionTimeoutMs', o.groupMaxSessionTimeoutMs, groupMinSessionTimeoutMs, 2 ** 31 - 1);
  const groupConsumerHeartbeatIntervalMs = integer('groupConsumerHeartbeatIntervalMs', o.groupConsumerHeartbeatIntervalMs, 1, 2 ** 31 - 2);
  const listening = resolveListeners(o, host, port, advertisedHost);
  const etcd = urlList('etcd', o.etcd);
  const httpAuth = oneOf('httpAuth', o.httpAuth, HTTP_AUTH);
  const httpTls = boolean('httpTls', o.httpTls);
  if (httpTls && (listening.tlsCert === '' || listening.tlsKey === '')) throw new ConfigError('httpTls needs tlsCert and tlsKey (the certificate the HTTP API is served with, PEM files)');
  if (httpAuth !== 'none' && String(o.httpToken) !== '') throw new ConfigError('httpAuth basic and httpToken exclude each other: users log in with their own passwords, or everyone uses the one token');
  const replicationAddress = String(o.replicationAddress);
  const interBroker = resolveInterBroker(o, listening.listeners, replicationAddress);
  // Without an inter-broker listener, followers and transaction markers connect without TLS or SASL (replica-fetchers, txn-marker-sender).
  if (etcd.length > 0 && interBroker.interBrokerListenerName === '' && replicationAddress === '' && !listening.listeners.some((l) => l.name === 'PLAINTEXT')) {
    throw new ConfigError('in a cluster, brokers replicate over a PLAINTEXT listener unless interBrokerListenerName names another: add one that only the brokers can reach, name such an address with replicationAddress, or set interBrokerListenerName');
  }
  const authorizer = oneOf('authorizer', o.authorizer, AUTHORIZERS);
  const superUsers = principalList('superUsers', o.superUsers);
  // Brokers fetch from each other and send transaction markers as their inter-broker principal, which needs CLUSTER_ACTION.
  const brokerPrincipal = interBrokerPrincipal(interBroker);
  if (etcd.length > 0 && authorizer === 'acl' && brokerPrincipal !== null && !superUsers.includes(brokerPrincipal)) {
    throw new ConfigError(`in a cluster with the ACL authorizer, brokers replicate as ${brokerPrincipal}: add it to superUsers${brokerPrincipal === 'User:ANONYMOUS' ? ' and let only the brokers reach that PLAINTEXT listener, or set interBrokerListenerName to a SASL listener' : ''}`);
  }
  return {
    host,
    port,
    advertisedHost,
    ...listening,
    saslMechanisms: nameList('saslMechanisms', o.saslMechanisms, SASL_MECHANISMS),
    saslPlainAllowPlaintext: boolean('saslPlainAllowPlaintext', o.saslPlainAllowPlaintext),
    connectionsMaxReauthMs: integer('connectionsMaxReauthMs', o.connectionsMaxReauthMs, 0, 2 ** 31 - 1),
    authorizer,
    superUsers,
    dataDir: path.resolve(String(o.dataDir)),
    nodeId: integer('nodeId', o.nodeId, 0, 2 ** 31 - 1),
    autoCreateTopicsEnable: boolean('autoCreateTopicsEnable', o.autoCreateTopicsEnable),
    numPartitions: integer('numPartitions', o.numPartitions, 1, 100000),
    socketRequestMaxBytes: integer('socketRequestMaxBytes', o.socketRequestMaxBytes, 1024, 2 ** 31 - 1),
    fetchMaxBytes: integer('fetchMaxBytes', o.fetchMaxBytes, 1024, 2 ** 31 - 1),
    fetchMaxWaitMs: integer('fetchMaxWaitMs', o.fetchMaxWaitMs, 0, 2 ** 31 - 1),
    queuedMaxRequestBytes: limitOrOff('queuedMaxRequestBytes', o.queuedMaxRequestBytes),
    connectionMaxBufferedResponseBytes: integer('connectionMaxBufferedResponseBytes', o.connectionMaxBufferedResponseBytes, 1024, Number.MAX_SAFE_INTEGER),
    maxConnections: integer('maxConnections', o.maxConnections, 1, 2 ** 31 - 1),
    maxConnectionsPerIp: integer('maxConnectionsPerIp', o.maxConnectionsPerIp, 1, 2 ** 31 - 1),
    maxConnectionsPerIpOverrides: ipCounts('maxConnectionsPerIpOverrides', o.maxConnectionsPerIpOverrides),
    maxConnectionCreationRate: integer('maxConnectionCreationRate', o.maxConnectionCreationRate, 1, 2 ** 31 - 1),
    connectionsMaxIdleMs: integer('connectionsMaxIdleMs', o.connectionsMaxIdleMs, 1, 2 ** 31 - 1),
    quotaWindowNum: integer('quotaWindowNum', o.quotaWindowNum, 2, 1000),
    quotaWindowSizeSeconds: integer('quotaWindowSizeSeconds', o.quotaWindowSizeSeconds, 1, 3600),
    messageMaxBytes: integer('messageMaxBytes', o.messageMaxBytes, 64, 2 ** 31 - 1),
    segmentBytes: integer('segmentBytes', o.segmentBytes, 1024, 2 ** 31 - 1),
    segmentMs: integer('segmentMs', o.segmentMs, 1),
    retentionMs: integer('retentionMs', o.retentionMs, -1),
    retentionBytes: integer('retentionBytes', o.retentionBytes, -1),
    flushPolicy,
    flushIntervalMs: integer('flushIntervalMs', o.flushIntervalMs, 1),
    retentionCheckIntervalMs: integer('retentionCheckIntervalMs', o.retentionCheckIntervalMs, 10),
    scrubBytesPerSec: integer('scrubBytesPerSec', o.scrubBytesPerSec, 0),
    maxPartitions: integer('maxPartitions', o.maxPartitions, 1, 1_000_000),
    shareMaxInFlightRecords: integer('shareMaxInFlightRecords', o.shareMaxInFlightRecords, 100, 10_000),
    shareStateTopicNumPartitions: integer('shareStateTopicNumPartitions', o.shareStateTopicNumPartitions, 1, 1000),
    stateSnapshotIntervalMs: integer('stateSnapshotIntervalMs', o.stateSnapshotIntervalMs, 10, 2 ** 31 - 1),
    producerIdExpirationMs: integer('producerIdExpirationMs', o.producerIdExpirationMs, 1),
    offsetsTopicNumPartitions: integer('offsetsTopicNumPartitions', o.offsetsTopicNumPartitions, 1, 1000),
    offsetsRetentionMinutes: integer('offsetsRetentionMinutes', o.offsetsRetentionMinutes, 1, 2 ** 31 - 1),
    groupInitialRebalanceDelayMs: integer('groupInitialRebalanceDelayMs', o.groupInitialRebalanceDelayMs, 0, 2 ** 31 - 1),
    groupMinSessionTimeoutMs,
    groupMaxSessionTimeoutMs,
    groupConsumerHeartbeatIntervalMs,
    groupConsumerSessionTimeoutMs: integer('groupConsumerSessionTimeoutMs', o.groupConsumerSessionTimeoutMs, groupConsumerHeartbeatIntervalMs + 1, 2 ** 31 - 1),
    groupConsumerAssignors: nameList('groupConsumerAssignors', o.groupConsumerAssignors, [...SERVER_ASSIGNORS.keys()]),
    transactionStateNumPartitions: integer('transactionStateNumPartitions', o.transactionStateNumPartitions, 1, 1000),
    transactionMaxTimeoutMs: integer('transactionMaxTimeoutMs', o.transactionMaxTimeoutMs, 1, 2 ** 31 - 1),
    transactionTimeoutCheckIntervalMs: integer('transactionTimeoutCheckIntervalMs', o.transactionTimeoutCheckIntervalMs, 10, 2 ** 31 - 1),
    httpPort: integer('httpPort', o.httpPort, 0, 65535),
    httpWrites: boolean('httpWrites', o.httpWrites),
    metricsPartitions: boolean('metricsPartitions', o.metricsPartitions),
    httpToken: String(o.httpToken),
    httpAuth,
    httpTls,
    etcd,
    etcdPrefix: String(o.etcdPrefix),
    brokerLeaseTtlMs: integer('brokerLeaseTtlMs', o.brokerLeaseTtlMs, 1000, 2 ** 31 - 1),
    rack: String(o.rack),
    replicationAddress,
    ...interBroker,
    replicaLagTimeMaxMs: integer('replicaLagTimeMaxMs', o.replicaLagTimeMaxMs, 10, 2 ** 31 - 1),
    replicaFetchWaitMaxMs: integer('replicaFetchWaitMaxMs', o.replicaFetchWaitMaxMs, 0, 2 ** 31 - 1),
    replicaHighWatermarkCheckpointIntervalMs: integer('replicaHighWatermarkCheckpointIntervalMs', o.replicaHighWatermarkCheckpointIntervalMs, 10, 2 ** 31 - 1),
    logLevel: String(o.logLevel),
  };
}
