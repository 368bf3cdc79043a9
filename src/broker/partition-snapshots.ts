// Snapshots of a partition's in-memory producer state and dedup window, beside
// its log, and their rebuild at start-up:
//
//   <partition dir>/producer-state-<offset>.json   ProducerStateManager.toSnapshot
//   <partition dir>/dedup-window-<offset>.json     DedupWindow.toSnapshot
//
// <offset> (20 digits) is the log end offset the state describes: the state after
// every batch below it. Each file is written whole and renamed into place
// (atomic); the two newest of each kind are kept. They are written at a clean
// close and, when the state changed, every stateSnapshotIntervalMs in the
// background (the state is captured synchronously, the file written
// asynchronously, so the event loop never waits on an fsync).
//
// At open: snapshots above the log end offset describe records a crash took back
// and are deleted; the newest one left is loaded and the log's batches from its
// offset to the end are replayed (headers only for producer state; records for
// the dedup window). Without a usable snapshot the producer state is replayed
// from the log start, and the dedup window from the first batch younger than
// the window (by record timestamps).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { batchSize } from '../protocol/record-batch.js';
import { forEachBatch } from '../protocol/records.js';
import { TMP_SUFFIX, fsyncDirectory, writeFileAtomically } from '../storage/checkpoint-file.js';
import { readPastCorrupt } from '../storage/corrupt-batch.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { DedupWindow, type DedupSnapshot } from './dedup-window.js';
import type { Partition } from './partition.js';
import type { ProducerStateSnapshot } from './producer-state.js';
import { type TopicConfigs, dedupSettings } from '../metadata/topic-configs.js';

type Kind = 'producer-state' | 'dedup-window';

/** Snapshots kept per kind: the newest may lie above the log end after a crash, the one before it rarely does. */
const KEEP = 2;
const REPLAY_CHUNK_BYTES = 1024 * 1024;

function fileName(kind: Kind, offset: number): string {
  return `${kind}-${String(offset).padStart(20, '0')}.json`;
}

/** Offsets of the `kind` snapshots in `dir`, newest first. */
function snapshotOffsets(dir: string, kind: Kind): number[] {
  const pattern = new RegExp(`^${kind}-(\\d{20})\\.json$`);
  const offsets: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = pattern.exec(name);
    if (m) offsets.push(Number(m[1]));
  }
  return offsets.sort((a, b) => b - a);
}

function prune(dir: string, kind: Kind): void {
  for (const offset of snapshotOffsets(dir, kind).slice(KEEP)) fs.rmSync(path.join(dir, fileName(kind, offset)), { force: true });
}

/** The newest `kind` snapshot at or below `logEndOffset` that parses; deletes those above it. */
function readSnapshot(dir: string, kind: Kind, logEndOffset: number, logger: Logger): { offset: number; data: unknown } | null {
  for (const offset of snapshotOffsets(dir, kind)) {
    const file = path.join(dir, fileName(kind, offset));
    if (offset > logEndOffset) {
      // It describes records the log no longer has; once the log grows past it, it would mislead.
      fs.rmSync(file, { force: true });
      continue;
    }
    try {
      return { offset, data: JSON.parse(fs.readFileSync(file, 'utf8')) };
    } catch (err) {
      logger.warn({ file, err }, 'unreadable partition state snapshot; trying an older one');
    }
  }
  return null;
}

async function writeAsync(dir: string, kind: Kind, offset: number, json: string): Promise<void> {
  const file = path.join(dir, fileName(kind, offset));
  const tmp = file + TMP_SUFFIX;
  const handle = await fsp.open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(json);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  const d = await fsp.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
  prune(dir, kind);
}

function writeSync(dir: string, kind: Kind, offset: number, json: string): void {
  writeFileAtomically(path.join(dir, fileName(kind, offset)), json);
  prune(dir, kind);
  fsyncDirectory(dir);
}

/** Calls `fn` for each batch of `log` from the one holding `from` to the end. */
export function replayLog(log: PartitionLog, from: number, fn: (buf: Buffer, pos: number) => void): void {
  const end = log.logEndOffset;
  let offset = Math.max(from, log.logStartOffset);
  while (offset < end) {
    const chunk = readPastCorrupt(log, offset, REPLAY_CHUNK_BYTES, end);
    if (chunk.length === 0) return;
    let next = offset;
    forEachBatch(chunk, (pos) => {
      const last = Number(chunk.readBigInt64BE(pos)) + chunk.readInt32BE(pos + 23);
      if (last < offset) return;
      fn(chunk, pos);
      next = last + 1;
    });
    if (next <= offset) return;
    offset = next;
  }
}

export interface SnapshotSettings {
  /** Producers idle this long without an open transaction are forgotten (ms). */
  producerIdExpirationMs: number;
}

/**
 * Restores and snapshots the producer state and dedup window of the
 * partitions it is given. Owned by the Broker; one write in flight per partition.
 */
export class PartitionSnapshots {
  private readonly writing = new Map<Partition, Promise<void>>();

  constructor(
    private readonly settings: SnapshotSettings,
    private readonly logger: Logger,
  ) {}

  /** Rebuilds `p.producers` and `p.dedup` from their snapshots in `dir` and the log; call before `p` serves. */
  restore(p: Partition, dir: string, configs: TopicConfigs, nowMs = Date.now()): void {
    const end = p.log.logEndOffset;
    const producerSnap = readSnapshot(dir, 'producer-state', end, this.logger);
    let from = p.log.logStartOffset;
    if (producerSnap) {
      try {
        p.producers.restore(producerSnap.data as ProducerStateSnapshot);
        from = producerSnap.offset;
      } catch (err) {
        this.logger.warn({ dir, err }, 'malformed producer state snapshot; replaying the whole log');
      }
    }
    replayLog(p.log, from, (buf, pos) => p.producers.onAppended(buf.subarray(pos, pos + batchSize(buf, pos)), nowMs));
    p.producers.removeExpired(nowMs, this.settings.producerIdExpirationMs);

    const dedup = dedupSettings(configs);
    p.dedup = dedup ? new DedupWindow(dedup.headerKey, dedup.windowMs) : null;
    const dedupSnap = readSnapshot(dir, 'dedup-window', end, this.logger);
    if (!p.dedup) return;
    const window = p.dedup;
    const snap = dedupSnap?.data as DedupSnapshot | undefined;
    if (dedupSnap && snap?.headerKey === window.headerKey && Number.isSafeInteger(snap.takenAtMs)) {
      try {
        window.restore(snap, nowMs);
        // Records after the snapshot were accepted between its time and now.
        const accepted = (ts: number) => Math.min(Math.max(ts, snap.takenAtMs), nowMs);
        replayLog(p.log, dedupSnap.offset, (buf, pos) => window.replayBatch(buf, pos, nowMs, accepted));
        return;
      } catch (err) {
        this.logger.warn({ dir, err }, 'malformed dedup window snapshot; rebuilding the window from the log');
      }
    }
    const start = p.log.findByTimestamp(nowMs - window.windowMs)?.offset ?? end;
    try {
      replayLog(p.log, start, (buf, pos) => window.replayBatch(buf, pos, nowMs, (ts) => Math.min(ts, nowMs)));
    } catch (err) {
      // The log passed recovery, so this is a bug; serving without the window beats not serving.
      this.logger.error({ dir, err }, 'could not rebuild the dedup window from the log; copies of recent records will be accepted');
    }
  }

  /**
   * Background snapshot: expires idle producers, then, for state that changed,
   * captures it now and writes it asynchronously (skipped while the previous
   * write of this partition is still in flight).
   */
  snapshot(p: Partition, dir: string, nowMs = Date.now()): void {
    p.producers.removeExpired(nowMs, this.settings.producerIdExpirationMs);
    if (this.writing.has(p)) return;
    const jobs = this.capture(p, nowMs);
    if (jobs.length === 0) return;
    const write = Promise.all(jobs.map((j) => writeAsync(dir, j.kind, j.offset, j.json)))
      .then(() => undefined)
      .catch((err: unknown) => this.logger.warn({ dir, err }, 'could not write a partition state snapshot; a restart replays more of the log'))
      .finally(() => this.writing.delete(p));
    this.writing.set(p, write);
  }

  /** At a clean close, after the last append: waits for a write in flight, then writes what changed since. */
  async close(p: Partition, dir: string): Promise<void> {
    await this.writing.get(p);
    for (const j of this.capture(p, Date.now())) {
      try {
        writeSync(dir, j.kind, j.offset, j.json);
      } catch (err) {
        this.logger.warn({ dir, err }, 'could not write a partition state snapshot at close; the next start replays the log');
      }
    }
  }

  private capture(p: Partition, nowMs: number): { kind: Kind; offset: number; json: string }[] {
    const offset = p.log.logEndOffset;
    const jobs: { kind: Kind; offset: number; json: string }[] = [];
    if (p.producers.dirty) {
      jobs.push({ kind: 'producer-state', offset, json: JSON.stringify(p.producers.toSnapshot(offset)) });
      p.producers.markSnapshotted();
    }
    if (p.dedup?.dirty) {
      jobs.push({ kind: 'dedup-window', offset, json: JSON.stringify(p.dedup.toSnapshot(offset, nowMs)) });
      p.dedup.markSnapshotted();
    }
    return jobs;
  }
}
