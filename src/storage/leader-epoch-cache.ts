// The leader epochs a partition's log holds and the offset at which each one's
// records start (Kafka's leader-epoch-checkpoint, KIP-101): where an epoch
// ended is the start of the next one, which is how OffsetForLeaderEpoch
// (KIP-279) tells a follower where its log and its new leader's diverge.
//
//   leader-epoch-checkpoint   "0" (format version), the entry count, then
//                             "<epoch> <startOffset>" per line, oldest first
//
// Entries change only when an epoch first appends, and when the log is cut at
// either end; each change rewrites the file atomically. A missing or unreadable
// file leaves the cache empty; the file log then seeds it once from its batch
// headers (epoch-scan.ts), so a log written before the checkpoint existed
// still knows its epochs. For the same reason the first entries of an empty
// cache are written without fsync: a crash that loses them leaves the cache
// empty, and the seeding finds exactly what they said in the batches (an epoch
// no batch has is not needed after a restart, which starts a new epoch). A
// new partition thus costs no fsync here, which made creating thousands take
// seconds; every later change is fsynced, and makes the earlier ones durable.

import fs from 'node:fs';
import { writeFileAtomically } from './checkpoint-file.js';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[];

  /** `file` null: kept in memory only. */
  constructor(private readonly file: string | null) {
    this.entries = file === null ? [] : readCheckpoint(file);
  }

  /** Oldest first. */
  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** The newest epoch, UNDEFINED_EPOCH when none is known. */
  get latestEpoch(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH : this.entries[this.entries.length - 1].epoch;
  }

  /**
   * Records that records of `epoch` were appended from `startOffset` on. Only
   * a newer epoch than the latest makes an entry: the latest epoch's later
   * appends and an older epoch's (a stale leader's, which the broker fences)
   * change nothing. Throws what writing the file throws.
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    this.entries.push({ epoch, startOffset });
    this.persist(this.entries.length > 1);
  }

  /**
   * Where `epoch` ends in a log whose end is `logEndOffset`, as OffsetForLeaderEpoch answers:
   * the latest epoch ends at the log end; an older one where the next newer epoch starts, reported
   * with the largest known epoch not above it (the requested one if none is known below it);
   * an epoch newer than every known one, or any epoch of an empty cache, is UNDEFINED.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET };
    if (epoch === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedAnswer;
    if (epoch === this.latestEpoch) return { epoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > epoch);
    if (higher < 0) return undefinedAnswer;
    const floor = higher > 0 ? this.entries[higher - 1].epoch : epoch;
    return { epoch: floor, endOffset: this.entries[higher].startOffset };
  }

  /** Replaces an empty cache with `entries` (oldest first, as found in a log's batches) and writes them. */
  seed(entries: readonly EpochEntry[]): void {
    if (this.entries.length > 0 || entries.length === 0) return;
    this.entries = [...entries];
    this.persist(false);
  }

  /** The log was cut at `endOffset`: epochs starting at or past it are gone. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.persist();
  }

  /**
   * The log now starts at `startOffset`: epochs wholly before it are gone, and
   * the one it falls in starts there.
   */
  truncateFromStart(startOffset: number): void {
    let first = 0;
    while (first + 1 < this.entries.length && this.entries[first + 1].startOffset <= startOffset) first++;
    const head = this.entries[first];
    if (head === undefined || (first === 0 && head.startOffset >= startOffset)) return;
    this.entries = [{ epoch: head.epoch, startOffset: Math.max(head.startOffset, startOffset) }, ...this.entries.slice(first + 1)];
    this.persist();
  }

  /** `durable` false only where the entries come from an empty cache (see the top of the file). */
  private persist(durable = true): void {
    if (this.file === null) return;
    writeFileAtomically(this.file, `0\n${this.entries.length}\n${this.entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`, { durable });
  }
}

/** Entries from the file; none when it is missing or not well formed (epochs ascending, offsets not descending). */
function readCheckpoint(file: string): EpochEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] !== '0' || Number(lines[1]) !== lines.length - 2) return [];
  const entries: EpochEntry[] = [];
  for (const line of lines.slice(2)) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (!m) return [];
    const entry = { epoch: Number(m[1]), startOffset: Number(m[2]) };
    const last = entries[entries.length - 1];
    if (last && (entry.epoch <= last.epoch || entry.startOffset < last.startOffset)) return [];
    entries.push(entry);
  }
  return entries;
}
