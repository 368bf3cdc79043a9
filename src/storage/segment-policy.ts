// When a partition log rolls to a new segment and which old segments retention
// deletes: one set of rules, shared by the file and the memory engine so both
// pass the same contract tests.

import type { LogConfig } from './partition-log.js';

/** Largest offset delta a segment can hold: index entries store offsets as int32. */
export const MAX_RELATIVE_OFFSET = 0x7fffffff;
/** Largest segment: index entries store file positions as int32. */
export const MAX_SEGMENT_BYTES = 0x7fffffff;

/** What the rules look at in a segment. */
export interface SegmentStats {
  readonly baseOffset: number;
  readonly sizeBytes: number;
  /** Largest batch maxTimestamp in the segment (ms), -1 when empty. */
  readonly maxTimestamp: number;
  /** Wall-clock time (ms) of the segment's first append, null while empty: segmentMs counts from here. */
  readonly rollStartMs: number | null;
}

function isOld(active: SegmentStats, config: LogConfig, now: number): boolean {
  return active.rollStartMs !== null && now - active.rollStartMs >= config.segmentMs;
}

function isExpired(segment: SegmentStats, config: LogConfig, now: number): boolean {
  return config.retentionMs >= 0 && segment.maxTimestamp < now - config.retentionMs;
}

/**
 * Whether an append of `appendBytes` ending at `lastOffset` must go to a new
 * segment. An empty segment takes any append, so one oversized batch still fits
 * somewhere.
 */
export function shouldRollBeforeAppend(active: SegmentStats, appendBytes: number, lastOffset: number, config: LogConfig, now: number): boolean {
  if (active.sizeBytes === 0) return false;
  if (active.sizeBytes + appendBytes > Math.min(config.segmentBytes, MAX_SEGMENT_BYTES)) return true;
  if (lastOffset - active.baseOffset > MAX_RELATIVE_OFFSET) return true;
  return isOld(active, config, now);
}

/**
 * Whether retention must roll the active segment first: retention never deletes
 * the active segment, so one that is past segmentMs, or whose records have all
 * expired, is closed to let it go.
 */
export function shouldRollForRetention(active: SegmentStats, config: LogConfig, now: number): boolean {
  return active.sizeBytes > 0 && (isOld(active, config, now) || isExpired(active, config, now));
}

/**
 * How many of the oldest closed segments (oldest first, active excluded)
 * retention deletes: those whose newest record is past retentionMs, and those
 * whose removal keeps the log (of `totalBytes`, active included) at or above
 * retentionBytes. Always a prefix, so the log stays contiguous.
 */
export function countExpiredSegments(closed: readonly SegmentStats[], totalBytes: number, config: LogConfig, now: number): number {
  let byTime = 0;
  while (byTime < closed.length && isExpired(closed[byTime], config, now)) byTime++;
  let bySize = 0;
  if (config.retentionBytes >= 0) {
    let excess = totalBytes - config.retentionBytes;
    while (bySize < closed.length && excess - closed[bySize].sizeBytes >= 0) {
      excess -= closed[bySize].sizeBytes;
      bySize++;
    }
  }
  return Math.max(byTime, bySize);
}

/** Index of the last segment whose base offset is <= `offset` (0 if none); segments are sorted by base offset. */
export function segmentIndexOf(segments: readonly { baseOffset: number }[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid].baseOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The largest timestamp among non-empty segments and the offset of the batch holding it; null when there is none. */
export function maxTimestampOf(segments: readonly (SegmentStats & { readonly offsetOfMaxTimestamp: number })[]): { timestamp: number; offset: number } | null {
  let best: { timestamp: number; offset: number } | null = null;
  for (const s of segments) {
    if (s.sizeBytes > 0 && s.maxTimestamp >= 0 && (best === null || s.maxTimestamp > best.timestamp)) {
      best = { timestamp: s.maxTimestamp, offset: s.offsetOfMaxTimestamp };
    }
  }
  return best;
}

/** How many leading segments lie wholly below `offset` (the next segment starts at or before it); the last one never counts. */
export function segmentsWhollyBelow(segments: readonly { baseOffset: number }[], offset: number): number {
  let n = 0;
  while (n < segments.length - 1 && segments[n + 1].baseOffset <= offset) n++;
  return n;
}
