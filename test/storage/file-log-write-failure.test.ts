// A write that fails (here: past the file size limit, EFBIG, as a full disk
// fails with ENOSPC) leaves the log as it was: the partial write is cut off,
// offsets are not consumed, and the next append carries on.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openFileLog, recordsIn, tempDir, testConfig } from './log-test-helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'append-over-file-size-limit.js');

test('a failed write throws StorageError and leaves the log unchanged', { skip: process.platform === 'win32' && 'needs ulimit' }, async (t) => {
  const dir = tempDir(t);
  // 64 blocks of 1 KiB: room for the small batches, not for the 200 KB one.
  const child = spawnSync('bash', ['-c', 'ulimit -f 64 && exec "$@"', 'bash', process.execPath, CHILD, dir], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const seen = JSON.parse(child.stdout);
  assert.deepEqual(seen.failure, { name: 'StorageError', code: 'SLUICE_ERR_STORAGE', causeCode: 'EFBIG' });
  assert.deepEqual(seen.after, seen.before, 'offsets, size and file length as before the failed append');
  assert.equal(seen.next.baseOffset, seen.before.logEndOffset);

  const log = await openFileLog(t, dir, testConfig());
  assert.equal(log.logEndOffset, seen.before.logEndOffset + 1);
  assert.deepEqual(
    recordsIn(log.read(0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).map((r) => r.value),
    ['before0-0', 'before0-1', 'before1-0', 'before1-1', 'before2-0', 'before2-1', 'after-0'],
  );
});
