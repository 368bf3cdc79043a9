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

import { MessageCodec, type Message } from '../../protocol/codec.js';
import { MalformedFrameError } from '../../protocol/malformed-frame-error.js';
import { Reader } from '../../protocol/reader.js';
import { a, f, message } from '../../protocol/schema.js';
import { Writer } from '../../protocol/writer.js';

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

const TransactionLogKey = new MessageCodec(message(-1, 'TransactionLogKey', '0', 'none', [f('transactionalId', 'string')]));
const TransactionLogValue = new MessageCodec(
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
  const w = new Writer(32);
  w.int16(KEY_VERSION);
  TransactionLogKey.encode(w, { transactionalId }, KEY_VERSION);
  return w.toBuffer();
}

export function txnLogValue(t: StoredTxn): Buffer {
  const w = new Writer(64);
  w.int16(VALUE_VERSION);
  TransactionLogValue.encode(
    w,
    {
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      transactionTimeoutMs: t.timeoutMs,
      transactionStatus: TXN_STATES.indexOf(t.state),
      transactionPartitions: [...t.partitions].map(([topic, partitionIds]) => ({ topic, partitionIds })),
      transactionLastUpdateTimestampMs: t.lastUpdateMs,
      transactionStartTimestampMs: t.startMs,
    },
    VALUE_VERSION,
  );
  return w.toBuffer();
}

/**
 * Decodes one record of __transaction_state: the transactional id and its
 * state (null for a tombstone). Returns null for versions this broker does
 * not know; throws MalformedFrameError for bytes that do not parse.
 */
export function decodeTxnLogRecord(key: Buffer | null, value: Buffer | null): { transactionalId: string; value: StoredTxn | null } | null {
  if (key === null) throw new MalformedFrameError('__transaction_state record without a key');
  const kr = new Reader(key);
  if (kr.int16() !== KEY_VERSION) return null;
  const { transactionalId } = TransactionLogKey.decode(kr, KEY_VERSION);
  if (value === null) return { transactionalId, value: null };
  const vr = new Reader(value);
  const version = vr.int16();
  if (version < 0 || version > 1) return null;
  const v = TransactionLogValue.decode(vr, version);
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
