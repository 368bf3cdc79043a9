// The contract every partition log engine keeps (file-log.ts on disk,
// memory-log.ts for tests and embedded use). One owner: the broker's
// partition calls these methods; appends are synchronous so offsets are
// assigned without interleaving, and durability is awaited separately.

import type { CorruptRange, CorruptSpan } from './corrupt-batch.js';
import type { CompactResult } from './log-cleaner.js';

export type FlushPolicy = 'group-commit' | 'interval' | 'os';

export interface LogConfig {
  /** Roll to a new segment once the active one reaches this size (bytes). Default 1 GiB. */
  segmentBytes: number;
  /** Roll to a new segment once the active one is this old (ms). Default 7 days. */
  segmentMs: number;
  /** Delete segments whose newest record is older than this (ms); -1 keeps forever. Default 7 days. */
  retentionMs: number;
  /** Delete oldest segments while the partition is larger than this (bytes); -1 means no limit. */
  retentionBytes: number;
  /** When appended data is fsynced: with every ack (group-commit), every flushIntervalMs (interval), or by the OS. */
  flushPolicy: FlushPolicy;
  /** Period of the `interval` flush policy (ms). Default 1000. */
  flushIntervalMs: number;
  /** Bytes between sparse index entries. Default 4096. */
  indexIntervalBytes: number;
  /** How long compaction keeps a tombstone after its segment was first cleaned (ms). Default 1 day (delete.retention.ms). */
  deleteRetentionMs?: number;
}

export interface AppendInfo {
  /** Offset given to the first record of the first batch. */
  baseOffset: number;
  /** Offset of the last record appended. */
  lastOffset: number;
}

/** Where the background scrubber (scrubber.ts) goes on in a log: a closed segment and a batch boundary in it. */
export interface ScrubCursor {
  segmentBase: number;
  position: number;
}

export interface PartitionLog {
  /** First offset still in the log. */
  readonly logStartOffset: number;
  /** Offset the next appended record gets. */
  readonly logEndOffset: number;
  /** Bytes on disk (or in memory) across all segments. */
  readonly sizeBytes: number;
  /** The newest leader epoch the leader-epoch checkpoint knows, -1 when none (a follower asks its leader where it ends, KIP-279). */
  readonly latestEpoch: number;

  /**
   * Appends one or more whole, already validated RecordBatches laid end to end.
   * Assigns offsets from logEndOffset by patching each batch header in place and
   * writes them in one write. Throws StorageError (and keeps the log unchanged)
   * when the write fails, e.g. a full disk; RangeError when the buffer is not
   * whole batches (the broker validates first, so that is a bug).
   */
  append(batches: Buffer, leaderEpoch: number): AppendInfo;

  /**
   * Appends whole batches as another log holds them (a follower copying its
   * leader): offsets and leader epochs stay as the batches carry them. The
   * first must start at or after logEndOffset and each after the one before
   * (RangeError otherwise, with the log unchanged); logEndOffset becomes the
   * offset after the last. Throws StorageError as append does.
   */
  appendReplicated(batches: Buffer): AppendInfo;

  /**
   * Resolves once every record up to and including `offset` is durable under the
   * flush policy; rejects with StorageError if an fdatasync failed, RangeError if
   * `offset` >= logEndOffset.
   */
  awaitDurable(offset: number): Promise<void>;

  /**
   * Reads whole batches starting with the one that contains `offset`, stopping
   * before any batch that starts at or past `maxOffset` (exclusive; the high
   * watermark) and after at most `maxBytes`. With `minOneBatch` (the default)
   * the first batch is returned even when larger than `maxBytes`, as Kafka does
   * for the first data of a fetch response (KIP-74); without it a first batch
   * that does not fit gives an empty buffer. Empty buffer when nothing is there.
   * An offset below logStartOffset reads from logStartOffset (the caller answers
   * OFFSET_OUT_OF_RANGE first). Like Kafka, one call serves from one segment, so
   * a fetch loop continues from the last offset returned + 1. Throws
   * CorruptBatchError when the batch holding `offset` is corrupt. `allocate`
   * gives the buffer a read from disk lands in (a pool's, for a Fetch answer
   * that gives it back once written); a log in memory answers views of its own.
   */
  read(offset: number, maxBytes: number, maxOffset: number, minOneBatch?: boolean, allocate?: (size: number) => Buffer): Buffer;

  /**
   * The earliest offset whose batch has a max timestamp >= `timestamp`, with that
   * batch's bytes so the caller can look at record level; null if none. The
   * offset is the batch's base offset, or logStartOffset if that is inside it.
   */
  findByTimestamp(timestamp: number): { offset: number; batch: Buffer } | null;

  /**
   * Batches found corrupt (CRC32C mismatch) and kept, oldest first. `read`
   * stops before them and throws CorruptBatchError when it starts at one.
   */
  corruptRanges(): CorruptRange[];

  /** corruptRanges() with where each lies on disk: the segment file's name and the byte range in it (for operators). */
  corruptSpans(): CorruptSpan[];

  /**
   * Re-checks the CRC32C of about `maxBytes` of the closed segments from
   * `cursor` (null: the oldest), recording and reporting corrupt batches as
   * `read` does. Returns the bytes checked and where to go on, null once the
   * last closed segment is done.
   */
  scrub(cursor: ScrubCursor | null, maxBytes: number): { next: ScrubCursor | null; bytes: number };

  /** Largest timestamp in the log and the offset of the batch that holds it; null when empty. */
  maxTimestamp(): { timestamp: number; offset: number } | null;

  /**
   * Where leader epoch `epoch` ends in this log, as OffsetForLeaderEpoch
   * (KIP-279) answers it: see LeaderEpochCache.endOffsetFor. Each append's
   * leaderEpoch is recorded from the offset of its first record.
   */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number };

  /**
   * Records that leader epoch `epoch` starts at the log end, as a new leader
   * does before its first append (Kafka's makeLeader), so that
   * OffsetForLeaderEpoch knows where the epochs before it end. An epoch not
   * newer than the latest known changes nothing. Throws StorageError when the
   * checkpoint cannot be written.
   */
  startLeaderEpoch(epoch: number): void;

  /**
   * Removes every record at or past `offset`, as a follower whose log diverged
   * from its leader's must (KIP-101). Only whole batches go: a batch holding
   * `offset` goes entirely, so logEndOffset becomes its base offset (follower
   * truncation points are batch boundaries); when that batch starts below
   * logStartOffset, the log is left empty from `offset` on (logStartOffset and
   * logEndOffset both `offset`). Appends still awaiting the
   * durability of removed offsets are rejected with StorageError. At
   * logEndOffset only a leader epoch recorded as starting there goes (a
   * former leader's epoch without records, which its new leader's epochs
   * replace, as Kafka's truncateTo does); past it nothing happens; below
   * logStartOffset it throws RangeError.
   */
  truncateTo(offset: number): void;

  /**
   * Moves logStartOffset forward (DeleteRecords); removes segments wholly below it.
   * A lower offset is ignored; one past logEndOffset throws RangeError.
   */
  advanceLogStart(offset: number): void;

  /**
   * Empties the log, which goes on at `offset`, its new logStartOffset and
   * logEndOffset: a follower whose log ends before its leader's log start
   * cannot fetch what lies between (Kafka's truncateFullyAndStartAt).
   */
  startAt(offset: number): void;

  /** Applies retention.ms / retention.bytes and segment.ms rolling at time `now`. Returns segments deleted. */
  enforceRetention(now: number): number;

  /**
   * Compacts the log at time `now` (cleanup.policy=compact, see log-cleaner.ts):
   * in the closed, durable segments keeps only each key's latest record and
   * drops tombstones older than deleteRetentionMs. Offsets, logStartOffset and
   * logEndOffset do not change. Does nothing unless a segment has records
   * never cleaned or tombstones whose time is up.
   */
  compact(now: number): CompactResult;

  /**
   * Takes a changed config (a topic config altered at run time) from now on:
   * sizes and ages apply at the next append or retention pass, the flush policy
   * at once (appends awaiting an fsync that the new policy no longer asks for
   * are released), indexIntervalBytes from the next segment.
   */
  reconfigure(config: LogConfig): void;

  /** Flushes and closes files; later appends throw StorageError. */
  close(): Promise<void>;

  /** Closes and removes all data of this partition. */
  destroy(): Promise<void>;
}
