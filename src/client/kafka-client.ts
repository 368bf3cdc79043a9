// Cluster-aware client core: bootstrap, metadata, one connection per broker.
// Producer, consumer and admin are built on it.
//
// `any()` is the way in: the broker that answered last, else the brokers the
// last Metadata named and the bootstrap addresses, shuffled, those not backing
// off first, each tried in turn until one answers.

import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { MetadataRequest, MetadataResponse } from '../protocol/messages/metadata.js';
import { type BrokerAddress, parseBootstrap, shuffled } from './bootstrap.js';
import { ClientError, KafkaError } from './client-error.js';
import { type ClientSaslOptions, type ClientTlsOptions, checkSaslOptions } from './client-security.js';
import { type Api, BrokerConnection, type ConnectionOptions, type RequestOptions } from './connection.js';
import { ConnectionPool } from './connection-pool.js';
import { MetadataCache } from './metadata-cache.js';
import { type BackoffOptions, ReconnectBackoff } from './reconnect-backoff.js';

export interface ClientOptions extends BackoffOptions {
  /** "host:port" of brokers to start from, comma-separated or as an array; any one that answers will do. Default 127.0.0.1:9092. */
  bootstrap?: string | string[];
  clientId?: string;
  /** How long a request may wait for its answer (ms); on expiry it rejects with SLUICE_ERR_TIMEOUT and its connection closes. Default 30000. */
  requestTimeoutMs?: number;
  /** How long `cachedTopic` trusts what it knows of a topic before asking again (ms). Default 300000, as Kafka's metadata.max.age.ms. */
  metadataMaxAgeMs?: number;
  /** Speak TLS to every broker (Kafka's security.protocol SSL, or SASL_SSL with `sasl`). */
  tls?: ClientTlsOptions;
  /** Log in with SASL on every connection (Kafka's security.protocol SASL_PLAINTEXT, or SASL_SSL with `tls`). */
  sasl?: ClientSaslOptions;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicInfo {
  name: string;
  topicId: Buffer;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

/**
 * What a connection is for. Each purpose gets its own connection per broker,
 * because a broker answers one connection's requests in order: a long-polling
 * fetch must not delay a produce acknowledgement or a heartbeat.
 */
export type ConnectionPurpose = 'default' | 'produce' | 'fetch' | 'group' | 'admin';

export class KafkaClient {
  private readonly bootstrap: BrokerAddress[];
  readonly clientId: string;
  /** The default request timeout (ms); a long-poll adds its wait to it. */
  readonly requestTimeoutMs: number;
  /** What each connection of this client is opened with (also the group coordinator's, which is not pooled). */
  readonly connectionOptions: ConnectionOptions;
  private readonly pool: ConnectionPool;
  private readonly topics: MetadataCache;
  private brokers = new Map<number, BrokerAddress>();
  /** The address `any()` reached last; tried first next time. */
  private lastAnswered: BrokerAddress | null = null;

  constructor(private readonly options: ClientOptions = {}) {
    this.bootstrap = parseBootstrap(options.bootstrap ?? '127.0.0.1:9092');
    checkSaslOptions(options.sasl);
    this.clientId = options.clientId ?? 'sluice-cli';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.connectionOptions = { clientId: this.clientId, requestTimeoutMs: this.requestTimeoutMs, tls: options.tls, sasl: options.sasl };
    this.pool = new ConnectionPool(this.connectionOptions, new ReconnectBackoff(options));
    this.topics = new MetadataCache((name, allowAutoCreate) => this.fetchTopic(name, allowAutoCreate), options.metadataMaxAgeMs ?? 300_000);
  }

  /** A client of the same cluster with the same options and connections of its own (a reader whose long-polls must not queue behind others'). */
  withOwnConnections(clientId: string = this.clientId): KafkaClient {
    return new KafkaClient({ ...this.options, clientId });
  }

  /** The pooled connection for `purpose` to the broker at `host`:`port` (e.g. a coordinator FindCoordinator named). */
  connect(host: string, port: number, purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    return this.pool.get(host, port, purpose);
  }

  /** A connection to any broker that answers (see the top of this file). */
  async any(purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    if (this.lastAnswered) {
      try {
        return await this.connect(this.lastAnswered.host, this.lastAnswered.port, purpose);
      } catch (err) {
        if (isClosedError(err)) throw err;
        this.lastAnswered = null;
      }
    }
    const known = new Map([...this.brokers.values(), ...this.bootstrap].map((a) => [`${a.host}:${a.port}`, a]));
    const candidates = shuffled([...known.values()]).sort((a, b) => this.pool.backoffDelay(a.host, a.port) - this.pool.backoffDelay(b.host, b.port));
    const failures: Error[] = [];
    for (const address of candidates) {
      try {
        const conn = await this.connect(address.host, address.port, purpose);
        this.lastAnswered = address;
        return conn;
      } catch (err) {
        if (isClosedError(err)) throw err;
        failures.push(err as Error);
      }
    }
    if (failures.length === 1) throw failures[0];
    throw new ClientError('SLUICE_ERR_CONNECTION', `no broker answered: ${failures.map((e) => e.message).join('; ')}`, { cause: failures.at(-1) });
  }

  /** A connection for `purpose` to broker `nodeId`, as named by the last metadata (any broker when it is unknown there). */
  async node(nodeId: number, purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    const b = this.brokers.get(nodeId);
    return b ? this.connect(b.host, b.port, purpose) : this.any(purpose);
  }

  async send(api: Api, body: Message, options?: RequestOptions): Promise<Message> {
    return (await this.any()).send(api, body, options);
  }

  /** Metadata for `topics` (all topics when null). */
  async metadata(topics: string[] | null, allowAutoCreate = false): Promise<{ clusterId: string | null; controllerId: number; brokers: Message[]; topics: Message[] }> {
    const res = await this.send(
      { request: MetadataRequest, response: MetadataResponse },
      { topics: topics === null ? null : topics.map((name) => ({ name, topicId: undefined })), allowAutoTopicCreation: allowAutoCreate },
    );
    this.brokers = new Map(res.brokers.map((b: Message) => [b.nodeId, { host: b.host, port: b.port }]));
    return res as { clusterId: string | null; controllerId: number; brokers: Message[]; topics: Message[] };
  }

  /** One topic's partitions and leaders, freshly asked (and cached); throws KafkaError when it does not exist. */
  topic(name: string, allowAutoCreate = false): Promise<TopicInfo> {
    return this.topics.refresh(name, allowAutoCreate);
  }

  /** The last metadata of a topic the client got, however old; undefined if none. */
  lastKnownTopic(name: string): TopicInfo | undefined {
    return this.topics.latest(name);
  }

  /** One topic's partitions and leaders when the cache holds them younger than metadataMaxAgeMs, without asking (undefined otherwise). */
  knownTopic(name: string): TopicInfo | undefined {
    return this.topics.known(name);
  }

  /** One topic's partitions and leaders as cached, asked for when unknown or older than metadataMaxAgeMs. */
  cachedTopic(name: string, allowAutoCreate = false): Promise<TopicInfo> {
    return this.topics.get(name, allowAutoCreate);
  }

  /** Forgets what is cached of `topic`, e.g. after NOT_LEADER_OR_FOLLOWER (see `refreshesMetadata`). */
  invalidate(topic: string): void {
    this.topics.invalidate(topic);
  }

  private async fetchTopic(name: string, allowAutoCreate: boolean): Promise<TopicInfo> {
    const { topics } = await this.metadata([name], allowAutoCreate);
    const t = topics[0];
    if (!t || t.errorCode !== ErrorCode.NONE) throw new KafkaError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, `topic '${name}'`);
    return {
      name: t.name,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions
        .map((p: Message) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes }))
        .sort((a: PartitionInfo, b: PartitionInfo) => a.partition - b.partition),
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function isClosedError(err: unknown): boolean {
  return err instanceof ClientError && err.code === 'SLUICE_ERR_CLOSED';
}
