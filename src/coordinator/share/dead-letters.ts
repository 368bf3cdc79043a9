// Dead letters (as KIP-1191 proposes for share groups): records a share group
// archived because a member rejected them or they reached the delivery-count
// limit are copied, when the group names a dead-letter topic
// (errors.deadletterqueue.topic.name), onto that topic with their key, value,
// headers and timestamp, plus headers saying where they came from and why.
// The topic is created (one partition) on first use. A keyed record goes to
// the partition of its key, others to their source partition's index modulo
// the topic's partition count. The copy is made after the archive is decided
// and is not retried: a crash in between loses the copy, not the archive.

import type { Broker } from '../../broker/broker.js';
import type { Logger } from '../../logger.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import { partitionForKey } from '../../protocol/murmur2.js';
import { isControlBatch } from '../../protocol/record-batch.js';
import { type NewRecord, decodeBatch, encodeBatch, forEachBatch } from '../../protocol/records.js';

/** Headers a dead letter carries besides its own. */
export const DLQ_HEADERS = {
  topic: '_dlq.errors.original.topic',
  partition: '_dlq.errors.original.partition',
  offset: '_dlq.errors.original.offset',
  group: '_dlq.errors.group.id',
  deliveryCount: '_dlq.errors.delivery.count',
  reason: '_dlq.errors.disposition',
} as const;

/** Why a record was archived, as the disposition header says it. */
export const DISPOSITIONS = { rejected: 'CLIENT_REJECTED', 'delivery-limit': 'MAX_DELIVERY_ATTEMPTS_REACHED' } as const;

export interface DeadLetter {
  groupId: string;
  topic: string;
  partition: number;
  first: number;
  last: number;
  reason: keyof typeof DISPOSITIONS;
  deliveryCount: number;
}

const READ_BYTES = 8 * 1024 * 1024;

/**
 * The copies a broker's share groups make: one after another per dead-letter
 * topic, in the order records were archived, counted per share partition (by
 * the key the ShareCoordinator gives it).
 */
export class DeadLetterCopies {
  private readonly copied = new Map<string, number>();
  /** Per dead-letter topic, the last copy. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
  ) {}

  /** Copies `letter` onto `dlqTopic` after the copies before it; a failure is logged. */
  copy(key: string, letter: DeadLetter, dlqTopic: string): void {
    const copy = (this.chains.get(dlqTopic) ?? Promise.resolve())
      .then(() => copyToDeadLetterTopic(this.broker, this.log, letter, dlqTopic))
      .then(
        (copied) => void this.copied.set(key, (this.copied.get(key) ?? 0) + copied),
        (err) => this.log.error({ err, ...letter, deadLetterTopic: dlqTopic }, 'archived records could not be copied to the dead-letter topic'),
      );
    this.chains.set(dlqTopic, copy);
  }

  /** Records of the share partition copied so far. */
  count(key: string): number {
    return this.copied.get(key) ?? 0;
  }

  forget(key: string): void {
    this.copied.delete(key);
  }

  /** Resolves once the copies made so far have settled. */
  async settle(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}

/** Copies the records of `letter` onto `dlqTopic`; resolves with how many were copied once they are committed. */
export async function copyToDeadLetterTopic(broker: Broker, log: Logger, letter: DeadLetter, dlqTopic: string): Promise<number> {
  const source = broker.partition(letter.topic, letter.partition);
  if (!source) return 0;
  const records = readRange(source.log, letter.first, letter.last, source.highWatermark);
  if (records.length === 0) return 0;
  const topic = broker.cluster.topic(dlqTopic) ?? (await broker.createTopic(dlqTopic, 1, {}));
  const count = topic.partitions.length;
  const byPartition = new Map<number, NewRecord[]>();
  for (const r of records) {
    const target = r.key ? partitionForKey(r.key, count) : letter.partition % count;
    let list = byPartition.get(target);
    if (!list) byPartition.set(target, (list = []));
    list.push({
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: [
        ...r.headers,
        header(DLQ_HEADERS.topic, letter.topic),
        header(DLQ_HEADERS.partition, String(letter.partition)),
        header(DLQ_HEADERS.offset, String(r.offset)),
        header(DLQ_HEADERS.group, letter.groupId),
        header(DLQ_HEADERS.deliveryCount, String(letter.deliveryCount)),
        header(DLQ_HEADERS.reason, DISPOSITIONS[letter.reason]),
      ],
    });
  }
  const committed = [...byPartition].map(([index, list]) => {
    const target = broker.partition(dlqTopic, index);
    if (!target) throw new Error(`partition ${index} of dead-letter topic ${dlqTopic} is not open`);
    return target.append(encodeBatch(list)).committed;
  });
  await Promise.all(committed);
  log.info({ group: letter.groupId, topic: letter.topic, partition: letter.partition, first: letter.first, last: letter.last, deadLetterTopic: dlqTopic, records: records.length }, 'records copied to the dead-letter topic');
  return records.length;
}

function header(key: string, value: string) {
  return { key, value: Buffer.from(value) };
}

/** The data records with offsets `first`..`last` below `end`, read as stored. */
function readRange(log: PartitionLog, first: number, last: number, end: number) {
  const out: ReturnType<typeof decodeBatch>['records'] = [];
  let offset = first;
  while (offset <= last && offset < end) {
    const data = log.read(offset, READ_BYTES, end, true);
    if (data.length === 0) break;
    let next = offset;
    forEachBatch(data, (pos) => {
      const { header: h, records } = decodeBatch(data, pos);
      next = Math.max(next, h.baseOffset + h.lastOffsetDelta + 1);
      if (isControlBatch(data, pos)) return;
      for (const r of records) if (r.offset >= offset && r.offset <= last) out.push(r);
    });
    if (next <= offset) break;
    offset = next;
  }
  return out;
}
