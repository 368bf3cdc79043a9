// Producer: picks each record's partition (explicit, else murmur2 of the key
// as the Java client does, else round-robin), builds one batch per partition
// and sends one Produce request per leader.

import type { Message } from '../protocol/codec.js';
import { ProduceRequest, ProduceResponse } from '../protocol/messages/produce.js';
import { partitionForKey } from '../protocol/murmur2.js';
import { Codec } from '../protocol/record-batch.js';
import { type NewRecord, encodeBatch } from '../protocol/records.js';
import { check } from './client-error.js';
import type { KafkaClient, TopicInfo } from './kafka-client.js';

export type Acks = 0 | 1 | -1;

export interface ProducerRecord extends NewRecord {
  partition?: number;
}

export interface ProducerOptions {
  /** 0: no answer, 1: leader appended, -1 (all): committed. Default -1. */
  acks?: Acks;
  codec?: Codec;
  /** Broker-side wait for acks (ms). Default 30000. */
  timeoutMs?: number;
}

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };

export class Producer {
  private readonly topics = new Map<string, TopicInfo>();
  private roundRobin = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: ProducerOptions = {},
  ) {}

  private async topicInfo(name: string): Promise<TopicInfo> {
    let t = this.topics.get(name);
    if (!t) {
      t = await this.client.topic(name, true);
      this.topics.set(name, t);
    }
    return t;
  }

  private partitionOf(record: ProducerRecord, count: number): number {
    if (record.partition !== undefined) return record.partition;
    if (record.key) return partitionForKey(record.key, count);
    return this.roundRobin++ % count;
  }

  /**
   * Sends records to `topic`. Resolves with each partition's base offset
   * (-1 with acks=0); rejects with KafkaError when the broker refuses.
   */
  async send(topic: string, records: ProducerRecord[]): Promise<Map<number, number>> {
    const info = await this.topicInfo(topic);
    const byPartition = new Map<number, ProducerRecord[]>();
    for (const r of records) {
      const p = this.partitionOf(r, info.partitions.length);
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push(r);
    }
    const byLeader = new Map<number, { index: number; records: Buffer }[]>();
    for (const [p, list] of byPartition) {
      const leader = info.partitions[p]?.leader ?? -1;
      let batches = byLeader.get(leader);
      if (!batches) byLeader.set(leader, (batches = []));
      batches.push({ index: p, records: encodeBatch(list, { codec: this.options.codec ?? Codec.None }) });
    }
    const acks = this.options.acks ?? -1;
    const out = new Map<number, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, partitionData]) => {
        const conn = await this.client.node(leader, 'produce');
        const body = { transactionalId: null, acks, timeoutMs: this.options.timeoutMs ?? 30000, topicData: [{ name: topic, partitionData }] };
        if (acks === 0) {
          conn.sendNoResponse(PRODUCE, body);
          for (const p of partitionData) out.set(p.index, -1);
          return;
        }
        const res = await conn.send(PRODUCE, body);
        for (const p of res.responses[0].partitionResponses as Message[]) {
          check(p.errorCode, p.errorMessage, `produce to ${topic}-${p.index}`);
          out.set(p.index, p.baseOffset);
        }
      }),
    );
    return out;
  }
}
