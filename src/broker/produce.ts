// The produce path for one partition: validate the batches, append them in one
// write, then settle when the acks policy holds (acks=0 and 1: appended;
// acks=all: committed, i.e. fsynced under group-commit).

import type { Logger } from '../logger.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { forEachBatch } from '../protocol/records.js';
import { setLogAppendTime } from '../protocol/record-batch.js';
import type { TopicMetadata } from '../cluster/control-plane.js';
import type { Broker } from './broker.js';
import { validateProducedBatches } from './batch-validation.js';
import { isInternalTopic } from './topic-name.js';
import { maxMessageBytes, usesLogAppendTime } from './topic-config.js';

export interface ProduceResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

function failed(errorCode: number, errorMessage: string | null = null): ProduceResult {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}

/**
 * Produces to one partition. When the topic exists, validation and the append
 * happen synchronously inside this call, so appends keep request order.
 */
export function produceToPartition(
  broker: Broker,
  topicName: string,
  index: number,
  records: Buffer | null,
  acks: number,
  log: Logger,
): Promise<ProduceResult> {
  if (isInternalTopic(topicName)) return Promise.resolve(failed(ErrorCode.INVALID_TOPIC_EXCEPTION, `clients cannot write to the internal topic ${topicName}`));
  const topic = broker.cluster.topic(topicName);
  if (topic) return appendAndAck(broker, topic, index, records, acks, log);
  return broker
    .topicOrAutoCreate(topicName, true)
    .then((created) => (created ? appendAndAck(broker, created, index, records, acks, log) : failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)));
}

async function appendAndAck(broker: Broker, topic: TopicMetadata, index: number, records: Buffer | null, acks: number, log: Logger): Promise<ProduceResult> {
  const topicName = topic.name;
  const partition = broker.partition(topicName, index);
  if (!partition) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (records === null) return failed(ErrorCode.CORRUPT_MESSAGE, 'null record set');
  const rejection = validateProducedBatches(records, maxMessageBytes(topic.configs, broker.config));
  if (rejection) {
    log.warn({ topic: topicName, partition: index, reason: rejection.message }, 'produce rejected');
    return failed(rejection.errorCode, rejection.message);
  }
  let logAppendTimeMs = -1;
  if (usesLogAppendTime(topic.configs)) {
    logAppendTimeMs = Date.now();
    forEachBatch(records, (pos) => setLogAppendTime(records, pos, logAppendTimeMs));
  }
  let appended;
  try {
    appended = partition.append(records);
  } catch (err) {
    log.error({ err, topic: topicName, partition: index }, 'append failed');
    return failed(ErrorCode.KAFKA_STORAGE_ERROR, 'the broker could not write to its log');
  }
  if (acks === -1) {
    try {
      await appended.committed;
    } catch (err) {
      log.error({ err, topic: topicName, partition: index }, 'flush failed');
      return failed(ErrorCode.KAFKA_STORAGE_ERROR, 'the broker could not flush its log');
    }
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: appended.baseOffset, logAppendTimeMs, logStartOffset: partition.logStartOffset };
}
