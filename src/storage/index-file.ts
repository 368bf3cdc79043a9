// What the offset and time indexes share (offset-index.ts, time-index.ts):
// their entries live in memory and their file holds the first `persisted` of
// them. `persist` appends the rest, or rewrites the file once entries it held
// were dropped (a truncation). A segment reopened after a clean close rebuilds
// its active indexes from the .log; when the files already hold exactly those
// entries, they are adopted as written, so closing again writes nothing.

import fs from 'node:fs';

export abstract class IndexFile {
  protected count = 0;
  /** Entries already in the file; the rest are written by `persist`. */
  private persisted = 0;
  /** Set when entries were dropped, so the file must be rewritten, not appended to. */
  private rewrite = true;

  constructor(
    readonly path: string,
    private readonly entrySize: number,
  ) {}

  get length(): number {
    return this.count;
  }

  /** The file's bytes of entries [from, count). */
  protected abstract bytesFrom(from: number): Buffer;

  /** The file holds every entry (it was just loaded from it). */
  protected markPersisted(): void {
    this.persisted = this.count;
    this.rewrite = false;
  }

  /** Entries were dropped: the file holds at most the ones left, and is rewritten if it held more. */
  protected dropPersisted(): void {
    if (this.count < this.persisted) {
      this.persisted = this.count;
      this.rewrite = true;
    }
  }

  /**
   * Writes the entries the file lacks. Throws on write errors (the index in
   * memory stays valid); the returned promise settles when they are fdatasynced.
   */
  persist(): Promise<void> {
    if (!this.rewrite && this.persisted === this.count) return Promise.resolve();
    const from = this.rewrite ? 0 : this.persisted;
    const synced = writeIndexFile(this.path, this.bytesFrom(from), from * this.entrySize);
    this.markPersisted();
    return synced;
  }

  /** When the file already holds exactly these entries (a rebuild of what a clean close wrote), nothing is written until they change. */
  adoptMatchingFile(): void {
    let onDisk: Buffer;
    try {
      onDisk = fs.readFileSync(this.path);
    } catch {
      return;
    }
    if (onDisk.equals(this.bytesFrom(0))) this.markPersisted();
  }
}

/**
 * Writes `bytes` at `position` of an index file and cuts the file there, so a
 * rewrite (position 0) leaves no stale entries behind. The write is synchronous;
 * the fdatasync is not, so rolling a segment inside an append does not block the
 * event loop on the disk. The returned promise settles once it is durable.
 */
export function writeIndexFile(path: string, bytes: Buffer, position: number): Promise<void> {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
    fs.ftruncateSync(fd, position + bytes.length);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return new Promise((resolve, reject) => {
    fs.fdatasync(fd, (syncErr) => {
      fs.close(fd, (closeErr) => {
        const err = syncErr ?? closeErr;
        if (err) reject(err);
        else resolve();
      });
    });
  });
}
