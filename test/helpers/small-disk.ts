// A small filesystem of its own (tmpfs) for tests of a full disk: ENOSPC as a
// real disk gives it, for every file the broker writes. Mounting needs root
// (or CAP_SYS_ADMIN); where it is refused, `mountSmallDisk` returns null and
// the test skips.
//
//   const disk = await mountSmallDisk(t, 4096);
//   if (!disk) return t.skip('cannot mount a tmpfs here');
//   ...start a broker on disk.dir...
//   await disk.fill();          // every further write fails with ENOSPC
//
// The filesystem is unmounted after the test, after anything registered later.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import { defer } from './broker-process.js';

const run = promisify(execFile);
const FILL_CHUNK = Buffer.alloc(64 * 1024);

export interface SmallDisk {
  /** The data directory, on the small filesystem. */
  readonly dir: string;
  /** Writes a filler file until the filesystem is full (ENOSPC). */
  fill(): void;
  /** Deletes the filler file. */
  free(): void;
}

export async function mountSmallDisk(t: TestContext, sizeKiB: number): Promise<SmallDisk | null> {
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', mountPoint]);
  } catch {
    fs.rmdirSync(mountPoint);
    return null;
  }
  defer(t, async () => {
    await run('umount', [mountPoint]);
    fs.rmdirSync(mountPoint);
  });
  const dir = path.join(mountPoint, 'data');
  fs.mkdirSync(dir);
  const filler = path.join(mountPoint, 'filler');
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      try {
        for (;;) fs.writeSync(fd, FILL_CHUNK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
      // A partial chunk may still fit: fill byte by byte-sized chunks until none does.
      for (let size = FILL_CHUNK.length / 2; size >= 1; size = Math.floor(size / 2)) {
        try {
          fs.appendFileSync(filler, FILL_CHUNK.subarray(0, size));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        }
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
  };
}
