// A transactional producer's side of Kafka transactions (KIP-98): the
// partitions and groups it has added to the open transaction, and the
// requests to its transaction coordinator (AddPartitionsToTxn,
// AddOffsetsToTxn, EndTxn) and to the group's coordinator (TxnOffsetCommit).
//
// A batch of a partition not yet in the transaction waits in its queue: the
// Sender asks canSend(), which starts one AddPartitionsToTxn for every such
// partition at once and wakes the Sender when it is answered. If that fails,
// `failure` is set: the Sender fails the waiting batches with it and the
// transaction can only abort.

import { ErrorCode, isRetriable } from '../../protocol/error-codes.js';
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../protocol/messages/add-offsets-to-txn.js';
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../protocol/messages/add-partitions-to-txn.js';
import { EndTxnRequest, EndTxnResponse } from '../../protocol/messages/end-txn.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/messages/txn-offset-commit.js';
import type { Message } from '../../protocol/codec.js';
import { KafkaError } from '../client-error.js';
import type { Api } from '../connection.js';
import { findGroupCoordinator, findTransactionCoordinator } from '../find-coordinator.js';
import type { KafkaClient } from '../kafka-client.js';
import type { ProducerIdentity } from './producer-identity.js';

const ADD_PARTITIONS = { request: AddPartitionsToTxnRequest, response: AddPartitionsToTxnResponse };
const ADD_OFFSETS = { request: AddOffsetsToTxnRequest, response: AddOffsetsToTxnResponse };
const END_TXN = { request: EndTxnRequest, response: EndTxnResponse };
const TXN_OFFSET_COMMIT = { request: TxnOffsetCommitRequest, response: TxnOffsetCommitResponse };
/** Tries of a coordinator request answered with a retriable error (CONCURRENT_TRANSACTIONS while the last EndTxn completes, ...). */
const ATTEMPTS = 50;

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The offset of the next record to consume, as in OffsetCommit. */
  offset: number;
}

export class TransactionManager {
  private readonly added = new Set<string>();
  private readonly pending = new Map<string, { topic: string; partition: number }>();
  private adding: Promise<void> | null = null;
  /** The failure of the last AddPartitionsToTxn; the transaction must abort. */
  failure: Error | null = null;

  constructor(
    private readonly client: KafkaClient,
    readonly transactionalId: string,
    private readonly identity: ProducerIdentity,
    private readonly retryBackoffMs: number,
    private readonly wake: () => void,
  ) {}

  /** Whether a batch of `topic`-`partition` may be sent; if not, the partition is being added. */
  canSend(topic: string, partition: number): boolean {
    const key = `${topic}\0${partition}`;
    if (this.added.has(key)) return true;
    this.pending.set(key, { topic, partition });
    this.adding ??= this.addPending().finally(() => {
      this.adding = null;
      this.wake();
    });
    return false;
  }

  /** The transaction is over (committed or aborted): the next one starts with no partitions. */
  async end(commit: boolean): Promise<void> {
    await this.adding;
    const failure = this.failure;
    this.added.clear();
    this.failure = null;
    if (commit && failure) throw failure;
    await this.callCoordinator(END_TXN, { ...this.ids(), committed: commit }, (r) => r.errorCode, `EndTxn of '${this.transactionalId}'`);
  }

  /** Commits `offsets` of `groupId` with the transaction (AddOffsetsToTxn, then TxnOffsetCommit to the group's coordinator). */
  async sendOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await this.callCoordinator(ADD_OFFSETS, { ...this.ids(), groupId }, (r) => r.errorCode, `AddOffsetsToTxn of '${this.transactionalId}'`);
    const byTopic = new Map<string, Message[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: null });
    }
    const body = { ...this.ids(), groupId, generationId: -1, memberId: '', groupInstanceId: null, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
    await this.retrying(`TxnOffsetCommit of group '${groupId}'`, async () => {
      const c = await findGroupCoordinator(this.client, groupId);
      const res = await (await this.client.connect(c.host, c.port, 'group')).send(TXN_OFFSET_COMMIT, body);
      return firstError((res.topics as Message[]).flatMap((t) => (t.partitions as Message[]).map((p) => p.errorCode as number)));
    });
  }

  private ids(): { transactionalId: string; producerId: number; producerEpoch: number } {
    return { transactionalId: this.transactionalId, producerId: this.identity.producerId, producerEpoch: this.identity.producerEpoch };
  }

  private async addPending(): Promise<void> {
    const partitions = [...this.pending.values()];
    this.pending.clear();
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) {
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(partition);
    }
    const body = { v3AndBelowTransactionalId: this.transactionalId, v3AndBelowProducerId: this.identity.producerId, v3AndBelowProducerEpoch: this.identity.producerEpoch, v3AndBelowTopics: [...byTopic].map(([name, p]) => ({ name, partitions: p })) };
    try {
      await this.callCoordinator(ADD_PARTITIONS, body, (r) => firstError((r.resultsByTopicV3AndBelow as Message[]).flatMap((t) => (t.resultsByPartition as Message[]).map((p) => p.partitionErrorCode as number))), `AddPartitionsToTxn of '${this.transactionalId}'`);
      for (const { topic, partition } of partitions) this.added.add(`${topic}\0${partition}`);
    } catch (err) {
      this.failure = err as Error;
    }
  }

  private callCoordinator(api: Api, body: Message, errorOf: (res: Message) => number, what: string): Promise<void> {
    return this.retrying(what, async () => {
      const c = await findTransactionCoordinator(this.client, this.transactionalId);
      return errorOf(await (await this.client.connect(c.host, c.port, 'default')).send(api, body));
    });
  }

  /** Runs `attempt` until it answers NONE, retrying retriable codes; throws KafkaError otherwise. */
  private async retrying(what: string, attempt: () => Promise<number>): Promise<void> {
    for (let n = 1; ; n++) {
      const code = await attempt();
      if (code === ErrorCode.NONE) return;
      if (!isRetriable(code) || n >= ATTEMPTS) throw new KafkaError(code, null, what);
      await new Promise((resolve) => setTimeout(resolve, this.retryBackoffMs));
    }
  }
}

function firstError(codes: number[]): number {
  return codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
}
