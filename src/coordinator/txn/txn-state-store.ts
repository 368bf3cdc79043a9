// The only reader and writer of the internal topic __transaction_state (records
// in txn-log.ts). Owned by the TransactionCoordinator. Follows the OffsetStore's
// pattern: the topic is created on first use (compacted, transactionStateNumPartitions
// partitions), replayed from its log start at start-up, and a write resolves
// only once its record is committed (fsynced under group-commit), in log order
// per partition; a transactional id lives in partition abs(hashCode) mod N.

import type { Broker } from '../../broker/broker.js';
import type { BrokerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import { InternalTopic, STATE_TOPIC_CONFIGS } from '../internal-topic.js';
import { type StoredTxn, decodeTxnLogRecord, txnLogKey, txnLogValue } from './txn-log.js';

export const TXN_STATE_TOPIC = '__transaction_state';

export class TxnStateStore {
  private readonly topic: InternalTopic;

  constructor(broker: Broker, config: BrokerConfig, private readonly log: Logger) {
    this.topic = new InternalTopic(broker, log, TXN_STATE_TOPIC, config.transactionStateNumPartitions, STATE_TOPIC_CONFIGS);
  }

  /** Replays the topic, if it exists; `onRecord` sees every record in log order (the last one per id counts). */
  open(onRecord: (transactionalId: string, value: StoredTxn | null) => void): void {
    const records = this.topic.replay((r) => {
      const rec = decodeTxnLogRecord(r.key, r.value);
      if (rec !== null) onRecord(rec.transactionalId, rec.value);
    });
    if (this.topic.partitionCount > 0) this.log.info({ partitions: this.topic.partitionCount, records }, `loaded ${TXN_STATE_TOPIC}`);
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
