// The produce path for one partition: validate the batches (with the topic's
// per-record rules), check idempotent producers' sequences (a retry of a batch
// already in the log is answered with its original offsets and not written
// again), recompress into the topic's compression.type, drop dedup.header
// duplicates, append in one write, then settle when the acks policy holds
// (acks=0 and 1: appended; acks=all: committed, i.e. fsynced under group-commit
// and held by every in-sync replica). Only a leader whose registration holds
// appends; acks=all also needs min.insync.replicas in the ISR, before the
// append (NOT_ENOUGH_REPLICAS) and when the high watermark passes the records
// (NOT_ENOUGH_REPLICAS_AFTER_APPEND). An acks=all write not committed within
// the request's timeout is answered REQUEST_TIMED_OUT (Kafka's DelayedProduce
// expiry); its records stay in the log and commit when the ISR catches up.

import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../logger.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { countBatchRecords, forEachBatch } from '../protocol/records.js';
import { setLogAppendTime } from '../protocol/record-batch.js';
import type { TopicMetadata } from '../cluster/control-plane.js';
import type { Broker } from './broker.js';
import type { Partition } from './partition.js';
import { type BatchRejection, oversizedBatch, validateProducedBatches } from './batch-validation.js';
import { recompressBatches } from './recompress.js';
import { type RecordError, recordRulesFor } from './record-rules.js';
import { isInternalTopic } from './topic-name.js';
import { type DedupPlan, DedupWindow, dedupDropChannel } from './dedup-window.js';
import { compressionTypeOf, dedupSettings, maxMessageBytes, minInsyncReplicas, usesLogAppendTime } from '../metadata/topic-configs.js';
import { NotLeaderError } from './not-leader-error.js';

export interface ProduceResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  /** Produce v8+: the records that made the batch be refused. */
  recordErrors: RecordError[];
}

function failed(errorCode: number, errorMessage: string | null = null, recordErrors: RecordError[] = []): ProduceResult {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors };
}

function refused(rejection: BatchRejection, topic: string, index: number, log: Logger): ProduceResult {
  log.warn({ topic, partition: index, reason: rejection.message }, 'produce rejected');
  return failed(rejection.errorCode, rejection.message, rejection.recordErrors);
}

/** What an acks=all write waits for: min.insync.replicas (0 for acks 0 and 1), at most timeoutMs (none: no limit). */
interface CommitWait {
  minIsr: number;
  timeoutMs: number | undefined;
}

/**
 * Produces to one partition. When the topic exists, validation and the append
 * happen synchronously inside this call, so appends keep request order.
 * `timeoutMs` is the request's: how long acks=all may wait for the commit.
 */
export function produceToPartition(
  broker: Broker,
  topicName: string,
  index: number,
  records: Buffer | null,
  acks: number,
  log: Logger,
  { timeoutMs, mayCreate = true }: { timeoutMs?: number; mayCreate?: boolean } = {},
): Promise<ProduceResult> {
  if (isInternalTopic(topicName)) return Promise.resolve(failed(ErrorCode.INVALID_TOPIC_EXCEPTION, `clients cannot write to the internal topic ${topicName}`));
  const topic = broker.cluster.topic(topicName);
  if (topic) return appendAndAck(broker, topic, index, records, acks, timeoutMs, log);
  return broker
    .topicOrAutoCreate(topicName, mayCreate)
    .then((created) => (created ? appendAndAck(broker, created, index, records, acks, timeoutMs, log) : failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)));
}

async function appendAndAck(broker: Broker, topic: TopicMetadata, index: number, records: Buffer | null, acks: number, timeoutMs: number | undefined, log: Logger): Promise<ProduceResult> {
  const topicName = topic.name;
  const partition = broker.partition(topicName, index);
  if (!partition) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!partition.isLeader || !broker.cluster.registered()) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const wait: CommitWait = { minIsr: acks === -1 ? minInsyncReplicas(topic.configs, broker.dynamicConfig) : 0, timeoutMs };
  if (partition.isr.length < wait.minIsr) {
    return failed(ErrorCode.NOT_ENOUGH_REPLICAS, `the ISR has ${partition.isr.length} replicas, min.insync.replicas is ${wait.minIsr}`);
  }
  if (records === null) return failed(ErrorCode.CORRUPT_MESSAGE, 'null record set');
  const now = Date.now();
  const maxBatchBytes = maxMessageBytes(topic.configs, broker.dynamicConfig);
  const rejection = validateProducedBatches(records, maxBatchBytes, recordRulesFor(topic.configs, broker.dynamicConfig, now));
  if (rejection) return refused(rejection, topicName, index, log);
  const producers = partition.producers.checkProduce(records);
  if (producers.kind === 'reject') return failed(producers.errorCode, producers.message);
  if (producers.kind === 'duplicate') {
    broker.counters.duplicateBatches++;
    const { firstOffset, lastOffset, timestamp } = producers.batch;
    return answerEarlierCopy(broker, partition, firstOffset, lastOffset, usesLogAppendTime(topic.configs, broker.dynamicConfig) ? timestamp : -1, wait, log);
  }
  // Recompressed before dedup.header plans, since its plan points into the batches that are appended.
  const target = compressionTypeOf(topic.configs, broker.dynamicConfig);
  if (target) {
    let recompressed;
    try {
      recompressed = recompressBatches(records, target);
    } catch (err) {
      log.warn({ err, topic: topicName, partition: index }, 'produce rejected: records unreadable for recompression');
      return failed(ErrorCode.CORRUPT_MESSAGE, 'records could not be read for recompression');
    }
    // As in Kafka, a batch grown by recompression is held to max.message.bytes too.
    const oversized = oversizedBatch(recompressed.largestBatch, maxBatchBytes);
    if (oversized) return refused(oversized, topicName, index, log);
    records = recompressed.records;
  }
  const dedup = dedupSettings(topic.configs);
  let accepted: DedupPlan | null = null;
  if (dedup) {
    // Opened at start-up for topics that had the config; a header set or changed since starts an empty window.
    if (partition.dedup?.headerKey !== dedup.headerKey) partition.dedup = new DedupWindow(dedup.headerKey, dedup.windowMs);
    partition.dedup.windowMs = dedup.windowMs;
    try {
      accepted = partition.dedup.filter(records, now);
    } catch (err) {
      log.warn({ err, topic: topicName, partition: index }, 'produce rejected: records unreadable for dedup.header');
      return failed(ErrorCode.CORRUPT_MESSAGE, 'records could not be read for dedup.header');
    }
    if (accepted.dropped > 0) {
      broker.counters.dedupDroppedRecords += accepted.dropped;
      if (dedupDropChannel.hasSubscribers) dedupDropChannel.publish({ topic: topicName, partition: index, dropped: accepted.dropped });
    }
    if (accepted.records === null) return answerEarlierCopy(broker, partition, accepted.firstCopyOffset, accepted.firstCopyOffset, -1, wait, log);
    records = accepted.records;
  }
  let logAppendTimeMs = -1;
  if (usesLogAppendTime(topic.configs, broker.dynamicConfig)) {
    logAppendTimeMs = now;
    forEachBatch(records, (pos) => setLogAppendTime(records, pos, logAppendTimeMs));
  }
  let appended;
  try {
    appended = partition.append(records);
  } catch (err) {
    log.error({ err, topic: topicName, partition: index }, 'append failed');
    return failed(ErrorCode.KAFKA_STORAGE_ERROR, 'the broker could not write to its log');
  }
  if (accepted) partition.dedup?.commit(accepted, now);
  partition.traffic.recordsIn += countBatchRecords(records);
  partition.traffic.bytesIn += records.length;
  if (acks === -1) {
    const refusal = await acknowledgement(broker, partition, appended.committed, wait, log);
    if (refusal) return refusal;
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: appended.baseOffset, logAppendTimeMs, logStartOffset: partition.logStartOffset, recordErrors: [] };
}

/**
 * Answers a produce whose records are already in the log (an idempotent retry,
 * or records dropped by dedup.header) with the earlier copy's offset; acks=all
 * (minIsr > 0) waits until that copy is committed, as the original's answer would have.
 */
async function answerEarlierCopy(broker: Broker, partition: Partition, baseOffset: number, lastOffset: number, logAppendTimeMs: number, wait: CommitWait, log: Logger): Promise<ProduceResult> {
  if (wait.minIsr > 0) {
    const refusal = await acknowledgement(broker, partition, partition.awaitCommitted(lastOffset), wait, log);
    if (refusal) return refusal;
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset, logAppendTimeMs, logStartOffset: partition.logStartOffset, recordErrors: [] };
}

/**
 * Waits for `committed` and returns why an acks=all write may not be
 * acknowledged, or null when it may: the request's timeout passed first, the
 * flush failed, this replica stopped leading (or its registration lapsed:
 * another may lead by now), or the ISR was below min.insync.replicas when the
 * high watermark passed the records.
 */
async function acknowledgement(broker: Broker, partition: Partition, committed: Promise<void>, wait: CommitWait, log: Logger): Promise<ProduceResult | null> {
  const { minIsr, timeoutMs } = wait;
  try {
    if ((await withinTimeout(broker.clock, committed, timeoutMs)) === TIMED_OUT) {
      return failed(ErrorCode.REQUEST_TIMED_OUT, `the records were not committed within the request's ${timeoutMs} ms (the ISR is ${partition.isr.join(',')}); they stay in the log`);
    }
  } catch (err) {
    if (err instanceof NotLeaderError) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    log.error({ err, topic: partition.topic, partition: partition.index }, 'flush failed');
    return failed(ErrorCode.KAFKA_STORAGE_ERROR, 'the broker could not flush its log');
  }
  if (!partition.isLeader || !broker.cluster.registered()) return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (partition.isr.length < minIsr) {
    return failed(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, `the ISR had ${partition.isr.length} replicas when the records were committed, min.insync.replicas is ${minIsr}`);
  }
  return null;
}

const TIMED_OUT = Symbol('timed out');

/** `done`, or TIMED_OUT once `timeoutMs` of `clock`'s time pass first; undefined: no limit. */
function withinTimeout(clock: Clock, done: Promise<void>, timeoutMs: number | undefined): Promise<void | typeof TIMED_OUT> {
  if (timeoutMs === undefined) return done;
  let timer: Timer | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => (timer = clock.schedule(Math.max(0, timeoutMs), () => resolve(TIMED_OUT))));
  return Promise.race([done, expiry]).finally(() => timer?.cancel());
}
