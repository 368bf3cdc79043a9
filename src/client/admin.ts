// Admin operations: topics, partitions, configs, offsets.

import type { Message } from '../protocol/codec.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from '../protocol/messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from '../protocol/messages/delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/messages/delete-topics.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from '../protocol/messages/describe-configs.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import { check } from './client-error.js';
import { KafkaClient, type TopicInfo } from './kafka-client.js';

export const EARLIEST = -2;
export const LATEST = -1;

export interface TopicDescription extends TopicInfo {
  partitionOffsets: { partition: number; leader: number; logStartOffset: number; logEndOffset: number }[];
  configs: { name: string; value: string | null; isDefault: boolean }[];
}

export class Admin {
  constructor(readonly client: KafkaClient) {}

  async createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    const res = await this.client.send(
      { request: CreateTopicsRequest, response: CreateTopicsResponse },
      {
        topics: [{ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
        timeoutMs: 30000,
        validateOnly: false,
      },
    );
    const t = res.topics[0];
    check(t.errorCode, t.errorMessage, `create topic '${name}'`);
  }

  async deleteTopic(name: string): Promise<void> {
    const res = await this.client.send(
      { request: DeleteTopicsRequest, response: DeleteTopicsResponse },
      { topics: [{ name, topicId: undefined }], topicNames: [name], timeoutMs: 30000 },
    );
    const t = res.responses[0];
    check(t.errorCode, t.errorMessage, `delete topic '${name}'`);
  }

  async listTopics(): Promise<TopicInfo[]> {
    const md = await this.client.metadata(null);
    return md.topics
      .map((t) => ({
        name: t.name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p: Message) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async createPartitions(name: string, total: number): Promise<void> {
    const res = await this.client.send(
      { request: CreatePartitionsRequest, response: CreatePartitionsResponse },
      { topics: [{ name, count: total, assignments: null }], timeoutMs: 30000, validateOnly: false },
    );
    check(res.results[0].errorCode, res.results[0].errorMessage, `create partitions of '${name}'`);
  }

  /** Offsets of each partition for `timestamp` (EARLIEST, LATEST, or ms since epoch; -1 offset when none). */
  async listOffsets(topic: string, partitions: number[], timestamp: number): Promise<Map<number, { offset: number; timestamp: number }>> {
    const res = await this.client.send(
      { request: ListOffsetsRequest, response: ListOffsetsResponse },
      { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) }] },
    );
    const out = new Map<number, { offset: number; timestamp: number }>();
    for (const p of res.topics[0]?.partitions ?? []) {
      check(p.errorCode, null, `list offsets of ${topic}-${p.partitionIndex}`);
      out.set(p.partitionIndex, { offset: p.offset, timestamp: p.timestamp });
    }
    return out;
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    const info = await this.client.topic(name);
    const ids = info.partitions.map((p) => p.partition);
    const [earliest, latest, configs] = await Promise.all([this.listOffsets(name, ids, EARLIEST), this.listOffsets(name, ids, LATEST), this.describeConfigs(name)]);
    return {
      ...info,
      partitionOffsets: info.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        logStartOffset: earliest.get(p.partition)?.offset ?? -1,
        logEndOffset: latest.get(p.partition)?.offset ?? -1,
      })),
      configs,
    };
  }

  async describeConfigs(topic: string): Promise<{ name: string; value: string | null; isDefault: boolean }[]> {
    const res = await this.client.send(
      { request: DescribeConfigsRequest, response: DescribeConfigsResponse },
      { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false },
    );
    const r = res.results[0];
    check(r.errorCode, r.errorMessage, `describe configs of '${topic}'`);
    return r.configs.map((c: Message) => ({ name: c.name, value: c.value, isDefault: c.isDefault || c.configSource === 5 }));
  }

  async deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<number> {
    const res = await this.client.send(
      { request: DeleteRecordsRequest, response: DeleteRecordsResponse },
      { topics: [{ name: topic, partitions: [{ partitionIndex: partition, offset: beforeOffset }] }], timeoutMs: 30000 },
    );
    const p = res.topics[0].partitions[0];
    check(p.errorCode, null, `delete records of ${topic}-${partition}`);
    return p.lowWatermark;
  }
}
