// Checking a partition's segment files with the broker stopped (`sluice log
// verify`) and, only when an operator asks, cutting the log at its first
// corrupt batch (`sluice log truncate-corrupt`). Reads .log files only; the
// indexes are not trusted, and a cut removes them so the next open rebuilds.

import fs from 'node:fs';
import path from 'node:path';
import { scanBatches } from './batch-scan.js';
import { CLEAN_SHUTDOWN_FILE } from './clean-shutdown.js';
import { parseSegmentFileName, segmentFileName } from './segment.js';

/** A batch that fails its CRC32C or header check, or bytes that cannot be framed as batches at all. */
export interface CorruptFinding {
  topic: string;
  partition: number;
  segment: string;
  /** Byte position of the batch in its segment file. */
  position: number;
  baseOffset: number;
  /** Null when the bytes cannot be framed, so where the damage ends is unknown. */
  lastOffset: number | null;
  reason: string;
}

export interface PartitionDir {
  topic: string;
  partition: number;
  dir: string;
}

/** The partition directories `<topic>-<partition>` of a data directory, optionally only one topic or partition. */
export function partitionDirs(dataDir: string, topic?: string, partition?: number): PartitionDir[] {
  const out: PartitionDir[] = [];
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    const m = /^(.+)-(\d+)$/.exec(entry.name);
    if (!entry.isDirectory() || m === null) continue;
    const p = { topic: m[1], partition: Number(m[2]), dir: path.join(dataDir, entry.name) };
    if ((topic === undefined || p.topic === topic) && (partition === undefined || p.partition === partition)) out.push(p);
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** Base offsets of the partition's segments, oldest first. */
function segmentBases(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map(parseSegmentFileName)
    .filter((b): b is number => b !== null)
    .sort((a, b) => a - b);
}

/** Every corrupt batch (and unframeable tail) in the partition's segment files, oldest first. */
export function verifyPartition(p: PartitionDir): CorruptFinding[] {
  const { topic, partition } = p;
  const findings: CorruptFinding[] = [];
  for (const base of segmentBases(p.dir)) {
    const segment = path.join(p.dir, segmentFileName(base, '.log'));
    const fd = fs.openSync(segment, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      let nextOffset = base;
      const opts = { segmentBaseOffset: base, minBaseOffset: base, verifyCrc: true, keepCorrupt: true, resync: true };
      const result = scanBatches(fd, 0, size, opts, (batch, corrupt) => {
        if (corrupt) findings.push({ topic, partition, segment, position: batch.position, baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, reason: 'fails its CRC32C or header check' });
        nextOffset = batch.lastOffset + 1;
      });
      if (result.problem !== null) findings.push({ topic, partition, segment, position: result.validEnd, baseOffset: nextOffset, lastOffset: null, reason: result.problem });
    } finally {
      fs.closeSync(fd);
    }
  }
  return findings;
}

export interface Truncation {
  /** Offset the log now ends at (the first corrupt batch's base offset). */
  logEndOffset: number;
  segment: string;
  bytesCut: number;
  segmentsRemoved: string[];
}

/**
 * Cuts the partition's log at its first corrupt batch: that segment file is
 * truncated there, every newer segment is removed, and the cut segment's
 * indexes are removed (the next open rebuilds them). Null when nothing is corrupt.
 */
export function truncateAtFirstCorrupt(p: PartitionDir): Truncation | null {
  const [first] = verifyPartition(p);
  if (first === undefined) return null;
  const size = fs.statSync(first.segment).size;
  fs.truncateSync(first.segment, first.position);
  const cutBase = parseSegmentFileName(path.basename(first.segment))!;
  for (const suffix of ['.index', '.timeindex']) fs.rmSync(path.join(p.dir, segmentFileName(cutBase, suffix)), { force: true });
  const segmentsRemoved: string[] = [];
  for (const base of segmentBases(p.dir).filter((b) => b > cutBase)) {
    for (const suffix of ['.log', '.index', '.timeindex']) fs.rmSync(path.join(p.dir, segmentFileName(base, suffix)), { force: true });
    segmentsRemoved.push(path.join(p.dir, segmentFileName(base, '.log')));
  }
  // Without the marker the next open re-checks what is left as after a crash.
  fs.rmSync(path.join(p.dir, CLEAN_SHUTDOWN_FILE), { force: true });
  return { logEndOffset: first.baseOffset, segment: first.segment, bytesCut: size - first.position, segmentsRemoved };
}
