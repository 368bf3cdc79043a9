// Redrive: the dead letters a share group left on its dead-letter topic
// (group config errors.deadletterqueue.topic.name) go back to the partition
// they came from, as new records (timestamped now) with their key, value and own headers, but
// without the `_dlq.errors.*` headers the broker added (KIP-1191's names).
//
// A cursor, the committed offsets of the consumer group
// `sluice.redrive.<group>`, remembers how far the dead-letter topic was
// redriven, so each dead letter goes back once. Each run reads up to the
// topic's end as it was when the run began and commits the cursor after
// every round of records is acknowledged. Letters of other groups sharing
// the topic (header `_dlq.errors.group.id`) are stepped over, not sent. A run
// with a limit stops after that many letters, its cursor right after the last.

import { Admin, EARLIEST, LATEST } from '../admin.js';
import { AssignedConsumer } from '../consumer.js';
import type { KafkaClient } from '../kafka-client.js';
import { Producer } from '../producer.js';
import type { RecordHeader } from '../../protocol/records.js';

/** The headers the broker adds to a dead letter all start with this. */
const DLQ_HEADER_PREFIX = '_dlq.errors.';
const ORIGINAL_TOPIC = '_dlq.errors.original.topic';
const ORIGINAL_PARTITION = '_dlq.errors.original.partition';
const GROUP = '_dlq.errors.group.id';

export interface RedriveProgress {
  /** The group's dead-letter topic. */
  deadLetterTopic: string;
  /** Dead letters sent back to their topics so far. */
  redriven: number;
  /** Records stepped over (another group's, or without the original topic and partition). */
  skipped: number;
  /** Records of the dead-letter topic this run reads in all. */
  total: number;
}

/** The consumer group whose committed offsets say how far `group`'s dead letters were redriven. */
export const redriveCursorGroup = (group: string): string => `sluice.redrive.${group}`;

/**
 * Sends the dead letters of share group `group` not redriven yet back to
 * their original topic and partition; `onProgress` is called after each
 * round. Resolves with the final figures (`deadLetterTopic` '' when the group
 * names none).
 */
export async function redriveDeadLetters(
  client: KafkaClient,
  group: string,
  onProgress: (p: RedriveProgress) => void = () => {},
  /** Dead letters sent back at most in this run. */
  limit = Infinity,
): Promise<RedriveProgress> {
  const admin = new Admin(client);
  const configs = await admin.describeConfigs({ type: 'group', name: group });
  const deadLetterTopic = configs.find((c) => c.name === 'errors.deadletterqueue.topic.name')?.value ?? '';
  const progress: RedriveProgress = { deadLetterTopic, redriven: 0, skipped: 0, total: 0 };
  if (deadLetterTopic === '' || !(await admin.listTopics()).some((t) => t.name === deadLetterTopic)) return progress;

  const partitions = (await client.topic(deadLetterTopic)).partitions.map((p) => p.partition);
  const cursor = redriveCursorGroup(group);
  const committed = new Map((await admin.fetchOffsets(cursor, [{ topic: deadLetterTopic, partitions }])).filter((o) => o.offset >= 0).map((o) => [o.partition, o.offset]));
  const [earliest, latest] = await Promise.all([admin.listOffsets(deadLetterTopic, partitions, EARLIEST), admin.listOffsets(deadLetterTopic, partitions, LATEST)]);
  const start = new Map<number, number>();
  const end = new Map<number, number>();
  for (const p of partitions) {
    const from = Math.max(committed.get(p) ?? 0, earliest.get(p)?.offset ?? 0);
    const to = latest.get(p)?.offset ?? 0;
    if (from >= to) continue;
    start.set(p, from);
    end.set(p, to);
    progress.total += to - from;
  }
  if (start.size === 0) return progress;

  const reader = new AssignedConsumer(client, deadLetterTopic, start);
  const producer = new Producer(client, { acks: -1 });
  // How far each partition is done: the reader's position (past markers and gaps too), never past the end this run reads to.
  const done = (p: number) => Math.min(reader.position(p) ?? start.get(p)!, end.get(p)!);
  // Where a run cut short by its limit stopped in each partition: past the last record it looked at.
  const looked = new Map(start);
  let cut = false;
  try {
    while (!cut && [...end].some(([p, to]) => done(p) < to)) {
      const sends: Promise<unknown>[] = [];
      for (const r of await reader.poll()) {
        if (r.offset >= end.get(r.partition)!) continue;
        if (progress.redriven >= limit) {
          cut = true;
          break;
        }
        looked.set(r.partition, r.offset + 1);
        const target = originOf(r.headers, group);
        if (!target) {
          progress.skipped++;
          continue;
        }
        sends.push(producer.send(target.topic, { key: r.key, value: r.value, headers: r.headers.filter((h) => !h.key.startsWith(DLQ_HEADER_PREFIX)), partition: target.partition, timestamp: Date.now() }));
        progress.redriven++;
      }
      await Promise.all(sends);
      await admin.commitOffsets(cursor, [...end.keys()].map((partition) => ({ topic: deadLetterTopic, partition, offset: cut ? looked.get(partition)! : done(partition) })));
      onProgress({ ...progress });
    }
  } finally {
    reader.stop();
    await producer.close();
  }
  return progress;
}

/** Where a dead letter of `group` came from; null for another group's letter or one without the headers. */
function originOf(headers: RecordHeader[], group: string): { topic: string; partition: number } | null {
  const value = (name: string) => [...headers].reverse().find((h) => h.key === name)?.value?.toString('utf8');
  const topic = value(ORIGINAL_TOPIC);
  const partition = Number(value(ORIGINAL_PARTITION));
  if (value(GROUP) !== group || !topic || !Number.isInteger(partition) || partition < 0) return null;
  return { topic, partition };
}
