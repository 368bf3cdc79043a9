// The only reader and writer of the internal topic __transaction_state (records
// in txn-log.ts). Owned by the TransactionCoordinator. Follows the OffsetStore's
// pattern: the topic is created on first use (compacted, transactionStateNumPartitions
// partitions), each partition replayed from its log start when this broker
// becomes its leader and forgotten when it stops, and a write resolves
// only once its record is committed (fsynced under group-commit), in log order
// per partition; a transactional id lives in partition abs(hashCode) mod N.

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { InternalTopic, STATE_TOPIC_CONFIGS } from '../internal-topic.js';
import { type StoredTxn, decodeTxnLogRecord, txnLogKey, txnLogValue } from './txn-log.js';

export const TXN_STATE_TOPIC = '__transaction_state';

/** The transaction coordinator's side of loading a partition of __transaction_state. */
export interface TxnShard {
  txn(partition: number, transactionalId: string, value: StoredTxn | null): void;
  loaded(partition: number): void;
  unload(partition: number): void;
}

export class TxnStateStore {
  private readonly topic: InternalTopic;

  constructor(broker: Broker, config: BrokerConfig, log: Logger) {
    this.topic = new InternalTopic(broker, log, TXN_STATE_TOPIC, config.transactionStateNumPartitions, STATE_TOPIC_CONFIGS);
  }

  /**
   * Loads the partitions this broker leads, and from now on follows their
   * leadership (internal-topic.ts): `txns.txn` sees every record of a loading
   * partition in log order (the last one per id counts), then `txns.loaded`
   * runs; `txns.unload` when the broker stops leading a partition.
   */
  start(txns: TxnShard): void {
    this.topic.start({
      record: (r, _header, partition) => {
        const rec = decodeTxnLogRecord(r.key, r.value);
        if (rec !== null) txns.txn(partition, rec.transactionalId, rec.value);
      },
      loaded: (partition) => txns.loaded(partition),
      unload: (partition) => txns.unload(partition),
    });
  }

  stop(): void {
    this.topic.stop();
  }

  /** Whether `transactionalId` is coordinated here: NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  ownership(transactionalId: string): number {
    return this.topic.ownership(transactionalId);
  }

  /** The partition of __transaction_state holding `transactionalId`; the topic must exist. */
  partitionOf(transactionalId: string): number {
    return this.topic.partitionOf(transactionalId);
  }

  settle(): Promise<void> {
    return this.topic.settle();
  }

  ensureTopic(): Promise<void> {
    return this.topic.ensureTopic();
  }

  /** Writes the transactional id's state; resolves once it is committed. */
  write(transactionalId: string, value: StoredTxn | null): Promise<void> {
    return this.topic.write(transactionalId, [{ key: txnLogKey(transactionalId), value: value === null ? null : txnLogValue(value), timestamp: Date.now() }]);
  }
}
