// Cluster-aware client core: bootstrap, metadata, one connection per broker.
// Producer, consumer and admin are built on it.

import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { MetadataRequest, MetadataResponse } from '../protocol/messages/metadata.js';
import { ClientError, KafkaError } from './client-error.js';
import { type Api, BrokerConnection } from './connection.js';
import { ConnectionPool } from './connection-pool.js';
import { type BackoffOptions, ReconnectBackoff } from './reconnect-backoff.js';

export interface ClientOptions extends BackoffOptions {
  /** "host:port" of any broker. Default 127.0.0.1:9092. */
  bootstrap?: string;
  clientId?: string;
  /** How long a request may wait for its answer (ms); on expiry it rejects with SLUICE_ERR_TIMEOUT and its connection closes. Default 30000. */
  requestTimeoutMs?: number;
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

export function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ClientError('SLUICE_ERR_CONFIG', `bootstrap address must look like host:port, got "${s}"`);
  }
  return { host: s.slice(0, i), port };
}

export class KafkaClient {
  private readonly bootstrap: { host: string; port: number };
  readonly clientId: string;
  /** The default request timeout (ms); a long-poll adds its wait to it. */
  readonly requestTimeoutMs: number;
  private readonly pool: ConnectionPool;
  private brokers = new Map<number, { host: string; port: number }>();

  constructor(options: ClientOptions = {}) {
    this.bootstrap = parseHostPort(options.bootstrap ?? '127.0.0.1:9092');
    this.clientId = options.clientId ?? 'sluice-cli';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.pool = new ConnectionPool({ clientId: this.clientId, requestTimeoutMs: this.requestTimeoutMs }, new ReconnectBackoff(options));
  }

  /** The pooled connection for `purpose` to the broker at `host`:`port` (e.g. a coordinator FindCoordinator named). */
  connect(host: string, port: number, purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    return this.pool.get(host, port, purpose);
  }

  /** A connection to any broker (the bootstrap one). */
  any(): Promise<BrokerConnection> {
    return this.connect(this.bootstrap.host, this.bootstrap.port);
  }

  /** A connection for `purpose` to broker `nodeId`, as named by the last metadata. */
  async node(nodeId: number, purpose: ConnectionPurpose = 'default'): Promise<BrokerConnection> {
    const b = this.brokers.get(nodeId) ?? this.bootstrap;
    return this.connect(b.host, b.port, purpose);
  }

  async send(api: Api, body: Message): Promise<Message> {
    return (await this.any()).send(api, body);
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

  /** One topic's partitions and leaders; throws KafkaError when it does not exist. */
  async topic(name: string, allowAutoCreate = false): Promise<TopicInfo> {
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
