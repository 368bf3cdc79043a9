// Fetch rounds over a set of partitions of any topics, one Fetch request per
// partition leader, for consumers that keep their own positions (the group
// consumer). A round only reports what arrived; the caller decides whether
// to apply it (a rebalance may have made it stale meanwhile).

import type { Message } from '../protocol/codec.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import { KafkaError, check } from './client-error.js';
import { type ConsumedRecord, type FetchOptions, decodeFetched } from './consumer.js';
import type { TopicPartitions } from '../protocol/consumer-protocol.js';
import type { KafkaClient, TopicInfo } from './kafka-client.js';

const FETCH = { request: FetchRequest, response: FetchResponse };
const LIST_OFFSETS = { request: ListOffsetsRequest, response: ListOffsetsResponse };

/** Fetch errors after which metadata is refreshed and the partition tried again next round. */
const REFRESH_METADATA = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

/** A map key for one partition of one topic. */
export const partitionKey = (topic: string, partition: number): string => `${partition}:${topic}`;

export interface FetchPosition {
  topic: string;
  partition: number;
  /** Next offset to fetch. */
  offset: number;
}

export interface FetchRound {
  /** In offset order per partition. */
  records: ConsumedRecord[];
  /** The next offset to fetch, by partitionKey, for every partition that returned batches. */
  next: Map<string, number>;
  /** Partitions whose offset lies outside the log (OFFSET_OUT_OF_RANGE). */
  outOfRange: { topic: string; partition: number }[];
}

export class PartitionFetcher {
  private readonly topicInfo = new Map<string, TopicInfo>();

  constructor(
    private readonly client: KafkaClient,
    private readonly options: FetchOptions = {},
  ) {}

  /**
   * One round over `positions`. Partitions whose leader moved or whose topic
   * is unknown are skipped (metadata is refreshed for the next round); when
   * nothing is left to ask, the round waits maxWaitMs, as an empty fetch
   * would. Throws KafkaError for other partition errors.
   */
  async fetch(positions: FetchPosition[]): Promise<FetchRound> {
    const round: FetchRound = { records: [], next: new Map(), outOfRange: [] };
    const byLeader = new Map<number, FetchPosition[]>();
    for (const pos of positions) {
      const info = await this.topicMetadata(pos.topic);
      if (!info) continue;
      const leader = info.partitions.find((p) => p.partition === pos.partition)?.leader ?? -1;
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(pos);
    }
    if (byLeader.size === 0) {
      await new Promise((resolve) => setTimeout(resolve, this.maxWaitMs));
      return round;
    }
    const responses = await Promise.all([...byLeader].map(async ([leader, list]) => ({ list, res: await this.fetchFrom(leader, list) })));
    for (const { list, res } of responses) {
      const byKey = new Map(list.map((pos) => [partitionKey(pos.topic, pos.partition), pos]));
      for (const t of res.responses as Message[]) {
        // v13+ answers by topic id, without the name.
        const topic: string = t.topic || list.find((pos) => this.topicInfo.get(pos.topic)?.topicId.equals(t.topicId))?.topic || '';
        for (const p of t.partitions as Message[]) {
          const pos = byKey.get(partitionKey(topic, p.partitionIndex));
          if (!pos) continue;
          if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) round.outOfRange.push({ topic, partition: pos.partition });
          else if (REFRESH_METADATA.has(p.errorCode)) this.topicInfo.delete(topic);
          else check(p.errorCode, null, `fetch ${topic}-${pos.partition}`);
          if (p.errorCode !== ErrorCode.NONE || !p.records) continue;
          round.next.set(partitionKey(topic, pos.partition), decodeFetched(p.records, topic, pos.partition, pos.offset, round.records));
        }
      }
    }
    return round;
  }

  /** ListOffsets for `timestamp` (-2 earliest, -1 latest, or ms): offsets by partitionKey. */
  async listOffsets(list: TopicPartitions[], timestamp: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const wanted = list.filter((tp) => tp.partitions.length > 0);
    if (wanted.length === 0) return out;
    const res = await this.client.send(LIST_OFFSETS, {
      replicaId: -1,
      isolationLevel: 0,
      topics: wanted.map((tp) => ({ name: tp.topic, partitions: tp.partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) })),
    });
    for (const t of res.topics as Message[]) {
      for (const p of t.partitions as Message[]) {
        check(p.errorCode, null, `list offsets of ${t.name}-${p.partitionIndex}`);
        out.set(partitionKey(t.name, p.partitionIndex), p.offset);
      }
    }
    return out;
  }

  private get maxWaitMs(): number {
    return this.options.maxWaitMs ?? 500;
  }

  private async topicMetadata(topic: string): Promise<TopicInfo | null> {
    let info = this.topicInfo.get(topic);
    if (!info) {
      try {
        info = await this.client.topic(topic);
      } catch (err) {
        if (err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return null;
        throw err;
      }
      this.topicInfo.set(topic, info);
    }
    return info;
  }

  private async fetchFrom(leader: number, list: FetchPosition[]): Promise<Message> {
    const conn = await this.client.node(leader, 'fetch');
    const byTopic = new Map<string, FetchPosition[]>();
    for (const pos of list) {
      let l = byTopic.get(pos.topic);
      if (!l) byTopic.set(pos.topic, (l = []));
      l.push(pos);
    }
    return conn.send(FETCH, {
      replicaId: -1,
      maxWaitMs: this.maxWaitMs,
      minBytes: 1,
      maxBytes: this.options.maxBytes ?? 50 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, positions]) => ({
        topic,
        topicId: this.topicInfo.get(topic)!.topicId,
        partitions: positions.map((pos) => ({
          partition: pos.partition,
          currentLeaderEpoch: -1,
          fetchOffset: pos.offset,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: this.options.partitionMaxBytes ?? 1024 * 1024,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    }, { timeoutMs: this.maxWaitMs + this.client.requestTimeoutMs });
  }
}
