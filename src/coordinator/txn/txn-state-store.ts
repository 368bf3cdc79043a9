// The only reader and writer of the internal topic __transaction_state (records
// in txn-log.ts). Owned by the TransactionCoordinator. Follows the OffsetStore's
// pattern: the topic is created on first use (compacted, transactionStateNumPartitions
// partitions), replayed from its log start at start-up, and a write resolves
// only once its record is committed (fsynced under group-commit), in log order
// per partition; a transactional id lives in partition abs(hashCode) mod N.

import type { Broker } from '../../broker/broker.js';
import type { TopicMetadata } from '../../cluster/control-plane.js';
import type { BrokerConfig } from '../../config.js';
import { SluiceError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Attr } from '../../protocol/record-batch.js';
import { decodeBatch, encodeBatch, forEachBatch } from '../../protocol/records.js';
import { offsetsPartitionFor } from '../group/offsets-log.js';
import { type StoredTxn, decodeTxnLogRecord, txnLogKey, txnLogValue } from './txn-log.js';

export const TXN_STATE_TOPIC = '__transaction_state';

/** Compacted, no time or size retention, 100 MiB segments (Kafka's transaction.state.log.segment.bytes). */
const TXN_STATE_TOPIC_CONFIGS = {
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'segment.bytes': String(100 * 1024 * 1024),
};

const REPLAY_CHUNK_BYTES = 1024 * 1024;

export class TxnStateStore {
  /** Partitions of __transaction_state; 0 until the topic exists. */
  private numPartitions = 0;
  private creating: Promise<void> | null = null;
  private readonly tails: Promise<void>[] = [];

  constructor(
    private readonly broker: Broker,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
  ) {}

  /** Replays the topic, if it exists; `onRecord` sees every record in log order (the last one per id counts). */
  open(onRecord: (transactionalId: string, value: StoredTxn | null) => void): void {
    const topic = this.broker.cluster.topic(TXN_STATE_TOPIC);
    if (!topic) return;
    this.adopt(topic);
    let records = 0;
    for (let p = 0; p < this.numPartitions; p++) records += this.replay(p, onRecord);
    this.log.info({ partitions: this.numPartitions, records }, `loaded ${TXN_STATE_TOPIC}`);
  }

  async settle(): Promise<void> {
    await this.creating?.catch(() => {});
    await Promise.all(this.tails);
  }

  ensureTopic(): Promise<void> {
    if (this.numPartitions > 0) return Promise.resolve();
    this.creating ??= this.createTopic().finally(() => (this.creating = null));
    return this.creating;
  }

  private async createTopic(): Promise<void> {
    const existing = this.broker.cluster.topic(TXN_STATE_TOPIC);
    this.adopt(existing ?? (await this.broker.createTopic(TXN_STATE_TOPIC, this.config.transactionStateNumPartitions, TXN_STATE_TOPIC_CONFIGS)));
  }

  private adopt(topic: TopicMetadata): void {
    if (topic.partitions.length !== this.config.transactionStateNumPartitions) {
      this.log.warn(
        { partitions: topic.partitions.length, transactionStateNumPartitions: this.config.transactionStateNumPartitions },
        `${TXN_STATE_TOPIC} exists with another partition count; keeping it`,
      );
    }
    this.numPartitions = topic.partitions.length;
  }

  private replay(index: number, onRecord: (transactionalId: string, value: StoredTxn | null) => void): number {
    const partition = this.broker.partition(TXN_STATE_TOPIC, index);
    if (!partition) throw new SluiceError('SLUICE_ERR_COORDINATOR', `partition ${index} of ${TXN_STATE_TOPIC} is not open on this broker`);
    const end = partition.highWatermark;
    let offset = partition.logStartOffset;
    let count = 0;
    while (offset < end) {
      const chunk = partition.log.read(offset, REPLAY_CHUNK_BYTES, end);
      let next = offset;
      forEachBatch(chunk, (pos) => {
        const { header, records } = decodeBatch(chunk, pos);
        next = header.baseOffset + header.lastOffsetDelta + 1;
        if (header.attributes & Attr.Control) return;
        for (const r of records) {
          if (r.offset < offset) continue;
          try {
            const rec = decodeTxnLogRecord(r.key, r.value);
            if (rec === null) continue;
            count++;
            onRecord(rec.transactionalId, rec.value);
          } catch (err) {
            this.log.error({ err, partition: index, offset: r.offset }, `skipping an unreadable ${TXN_STATE_TOPIC} record`);
          }
        }
      });
      if (next <= offset) break;
      offset = next;
    }
    return count;
  }

  /** Writes the transactional id's state; resolves once it is committed. */
  write(transactionalId: string, value: StoredTxn | null): Promise<void> {
    if (this.numPartitions === 0) return this.ensureTopic().then(() => this.write(transactionalId, value));
    const index = offsetsPartitionFor(transactionalId, this.numPartitions);
    const partition = this.broker.partition(TXN_STATE_TOPIC, index);
    if (!partition) return Promise.reject(new SluiceError('SLUICE_ERR_COORDINATOR', `partition ${index} of ${TXN_STATE_TOPIC} is not open`));
    const batch = encodeBatch([{ key: txnLogKey(transactionalId), value: value === null ? null : txnLogValue(value), timestamp: Date.now() }]);
    let committed: Promise<void>;
    try {
      committed = partition.append(batch).committed;
    } catch (err) {
      return Promise.reject(err);
    }
    const done = (this.tails[index] ?? Promise.resolve()).then(() => committed);
    this.tails[index] = done.catch(() => {});
    return done;
  }
}
