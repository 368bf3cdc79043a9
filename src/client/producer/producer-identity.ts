// The idempotent producer's identity: producer id and epoch from
// InitProducerId, and the next sequence number of each partition. The broker
// keeps the last five batches' sequences per producer and partition, so a
// resent batch (same id, epoch and sequence) is answered with its first
// offsets instead of being written twice.
//
// KIP-360: when the broker has lost the producer's state (UNKNOWN_PRODUCER_ID)
// or sees a gap it cannot explain (OUT_OF_ORDER_SEQUENCE_NUMBER), the producer
// asks InitProducerId (v3+) with its current id and epoch for a bumped epoch
// and starts every partition's sequences at 0 again; against a broker without
// v3 it gets a new id instead.

import { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import { check } from '../client-error.js';
import { findTransactionCoordinator } from '../find-coordinator.js';
import type { KafkaClient } from '../kafka-client.js';

const INIT_PRODUCER_ID = { request: InitProducerIdRequest, response: InitProducerIdResponse };

export class ProducerIdentity {
  producerId = -1;
  producerEpoch = -1;
  private readonly sequences = new Map<string, number>();

  constructor(
    private readonly client: KafkaClient,
    /** A transactional producer's id and transaction timeout; its InitProducerId goes to its transaction coordinator, which bumps the epoch itself. */
    private readonly transactional: { transactionalId: string; transactionTimeoutMs: number } | null = null,
  ) {}

  get initialized(): boolean {
    return this.producerId >= 0;
  }

  /** Gets a producer id, or (KIP-360) a bumped epoch of the current one; every sequence starts at 0 again. */
  async init(): Promise<void> {
    const txn = this.transactional;
    const coordinator = txn ? await findTransactionCoordinator(this.client, txn.transactionalId) : null;
    const conn = coordinator ? await this.client.connect(coordinator.host, coordinator.port) : await this.client.any();
    const bump = !txn && this.initialized && conn.versionFor(INIT_PRODUCER_ID) >= 3;
    const res = await conn.send(INIT_PRODUCER_ID, {
      transactionalId: txn?.transactionalId ?? null,
      transactionTimeoutMs: txn?.transactionTimeoutMs ?? -1,
      producerId: bump ? this.producerId : -1,
      producerEpoch: bump ? this.producerEpoch : -1,
    });
    check(res.errorCode, null, 'InitProducerId');
    this.producerId = res.producerId;
    this.producerEpoch = res.producerEpoch;
    this.sequences.clear();
  }

  /** Takes `count` sequence numbers of `topic`-`partition`; returns the first. */
  nextSequence(topic: string, partition: number, count: number): number {
    const key = `${topic}\0${partition}`;
    const first = this.sequences.get(key) ?? 0;
    // Sequences wrap at 2^31 as in Kafka (DefaultRecordBatch.incrementSequence).
    this.sequences.set(key, (first + count) % 2 ** 31);
    return first;
  }
}
