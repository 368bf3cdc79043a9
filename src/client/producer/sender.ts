// Drains closed batches into Produce requests: all ready batches whose
// partitions one broker leads go in one request (one batch per partition, up
// to maxRequestBytes), with at most maxInFlight requests per broker
// connection. The broker answers a connection's requests in order and
// appends in arrival order, so batches of a partition land in the order
// they were closed.

import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import { Codec } from '../../protocol/record-batch.js';
import { KafkaError } from '../client-error.js';
import type { KafkaClient } from '../kafka-client.js';
import type { ProducerBatch } from './producer-batch.js';
import type { RecordAccumulator } from './record-accumulator.js';

const PRODUCE = { request: ProduceRequest, response: ProduceResponse };

export interface SenderOptions {
  acks: 0 | 1 | -1;
  codec: Codec;
  timeoutMs: number;
  maxInFlight: number;
  maxRequestBytes: number;
  /** The partition's leader as last known; -1 when it has none. */
  leaderOf: (topic: string, partition: number) => number;
  /** A batch was answered (after its records were told). */
  onBatchDone: (batch: ProducerBatch) => void;
}

export class Sender {
  private readonly inFlight = new Map<number, number>();
  private drainQueued = false;

  constructor(
    private readonly client: KafkaClient,
    private readonly accumulator: RecordAccumulator,
    private readonly options: SenderOptions,
  ) {}

  /** Drains once the current synchronous work is done, so batches closed together share requests. */
  wake(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    queueMicrotask(() => {
      this.drainQueued = false;
      this.drain();
    });
  }

  private drain(): void {
    for (;;) {
      const requests = new Map<number, { batches: ProducerBatch[]; bytes: number }>();
      for (const q of this.accumulator.readyQueues()) {
        const batch = q.ready[0];
        const leader = this.options.leaderOf(q.topic, q.partition);
        if (leader < 0) {
          q.ready.shift();
          this.finish(batch, new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, null, `produce to ${q.topic}-${q.partition}`));
          continue;
        }
        if ((this.inFlight.get(leader) ?? 0) >= this.options.maxInFlight) continue;
        let request = requests.get(leader);
        if (!request) requests.set(leader, (request = { batches: [], bytes: 0 }));
        const size = batch.sizeInBytes;
        if (request.batches.length > 0 && request.bytes + size > this.options.maxRequestBytes) continue;
        q.ready.shift();
        request.batches.push(batch);
        request.bytes += size;
      }
      if (requests.size === 0) return;
      for (const [leader, { batches }] of requests) {
        this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1);
        void this.produce(leader, batches);
      }
    }
  }

  private async produce(leader: number, batches: ProducerBatch[]): Promise<void> {
    const { acks, codec, timeoutMs } = this.options;
    const byTopic = new Map<string, { name: string; partitionData: { index: number; records: Buffer }[] }>();
    for (const b of batches) {
      let t = byTopic.get(b.topic);
      if (!t) byTopic.set(b.topic, (t = { name: b.topic, partitionData: [] }));
      t.partitionData.push({ index: b.partition, records: b.records({ codec }) });
    }
    const body = { transactionalId: null, acks, timeoutMs, topicData: [...byTopic.values()] };
    try {
      const conn = await this.client.node(leader, 'produce');
      if (acks === 0) {
        conn.sendNoResponse(PRODUCE, body);
        for (const b of batches) this.finish(b, null, -1, -1);
        return;
      }
      const res = await conn.send(PRODUCE, body);
      const answered = new Set<ProducerBatch>();
      for (const t of res.responses as Message[]) {
        for (const p of t.partitionResponses as Message[]) {
          const batch = batches.find((b) => b.topic === t.name && b.partition === p.index && !answered.has(b));
          if (!batch) continue;
          answered.add(batch);
          const err = p.errorCode === ErrorCode.NONE ? null : new KafkaError(p.errorCode, p.errorMessage ?? null, `produce to ${t.name}-${p.index}`);
          this.finish(batch, err, p.baseOffset, p.logAppendTimeMs ?? -1);
        }
      }
      for (const b of batches) {
        if (!answered.has(b)) this.finish(b, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'partition missing from the response', `produce to ${b.topic}-${b.partition}`));
      }
    } catch (err) {
      for (const b of batches) this.finish(b, err as Error);
    } finally {
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1);
      this.wake();
    }
  }

  private finish(batch: ProducerBatch, err: Error | null, baseOffset = -1, logAppendTime = -1): void {
    if (err) batch.fail(err);
    else batch.succeed(baseOffset, logAppendTime);
    this.options.onBatchDone(batch);
  }
}
