// The records the transaction coordinator keeps in the compacted internal topic
// __transaction_state, in Kafka's own layouts. Key and value each open with an
// int16 version:
//
//   TransactionLogKey v0     transactionalId string
//   TransactionLogValue v0   producerId int64, producerEpoch int16, transactionTimeoutMs int32,
//                            transactionStatus int8, transactionPartitions [topic string,
//                            partitionIds []int32] (nullable), transactionLastUpdateTimestampMs int64,
//                            transactionStartTimestampMs int64
//
// v1 of the value is flexible (tagged fields for KIP-890); we write v0 and read v0-1.
// A null value (tombstone) removes the transactional id.

import type { Message } from '../../protocol/codec.js';
import { MalformedFrameError } from '../../protocol/malformed-frame-error.js';
import { a, f, message } from '../../protocol/schema.js';
import { VersionedRecord } from '../versioned-record.js';

/** Kafka's TransactionState, with the numbers it stores as transactionStatus. */
export const TXN_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;
export type TxnState = (typeof TXN_STATES)[number];

export interface StoredTxn {
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** topic -> partitions of the transaction. */
  partitions: Map<string, number[]>;
  lastUpdateMs: number;
  /** When the transaction started (first partition added); -1 when none is open. */
  startMs: number;
}

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

const TransactionLogKey = new VersionedRecord(message(-1, 'TransactionLogKey', '0', 'none', [f('transactionalId', 'string')]));
const TransactionLogValue = new VersionedRecord(
  message(-1, 'TransactionLogValue', '0-1', '1+', [
    f('producerId', 'int64'),
    f('producerEpoch', 'int16'),
    f('transactionTimeoutMs', 'int32'),
    f('transactionStatus', 'int8'),
    a('transactionPartitions', '0+', [f('topic', 'string'), f('partitionIds', '[]int32')], { nullable: '0+' }),
    f('transactionLastUpdateTimestampMs', 'int64'),
    f('transactionStartTimestampMs', 'int64'),
  ]),
);

export function txnLogKey(transactionalId: string): Buffer {
  return TransactionLogKey.encode(KEY_VERSION, { transactionalId });
}

export function txnLogValue(t: StoredTxn): Buffer {
  return TransactionLogValue.encode(VALUE_VERSION, {
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    transactionTimeoutMs: t.timeoutMs,
    transactionStatus: TXN_STATES.indexOf(t.state),
    transactionPartitions: [...t.partitions].map(([topic, partitionIds]) => ({ topic, partitionIds })),
    transactionLastUpdateTimestampMs: t.lastUpdateMs,
    transactionStartTimestampMs: t.startMs,
  });
}

/**
 * Decodes one record of __transaction_state: the transactional id and its
 * state (null for a tombstone). Returns null for versions this broker does
 * not know; throws MalformedFrameError for bytes that do not parse.
 */
export function decodeTxnLogRecord(key: Buffer | null, value: Buffer | null): { transactionalId: string; value: StoredTxn | null } | null {
  if (key === null) throw new MalformedFrameError('__transaction_state record without a key');
  const k = TransactionLogKey.decode(key);
  if (k === null) return null;
  const transactionalId: string = k.transactionalId;
  if (value === null) return { transactionalId, value: null };
  const v = TransactionLogValue.decode(value);
  if (v === null) return null;
  const state = TXN_STATES[v.transactionStatus];
  if (state === undefined) throw new MalformedFrameError(`unknown transaction status ${v.transactionStatus}`);
  return {
    transactionalId,
    value: {
      producerId: v.producerId,
      producerEpoch: v.producerEpoch,
      timeoutMs: v.transactionTimeoutMs,
      state,
      partitions: new Map((v.transactionPartitions ?? []).map((p: Message) => [p.topic, p.partitionIds])),
      lastUpdateMs: v.transactionLastUpdateTimestampMs,
      startMs: v.transactionStartTimestampMs,
    },
  };
}
