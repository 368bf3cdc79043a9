// The high watermark of every partition a broker holds, in one file of its
// data directory, so that a replica reopened after a restart starts from what
// was known committed instead of its log start (Kafka's
// replication-offset-checkpoint, same format):
//
//   <dataDir>/replication-offset-checkpoint
//     0                   version
//     2                   number of entries
//     orders 0 1500       topic, partition, high watermark
//     orders 1 1432
//
// Written atomically (temp file, fsync, rename, directory fsync). A file that
// is missing gives no entries; one that is unreadable or malformed is logged
// and ignored as a whole: the replicas then start from their log start, as
// with no checkpoint, which is safe (they learn their leader's).

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from './checkpoint-file.js';
import type { StorageLogger } from './storage-logger.js';

export const HIGH_WATERMARK_CHECKPOINT_FILE = 'replication-offset-checkpoint';
const VERSION = 0;

export interface HighWatermarkEntry {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
}

/** Checkpointed high watermarks by topic, then partition. */
export type HighWatermarks = ReadonlyMap<string, ReadonlyMap<number, number>>;

export function writeHighWatermarkCheckpoint(dataDir: string, entries: readonly HighWatermarkEntry[]): void {
  const lines = [String(VERSION), String(entries.length), ...entries.map((e) => `${e.topic} ${e.partition} ${e.highWatermark}`)];
  writeFileAtomically(path.join(dataDir, HIGH_WATERMARK_CHECKPOINT_FILE), `${lines.join('\n')}\n`);
}

/** The checkpoint in `dataDir`; empty when there is none, or when it cannot be used (then with a warning saying why). */
export function readHighWatermarkCheckpoint(dataDir: string, log: StorageLogger): HighWatermarks {
  const file = path.join(dataDir, HIGH_WATERMARK_CHECKPOINT_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, file }, 'high watermark checkpoint unreadable; replicas start their high watermark at their log start');
    return new Map();
  }
  try {
    return parseCheckpoint(text);
  } catch (err) {
    log.warn({ file, reason: (err as Error).message }, 'high watermark checkpoint malformed; ignored: replicas start their high watermark at their log start');
    return new Map();
  }
}

function parseCheckpoint(text: string): HighWatermarks {
  if (!text.endsWith('\n')) throw new Error('no final newline (a torn write)');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== String(VERSION)) throw new Error(`version ${JSON.stringify(lines[0])}, expected ${VERSION}`);
  const count = offsetOf(lines[1] ?? '', 'entry count');
  if (lines.length !== count + 2) throw new Error(`${lines.length - 2} entries, the count says ${count}`);
  const byTopic = new Map<string, Map<number, number>>();
  for (const line of lines.slice(2)) {
    const fields = line.split(' ');
    if (fields.length !== 3 || fields[0] === '') throw new Error(`entry ${JSON.stringify(line)} is not "topic partition offset"`);
    const [topic, partition, offset] = [fields[0], offsetOf(fields[1], 'partition'), offsetOf(fields[2], 'high watermark')];
    const partitions = byTopic.get(topic) ?? new Map<number, number>();
    if (partitions.has(partition)) throw new Error(`${topic}-${partition} is listed twice`);
    byTopic.set(topic, partitions.set(partition, offset));
  }
  return byTopic;
}

/** A non-negative safe integer written in decimal digits. */
function offsetOf(field: string, what: string): number {
  const value = /^\d+$/.test(field) ? Number(field) : NaN;
  if (!Number.isSafeInteger(value)) throw new Error(`${what} ${JSON.stringify(field)} is not a non-negative safe integer`);
  return value;
}
