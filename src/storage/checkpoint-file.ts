// Small files a partition directory keeps beside its segments, written so a
// crash leaves either the old or the new content, never a torn one:
//   log-start-offset  the logStartOffset set by DeleteRecords, as decimal text

import fs from 'node:fs';
import path from 'node:path';

export const LOG_START_OFFSET_FILE = 'log-start-offset';
export const TMP_SUFFIX = '.tmp';

/** fsyncs a file, or a directory so that creating, renaming or removing a file in it is durable. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export const fsyncDirectory = fsyncFile;

/**
 * Replaces `file` with `content` atomically: write a temp file (with `mode`),
 * rename it over. `durable` (the default) fsyncs the temp file before the
 * rename and the directory after. Without it a crash may leave the old file,
 * none, or part of the new one: only for files whose reader refuses a partial
 * one and whose loss costs a rebuild, not data.
 */
export function writeFileAtomically(file: string, content: string, options: { mode?: number; durable?: boolean } = {}): void {
  const { mode = 0o644, durable = true } = options;
  const tmp = file + TMP_SUFFIX;
  // A stale temp file keeps its mode through open: it goes first.
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, content);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  if (durable) fsyncDirectory(path.dirname(file));
}

/** The checkpointed logStartOffset, or null when there is none (or it is unreadable: segments then decide). */
export function readLogStartOffset(dir: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, LOG_START_OFFSET_FILE), 'utf8');
  } catch {
    return null;
  }
  const value = Number(text.trim());
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

export function writeLogStartOffset(dir: string, offset: number): void {
  writeFileAtomically(path.join(dir, LOG_START_OFFSET_FILE), `${offset}\n`);
}
