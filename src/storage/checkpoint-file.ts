// Small files a partition directory keeps beside its segments, written so a
// crash leaves either the old or the new content, never a torn one:
//   log-start-offset  the logStartOffset set by DeleteRecords, as decimal text
//   .clean-shutdown   present only between a clean close and the next open

import fs from 'node:fs';
import path from 'node:path';

export const LOG_START_OFFSET_FILE = 'log-start-offset';
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
export const TMP_SUFFIX = '.tmp';

/** fsyncs a directory so that creating, renaming or removing a file in it is durable. */
export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces `file` with `content` atomically and durably: write a temp file (with `mode`), fsync, rename, fsync the directory. */
export function writeFileAtomically(file: string, content: string, mode = 0o644): void {
  const tmp = file + TMP_SUFFIX;
  // A stale temp file keeps its mode through open: it goes first.
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
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

/**
 * Whether the previous run closed the log cleanly. Removes the marker (durably)
 * so that a crash from now on is seen as one.
 */
export function takeCleanShutdownMarker(dir: string): boolean {
  const marker = path.join(dir, CLEAN_SHUTDOWN_FILE);
  if (!fs.existsSync(marker)) return false;
  fs.rmSync(marker);
  fsyncDirectory(dir);
  return true;
}

export function writeCleanShutdownMarker(dir: string): void {
  writeFileAtomically(path.join(dir, CLEAN_SHUTDOWN_FILE), '');
}
