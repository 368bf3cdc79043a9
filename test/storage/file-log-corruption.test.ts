// Corruption at open: a batch whose bytes no longer match its CRC32C while the
// batches around it are whole (bit rot, a bad sector) is kept on disk, reported
// and never served; only a torn write at the tail after a crash is cut.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CorruptBatchError } from '../../src/storage/corrupt-batch.js';
import { FileLog } from '../../src/storage/file-log.js';
import type { LogConfig } from '../../src/storage/partition-log.js';
import { defer, makeBatch, openFileLog, recordingLogger, recordsIn, summarize, tempDir, testConfig } from './log-test-helpers.js';

const ALL = Number.MAX_SAFE_INTEGER;
const FIRST_SEGMENT = '00000000000000000000.log';

/** Writes five 3-record batches (values t<i>-<j>) and closes cleanly; returns the position of each batch. */
async function writeFiveBatches(dir: string, config: LogConfig): Promise<number[]> {
  const log = await FileLog.open(dir, config);
  const positions: number[] = [];
  for (let i = 0; i < 5; i++) {
    positions.push(log.sizeBytes);
    log.append(makeBatch(3, { tag: `t${i}`, timestamp: 1_000 * (i + 1) }), 0);
  }
  await log.close();
  return positions;
}

/**
 * writeFiveBatches, then one record ('next-0', offset 15) in a second segment,
 * so that the first is closed and its middle is not checked at open.
 */
async function writeFiveBatchesInClosedSegment(dir: string, config: LogConfig): Promise<number[]> {
  const positions = await writeFiveBatches(dir, config);
  const writer = await FileLog.open(dir, { ...config, segmentBytes: 1 });
  writer.append(makeBatch(1, { tag: 'next' }), 0);
  await writer.close();
  return positions;
}

/** Flips one byte inside the records of the batch at `position` (covered by its CRC), as `dd conv=notrunc` would. */
function flipByte(file: string, position: number): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, position + 64);
  b[0] ^= 0xff;
  fs.writeSync(fd, b, 0, 1, position + 64);
  fs.closeSync(fd);
}

const mtimeAndBytes = (file: string): [number, string] => [fs.statSync(file).mtimeMs, fs.readFileSync(file).toString('hex')];

for (const crashed of [false, true]) {
  test(`a corrupt batch in the middle of the active segment is reported, kept and refused, the log end unchanged (${crashed ? 'after a crash' : 'after a clean shutdown'})`, async (t) => {
    const dir = tempDir(t);
    // No time-based roll: the batches' timestamps are from 1970, and the segment must stay active.
    const config = testConfig({ indexIntervalBytes: 1, segmentMs: Number.MAX_SAFE_INTEGER });
    const positions = await writeFiveBatches(dir, config);
    if (crashed) fs.rmSync(path.join(dir, '.clean-shutdown'));
    const file = path.join(dir, FIRST_SEGMENT);
    flipByte(file, positions[2]);
    const before = mtimeAndBytes(file);

    const logger = recordingLogger();
    const log = await openFileLog(t, dir, config, logger);
    assert.deepEqual(log.corruptRanges(), [{ baseOffset: 6, lastOffset: 8 }]);
    const reported = logger.events.filter((e) => e.level === 'error');
    assert.equal(reported.length, 1);
    assert.equal(reported[0].fields.baseOffset, 6);
    assert.equal(reported[0].fields.lastOffset, 8);
    assert.match(String(reported[0].fields.segment), /00000000000000000000\.log$/);
    assert.equal(logger.events.filter((e) => e.level === 'warn').length, 0, 'nothing is cut');
    assert.equal(log.logEndOffset, 15);
    assert.deepEqual(mtimeAndBytes(file), before, 'the segment file is neither cut nor rewritten');

    assert.deepEqual(
      summarize(log.read(0, ALL, ALL)).map((b) => [b.baseOffset, b.lastOffset]),
      [
        [0, 2],
        [3, 5],
      ],
      'a read before the corrupt batch stops short of it',
    );
    for (const offset of [6, 7, 8]) {
      assert.throws(
        () => log.read(offset, ALL, ALL),
        (err: unknown) => err instanceof CorruptBatchError && err.range.baseOffset === 6 && err.range.lastOffset === 8,
      );
    }
    assert.deepEqual(
      recordsIn(log.read(9, ALL, ALL)).map((r) => r.value),
      ['t3-0', 't3-1', 't3-2', 't4-0', 't4-1', 't4-2'],
    );
    assert.equal(log.findByTimestamp(1_500)?.offset, 3);
    assert.equal(log.findByTimestamp(2_500)?.offset, 9, 'the corrupt batch (time 3000) is not found by time');

    assert.deepEqual(log.append(makeBatch(1, { tag: 'after' }), 0), { baseOffset: 15, lastOffset: 15 });
    await log.close();
    const reopened = await openFileLog(t, dir, config, recordingLogger());
    assert.deepEqual(reopened.corruptRanges(), [{ baseOffset: 6, lastOffset: 8 }], 'found again at the next open');
    assert.equal(reopened.logEndOffset, 16);
  });
}

test('a clean reopen rewrites no segment file', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ indexIntervalBytes: 1, segmentBytes: 200 });
  await writeFiveBatches(dir, config);
  const files = fs.readdirSync(dir).filter((n) => /\.(log|index|timeindex)$/.test(n));
  assert.ok(files.length > 3, 'several segments');
  const before = files.map((n) => mtimeAndBytes(path.join(dir, n)));
  const log = await openFileLog(t, dir, config);
  assert.equal(log.logEndOffset, 15);
  assert.deepEqual(
    files.map((n) => mtimeAndBytes(path.join(dir, n))),
    before,
  );
});

test('a read checks the CRC of what it serves: a batch that rotted in a closed segment is recorded, reported once and refused', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ indexIntervalBytes: 1, segmentMs: Number.MAX_SAFE_INTEGER });
  const positions = await writeFiveBatchesInClosedSegment(dir, config);
  flipByte(path.join(dir, FIRST_SEGMENT), positions[2]);

  const logger = recordingLogger();
  const found: unknown[] = [];
  const log = await FileLog.open(dir, config, logger, (range) => found.push(range));
  defer(t, () => log.close());
  assert.equal(log.segmentCount, 2);
  assert.deepEqual(log.corruptRanges(), [], 'not seen at open');

  assert.equal(log.findByTimestamp(2_500)?.offset, 9, 'a lookup by time passes over it (its timestamp, 3000, cannot be trusted)');
  assert.deepEqual(log.corruptRanges(), [{ baseOffset: 6, lastOffset: 8 }], 'and records it');
  assert.deepEqual(
    summarize(log.read(0, ALL, ALL)).map((b) => [b.baseOffset, b.lastOffset]),
    [
      [0, 2],
      [3, 5],
    ],
    'the read serves what precedes the corrupt batch',
  );
  assert.deepEqual(log.corruptRanges(), [{ baseOffset: 6, lastOffset: 8 }]);
  assert.throws(() => log.read(7, ALL, ALL), CorruptBatchError);
  assert.throws(() => log.read(6, ALL, ALL), CorruptBatchError);
  assert.deepEqual(summarize(log.read(0, ALL, ALL)).length, 2);
  assert.deepEqual(found, [{ baseOffset: 6, lastOffset: 8 }], 'reported to the listener once');
  const reported = logger.events.filter((e) => e.level === 'error');
  assert.equal(reported.length, 1, 'logged once');
  assert.deepEqual([reported[0].fields.baseOffset, reported[0].fields.lastOffset], [6, 8]);
  assert.deepEqual(
    recordsIn(log.read(9, ALL, ALL)).map((r) => r.value),
    ['t3-0', 't3-1', 't3-2', 't4-0', 't4-1', 't4-2'],
  );
  assert.deepEqual(
    recordsIn(log.read(15, ALL, ALL)).map((r) => r.value),
    ['next-0'],
  );
});

/** Overwrites bytes of the batch header at `position` that no CRC covers (its length or base offset). */
function damageHeader(file: string, position: number, field: 'length' | 'baseOffset', value: number): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(field === 'length' ? 4 : 8);
  if (field === 'length') b.writeInt32BE(value);
  else b.writeBigInt64BE(BigInt(value));
  fs.writeSync(fd, b, 0, b.length, position + (field === 'length' ? 8 : 0));
  fs.closeSync(fd);
}

const HEADER_DAMAGE: { what: string; field: 'length' | 'baseOffset'; value: number }[] = [
  { what: 'a length past the end of the file', field: 'length', value: 0x7fff0000 },
  { what: 'a length shorter than a header', field: 'length', value: 9 },
  { what: 'a length that lands inside the next batch', field: 'length', value: 100 },
  { what: 'a base offset below its predecessor', field: 'baseOffset', value: 0 },
];

for (const damage of HEADER_DAMAGE) {
  test(`a batch header with ${damage.what} in the active segment after a clean shutdown is kept as corrupt and the batches after it are still served`, async (t) => {
    const dir = tempDir(t);
    const config = testConfig({ indexIntervalBytes: 1, segmentMs: Number.MAX_SAFE_INTEGER });
    const positions = await writeFiveBatches(dir, config);
    const file = path.join(dir, FIRST_SEGMENT);
    damageHeader(file, positions[2], damage.field, damage.value);
    const before = mtimeAndBytes(file);

    const logger = recordingLogger();
    const log = await openFileLog(t, dir, config, logger);
    assert.deepEqual(log.corruptRanges(), [{ baseOffset: 6, lastOffset: 8 }]);
    assert.equal(logger.events.filter((e) => e.level === 'warn').length, 0, 'nothing is cut');
    assert.equal(log.logEndOffset, 15);
    assert.deepEqual(mtimeAndBytes(file), before, 'the segment file is neither cut nor rewritten');
    assert.throws(() => log.read(6, ALL, ALL), CorruptBatchError);
    assert.deepEqual(
      recordsIn(log.read(9, ALL, ALL)).map((r) => r.value),
      ['t3-0', 't3-1', 't3-2', 't4-0', 't4-1', 't4-2'],
    );
    assert.deepEqual(log.append(makeBatch(1, { tag: 'after' }), 0), { baseOffset: 15, lastOffset: 15 });
  });
}

test('after a crash, an unframeable batch header in the active segment is cut with what follows, as a torn write', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ indexIntervalBytes: 1, segmentMs: Number.MAX_SAFE_INTEGER });
  const positions = await writeFiveBatches(dir, config);
  fs.rmSync(path.join(dir, '.clean-shutdown'));
  damageHeader(path.join(dir, FIRST_SEGMENT), positions[2], 'length', 0x7fff0000);
  const logger = recordingLogger();
  const log = await openFileLog(t, dir, config, logger);
  assert.equal(log.logEndOffset, 6);
  assert.equal(logger.events.filter((e) => e.level === 'warn').length, 1);
});

test('the scrubber finds a damaged batch length in a closed segment and keeps the batches after it readable', async (t) => {
  const dir = tempDir(t);
  const config = testConfig({ indexIntervalBytes: 1, segmentMs: Number.MAX_SAFE_INTEGER });
  const positions = await writeFiveBatchesInClosedSegment(dir, config);
  damageHeader(path.join(dir, FIRST_SEGMENT), positions[2], 'length', 0x7fff0000);

  const found: unknown[] = [];
  const log = await FileLog.open(dir, config, recordingLogger(), (range) => found.push(range));
  defer(t, () => log.close());
  for (let cursor = log.scrub(null, 1 << 20).next; cursor !== null; cursor = log.scrub(cursor, 1 << 20).next);
  assert.deepEqual(found, [{ baseOffset: 6, lastOffset: 8 }]);
  assert.throws(() => log.read(6, ALL, ALL), CorruptBatchError);
  assert.deepEqual(
    recordsIn(log.read(9, ALL, ALL)).map((r) => r.value),
    ['t3-0', 't3-1', 't3-2', 't4-0', 't4-1', 't4-2'],
    'a read ends with its segment',
  );
  assert.deepEqual(recordsIn(log.read(15, ALL, ALL)).map((r) => r.value), ['next-0']);
});
