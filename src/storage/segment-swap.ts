// Replacing a closed segment's .log with its cleaned copy so that a crash at
// any step leaves either the old or the new segment whole:
//
//   1. write <base>.log.cleaned, fdatasync        crash: .cleaned is deleted at open, old segment stays
//   2. rename .cleaned -> <base>.log.swap, fsync dir   from here the new content is the one
//   3. delete <base>.index and .timeindex               (they describe the old .log)
//   4. rename .swap -> <base>.log (atomic replace), fsync dir
//   5. the indexes are rebuilt from the new .log and written
//
// At open (finishInterruptedSwaps), before segments are loaded: a .cleaned file
// is discarded; a .swap file is completed (steps 3-4), and the missing indexes
// are rebuilt by recovery as for any segment without them.

import fs from 'node:fs';
import path from 'node:path';
import { batchSize } from '../protocol/record-batch.js';
import { readFully } from './batch-scan.js';
import { fsyncDirectory } from './checkpoint-file.js';
import { segmentFileName } from './segment.js';

export const CLEANED_SUFFIX = '.log.cleaned';
export const SWAP_SUFFIX = '.log.swap';
const INDEX_SUFFIXES = ['.index', '.timeindex'];
const CHUNK_BYTES = 1 << 20;

/** Calls `fn` for each batch in bytes [0, size) of a segment file, read in large chunks; `buf` is reused. */
export function forEachStoredBatch(fd: number, size: number, fn: (buf: Buffer, pos: number, size: number) => void): void {
  let buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size, 12)));
  let filePos = 0;
  while (filePos < size) {
    const got = readFully(fd, buf, 0, Math.min(buf.length, size - filePos), filePos);
    let pos = 0;
    while (pos + 12 <= got && pos + batchSize(buf, pos) <= got) {
      const n = batchSize(buf, pos);
      fn(buf, pos, n);
      pos += n;
    }
    if (pos === 0) {
      // One batch larger than the buffer: grow to fit it.
      if (got < 12) throw new Error(`segment file ends inside a batch at ${filePos}`);
      const need = batchSize(buf, 0);
      if (filePos + need > size || need <= buf.length) throw new Error(`segment file ends inside a batch at ${filePos}`);
      buf = Buffer.allocUnsafe(need);
      continue;
    }
    filePos += pos;
  }
}

/** Step 1: writes the batches to <base>.log.cleaned and makes the file durable. */
export function writeCleanedFile(dir: string, baseOffset: number, batches: readonly Buffer[]): void {
  const fd = fs.openSync(path.join(dir, segmentFileName(baseOffset, CLEANED_SUFFIX)), 'w', 0o644);
  try {
    let pos = 0;
    for (let i = 0; i < batches.length; ) {
      // Up to a chunk per write.
      const group: Buffer[] = [];
      let bytes = 0;
      while (i < batches.length && (group.length === 0 || bytes + batches[i].length <= CHUNK_BYTES)) {
        bytes += batches[i].length;
        group.push(batches[i++]);
      }
      const data = group.length === 1 ? group[0] : Buffer.concat(group, bytes);
      for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done, pos + done);
      pos += data.length;
    }
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Steps 2-4: puts <base>.log.cleaned in place of <base>.log and removes the old indexes. */
export function swapCleanedFile(dir: string, baseOffset: number): void {
  const swap = path.join(dir, segmentFileName(baseOffset, SWAP_SUFFIX));
  fs.renameSync(path.join(dir, segmentFileName(baseOffset, CLEANED_SUFFIX)), swap);
  fsyncDirectory(dir);
  completeSwap(dir, baseOffset);
}

function completeSwap(dir: string, baseOffset: number): void {
  for (const suffix of INDEX_SUFFIXES) fs.rmSync(path.join(dir, segmentFileName(baseOffset, suffix)), { force: true });
  fsyncDirectory(dir);
  fs.renameSync(path.join(dir, segmentFileName(baseOffset, SWAP_SUFFIX)), path.join(dir, segmentFileName(baseOffset, '.log')));
  fsyncDirectory(dir);
}

/** At open: discards unfinished .cleaned files and completes swaps a crash interrupted. Returns what it did. */
export function finishInterruptedSwaps(dir: string): { discarded: number[]; completed: number[] } {
  const discarded: number[] = [];
  const completed: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = /^(\d{20})(\.log\.cleaned|\.log\.swap)$/.exec(name);
    if (!m) continue;
    const base = Number(m[1]);
    if (m[2] === CLEANED_SUFFIX) {
      fs.rmSync(path.join(dir, name), { force: true });
      discarded.push(base);
    } else {
      completeSwap(dir, base);
      completed.push(base);
    }
  }
  if (discarded.length > 0) fsyncDirectory(dir);
  return { discarded, completed };
}
