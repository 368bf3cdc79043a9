// The per-record rules Kafka's broker applies to a produced batch (LogValidator's
// key and timestamp checks), for the topics that have them:
//   - cleanup.policy with compact: every record has a key (else INVALID_RECORD);
//   - message.timestamp.type=CreateTime: every record's timestamp lies within
//     [now - message.timestamp.before.max.ms, now + message.timestamp.after.max.ms]
//     (else INVALID_TIMESTAMP); records without a timestamp (-1) pass.
// A batch with any record breaking them is refused whole, with one record error
// (batch_index, message) per such record, which Produce v8+ returns (KIP-467);
// INVALID_TIMESTAMP wins when both kinds occur, as in Kafka.
//
// The check runs in the pass that counts the records (batch-validation.ts), so a
// topic with rules pays for reading each record's timestamp delta and key length
// (bench/produce-validation.ts); a topic without them only counts.

import { ErrorCode } from '../protocol/error-codes.js';
import { Attr } from '../protocol/record-batch.js';
import { type RecordRules, checkRecords } from '../protocol/record-scan.js';
import { type TopicConfigs, type TopicDefaults, isCompacted, timestampBounds } from '../metadata/topic-configs.js';

export type { RecordRules };

/** One refused record, as Produce v8+ reports it. */
export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string;
}

export interface RecordRulesRejection {
  errorCode: number;
  message: string;
  recordErrors: RecordError[];
}

/** The rules of the topic at time `nowMs`, or null when it has none (its batches are only counted). */
export function recordRulesFor(configs: TopicConfigs, defaults: TopicDefaults, nowMs: number): RecordRules | null {
  const requireKey = isCompacted(configs, defaults);
  const bounds = timestampBounds(configs, defaults);
  if (!requireKey && !bounds) return null;
  return {
    requireKey,
    minTimestamp: bounds ? nowMs - bounds.beforeMs : -Infinity,
    maxTimestamp: bounds ? nowMs + bounds.afterMs : Infinity,
  };
}

/**
 * Checks the records of the batch at `batch[pos]`, whose decompressed records
 * section is `body`: returns their count, and the rejection when any breaks the
 * rules. Throws MalformedFrameError when the records cannot be walked.
 */
export function checkRecordRules(batch: Buffer, pos: number, body: Buffer, rules: RecordRules): { count: number; rejection: RecordRulesRejection | null } {
  const logAppendTime = (batch.readInt16BE(pos + 21) & Attr.LogAppendTime) !== 0;
  // A LogAppendTime batch's records all carry its maxTimestamp, as Kafka reads them.
  const baseTimestamp = Number(batch.readBigInt64BE(pos + (logAppendTime ? 35 : 27)));
  let recordErrors: RecordError[] | null = null;
  let badTimestamp = false;
  const count = checkRecords(body, baseTimestamp, logAppendTime, rules, (index, keyMissing, timestamp) => {
    recordErrors ??= [];
    badTimestamp ||= !keyMissing;
    const batchIndexErrorMessage = keyMissing
      ? 'a record without a key cannot be written to a compacted topic'
      : `timestamp ${timestamp} is out of range: it must lie within [${rules.minTimestamp}, ${rules.maxTimestamp}]`;
    recordErrors.push({ batchIndex: index, batchIndexErrorMessage });
  });
  if (recordErrors === null) return { count, rejection: null };
  const errors: RecordError[] = recordErrors;
  const rejection = {
    errorCode: badTimestamp ? ErrorCode.INVALID_TIMESTAMP : ErrorCode.INVALID_RECORD,
    message: `${errors.length} of the batch's ${count} records refused; record ${errors[0].batchIndex}: ${errors[0].batchIndexErrorMessage}`,
    recordErrors: errors,
  };
  return { count, rejection };
}
