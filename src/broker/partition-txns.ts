// Transactions as one partition sees them: which producers have a transaction
// open here (for the last stable offset) and which transactions were aborted
// (for read_committed fetches). Owned by the partition; updated synchronously
// after each append, from the batch headers the append just assigned offsets to.
//
//   open:        producerId -> first offset of its open transaction here
//   completing:  transactions whose marker is appended but not yet below the
//                high watermark; they still hold the LSO back (Kafka's
//                "unreplicated" completed transactions)
//   aborted:     (producerId, firstOffset, lastOffset = abort marker offset),
//                in marker order
//
//   LSO = min(highWatermark, firstOffset of every open or completing txn)
//
// Persistence: every abort appends a line to `<dir>/aborted-txns`; a clean
// close makes that file durable (rewritten only when the log start dropped
// lines) and then writes `<dir>/txn-checkpoint` (log end offset + open
// transactions) without fsync: losing it costs a scan, and a torn one does not
// parse. At open, with a checkpoint, the aborted lines below its offset
// are kept and batch headers are scanned from there; without one (a crash),
// the whole log is scanned and the file rewritten. The checkpoint is removed
// once loaded, so a later crash never trusts a stale one; nothing else is
// written at open unless it changes.
//
// Non-transactional batches cost one attributes read per batch on append.

import fs from 'node:fs';
import path from 'node:path';
import { ControlType, controlType } from '../protocol/control-records.js';
import { ATTRIBUTES_OFFSET, Attr, batchBaseOffset, batchSize, readBatchHeader } from '../protocol/record-batch.js';
import { forEachBatch } from '../protocol/records.js';
import { readPastCorrupt } from '../storage/corrupt-batch.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { fsyncFile, writeFileAtomically } from '../storage/checkpoint-file.js';

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the abort marker. */
  lastOffset: number;
}

/**
 * Whether the data batch at buf[pos] belongs to one of `aborted`: a
 * transactional batch of that producer from the transaction's first offset up
 * to its abort marker (what a read_committed reader must not see).
 */
export function inAbortedTxn(buf: Buffer, pos: number, aborted: readonly AbortedTxn[]): boolean {
  if (aborted.length === 0) return false;
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  if (!(attributes & Attr.Transactional) || attributes & Attr.Control) return false;
  const producerId = Number(buf.readBigInt64BE(pos + 43));
  const baseOffset = batchBaseOffset(buf, pos);
  return aborted.some((a) => a.producerId === producerId && a.firstOffset <= baseOffset && baseOffset < a.lastOffset);
}

const ABORTED_FILE = 'aborted-txns';
const CHECKPOINT_FILE = 'txn-checkpoint';
const SCAN_CHUNK_BYTES = 1024 * 1024;

export class PartitionTxns {
  private readonly open = new Map<number, number>();
  private completing: { firstOffset: number; markerOffset: number }[] = [];
  private readonly aborted: AbortedTxn[] = [];
  /** Lines appended to the aborted file since it was last fsynced. */
  private abortsUnsynced = false;

  private constructor(private readonly dir: string | null) {}

  /** Without a directory nothing is persisted (in-memory logs). */
  static load(dir: string | null, log: PartitionLog): PartitionTxns {
    const txns = new PartitionTxns(dir);
    let from = log.logStartOffset;
    const checkpoint = dir ? readCheckpoint(dir) : null;
    if (dir && checkpoint && checkpoint.offset <= log.logEndOffset && checkpoint.offset >= log.logStartOffset) {
      const stored = readAborted(dir);
      for (const a of stored) if (a.lastOffset < checkpoint.offset) txns.aborted.push(a);
      for (const [pid, first] of checkpoint.open) txns.open.set(pid, first);
      from = checkpoint.offset;
      // A clean close leaves nothing to drop: a start that changes nothing writes nothing.
      if (stored.length !== txns.aborted.length) rewriteAborted(dir, txns.aborted);
    } else if (dir && (fs.statSync(path.join(dir, ABORTED_FILE), { throwIfNoEntry: false })?.size ?? 0) > 0) {
      // The scan below appends every abort marker again (after a crash, the file may end in a torn line).
      rewriteAborted(dir, []);
    }
    if (dir) fs.rmSync(path.join(dir, CHECKPOINT_FILE), { force: true });
    txns.scan(log, from);
    return txns;
  }

  private scan(log: PartitionLog, from: number): void {
    const end = log.logEndOffset;
    let offset = from;
    while (offset < end) {
      const chunk = readPastCorrupt(log, offset, SCAN_CHUNK_BYTES, end);
      if (chunk.length === 0) break;
      let next = offset;
      forEachBatch(chunk, (pos) => {
        const h = readBatchHeader(chunk, pos);
        next = h.baseOffset + h.lastOffsetDelta + 1;
        if (h.baseOffset + h.lastOffsetDelta < offset) return;
        if (h.attributes & Attr.Transactional) this.track(chunk, pos, h.baseOffset, h.producerId, h.attributes);
      });
      if (next <= offset) break;
      offset = next;
    }
    // Everything scanned is below the high watermark the partition starts with.
    this.completing = [];
  }

  /** Call after `batches` were appended (offsets assigned in place). */
  onAppended(batches: Buffer): void {
    let pos = 0;
    while (pos < batches.length) {
      const attributes = batches.readInt16BE(pos + 21);
      if (attributes & Attr.Transactional) {
        this.track(batches, pos, Number(batches.readBigInt64BE(pos)), Number(batches.readBigInt64BE(pos + 43)), attributes);
      }
      pos += batchSize(batches, pos);
    }
  }

  private track(buf: Buffer, pos: number, baseOffset: number, producerId: number, attributes: number): void {
    if (!(attributes & Attr.Control)) {
      if (!this.open.has(producerId)) this.open.set(producerId, baseOffset);
      return;
    }
    const type = controlType(buf, pos);
    if (type === null) return;
    const firstOffset = this.open.get(producerId);
    this.open.delete(producerId);
    if (firstOffset !== undefined) this.completing.push({ firstOffset, markerOffset: baseOffset });
    if (type === ControlType.Abort) {
      const entry = { producerId, firstOffset: firstOffset ?? baseOffset, lastOffset: baseOffset };
      this.aborted.push(entry);
      if (this.dir) {
        fs.appendFileSync(path.join(this.dir, ABORTED_FILE), `${entry.producerId} ${entry.firstOffset} ${entry.lastOffset}\n`);
        this.abortsUnsynced = true;
      }
    }
  }

  /** Offset below which every transaction is decided: min(high watermark, first offset of any undecided txn). */
  lastStableOffset(highWatermark: number): number {
    if (this.open.size === 0 && this.completing.length === 0) return highWatermark;
    let lso = highWatermark;
    if (this.completing.length > 0) {
      this.completing = this.completing.filter((c) => c.markerOffset >= highWatermark);
      for (const c of this.completing) if (c.firstOffset < lso) lso = c.firstOffset;
    }
    for (const first of this.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Aborted transactions that overlap [from, to). */
  abortedIn(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = this.aborted.length - 1; i >= 0; i--) {
      const a = this.aborted[i];
      if (a.lastOffset < from) break;
      if (a.firstOffset < to) out.push(a);
    }
    return out.reverse();
  }

  /** Producer ids with a transaction open on this partition, with its first offset. */
  openTransactions(): ReadonlyMap<number, number> {
    return this.open;
  }

  /**
   * The log was cut at `endOffset` (a follower's truncation, or emptied to
   * start there): a transaction whose marker was cut is undecided again, and
   * an abort cut with its marker is no abort. `open` is what the producer
   * state rebuilt for the cut log holds: each producer's open transaction here
   * and its first offset.
   */
  truncateTo(endOffset: number, open: Iterable<readonly [number, number]>): void {
    this.open.clear();
    for (const [producerId, firstOffset] of open) this.open.set(producerId, firstOffset);
    this.completing = this.completing.filter((c) => c.markerOffset < endOffset);
    const kept = this.aborted.filter((a) => a.lastOffset < endOffset);
    if (kept.length === this.aborted.length) return;
    this.aborted.splice(0, this.aborted.length, ...kept);
    if (this.dir) rewriteAborted(this.dir, kept);
    this.abortsUnsynced = false;
  }

  /** Persists what a clean restart needs; call after the log is flushed and closed at `logEndOffset`. */
  checkpoint(logEndOffset: number, logStartOffset: number): void {
    if (!this.dir) return;
    const kept = this.aborted.filter((a) => a.lastOffset >= logStartOffset);
    if (kept.length !== this.aborted.length) rewriteAborted(this.dir, kept);
    else if (this.abortsUnsynced) fsyncFile(path.join(this.dir, ABORTED_FILE));
    this.abortsUnsynced = false;
    writeFileAtomically(path.join(this.dir, CHECKPOINT_FILE), JSON.stringify({ offset: logEndOffset, open: [...this.open] }), { durable: false });
  }
}

function readCheckpoint(dir: string): { offset: number; open: [number, number][] } | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8'));
    if (Number.isInteger(parsed.offset) && Array.isArray(parsed.open)) return parsed;
  } catch {
    // Missing or torn: scan the log instead.
  }
  return null;
}

function readAborted(dir: string): AbortedTxn[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, ABORTED_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: AbortedTxn[] = [];
  for (const line of text.split('\n')) {
    const [producerId, firstOffset, lastOffset] = line.split(' ').map(Number);
    if (Number.isInteger(producerId) && Number.isInteger(firstOffset) && Number.isInteger(lastOffset)) out.push({ producerId, firstOffset, lastOffset });
  }
  return out;
}

function rewriteAborted(dir: string, entries: AbortedTxn[]): void {
  const tmp = path.join(dir, `${ABORTED_FILE}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, entries.map((a) => `${a.producerId} ${a.firstOffset} ${a.lastOffset}\n`).join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, ABORTED_FILE));
}
