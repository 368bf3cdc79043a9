// Proves log compaction (log-cleaner.ts) on both engines: only each key's latest
// record survives in closed segments, offsets stay, reads at removed offsets
// land on the next kept record, tombstones wait delete.retention.ms, the active
// segment and not-yet-durable segments are left alone; and on the file log that
// the result survives close/reopen and that a crash at each step of the segment
// swap (segment-swap.ts) reopens to a valid log.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { decodeBatch, encodeBatch, forEachBatch } from '../../src/protocol/records.js';
import { CLEAN_SHUTDOWN_FILE } from '../../src/storage/clean-shutdown.js';
import { FileLog } from '../../src/storage/file-log.js';
import { MemoryLog } from '../../src/storage/memory-log.js';
import type { LogConfig, PartitionLog } from '../../src/storage/partition-log.js';
import { CLEANED_SUFFIX, SWAP_SUFFIX, writeCleanedFile } from '../../src/storage/segment-swap.js';
import { segmentFileName } from '../../src/storage/segment.js';
import { openFileLog, tempDir, testConfig } from './log-test-helpers.js';

const ALL = Number.MAX_SAFE_INTEGER;
const DAY = 24 * 3600 * 1000;
const NOW = 1_700_000_000_000;

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
}

function kv(key: string | null, value: string | null): Buffer {
  return encodeBatch([{ key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: 1_000 }]);
}

/** Every record from logStartOffset on, following the log the way a fetch loop does. */
function readAll(log: PartitionLog, from = log.logStartOffset): Rec[] {
  const out: Rec[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const buf = log.read(next, 1 << 20, ALL);
    if (buf.length === 0) break;
    forEachBatch(buf, (pos) => {
      const { header, records } = decodeBatch(buf, pos);
      for (const r of records) if (r.offset >= next) out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
      next = Math.max(next, header.baseOffset + header.lastOffsetDelta + 1);
    });
  }
  return out;
}

/** The records a compaction must keep: below `activeBase` only each key's latest (null keys always), all from it on. */
function expectedAfterCompaction(records: Rec[], activeBase: number): Rec[] {
  const latest = new Map<string, number>();
  for (const r of records) if (r.offset < activeBase && r.key !== null) latest.set(r.key, r.offset);
  return records.filter((r) => r.offset >= activeBase || r.key === null || latest.get(r.key) === r.offset);
}

/** Small segments (about two one-record batches each). */
const SMALL: Partial<LogConfig> = { segmentBytes: 200, indexIntervalBytes: 1 };

/**
 * 5 keys written 4 rounds over (20 records, ~10 segments), a keyless record,
 * then a batch too big for a segment, which rolls and alone fills the active
 * segment. Returns the active segment's base offset.
 */
function writeRounds(log: PartitionLog): number {
  for (let round = 0; round < 4; round++) {
    for (let k = 0; k < 5; k++) log.append(kv(`k${k}`, `v${round}-${k}`), 0);
    if (round === 1) log.append(kv(null, 'no-key'), 0);
  }
  return log.append(kv('tail', 't'.repeat(300)), 0).baseOffset;
}

type Open = (t: TestContext, config: LogConfig) => Promise<PartitionLog>;
const ENGINES: { name: string; open: Open }[] = [
  { name: 'FileLog', open: (t, config) => openFileLog(t, path.join(tempDir(t), 'topic-0'), config) },
  { name: 'MemoryLog', open: async (_t, config) => new MemoryLog(config) },
];

async function durable(log: PartitionLog): Promise<void> {
  await log.awaitDurable(log.logEndOffset - 1);
}

for (const { name, open } of ENGINES) {
  describe(`compaction: ${name}`, () => {
    test('keeps only the latest record per key in closed segments, at its original offset', async (t) => {
      const log = await open(t, testConfig(SMALL));
      const activeBase = writeRounds(log);
      await durable(log);
      const before = readAll(log);
      const { logStartOffset, logEndOffset, sizeBytes } = log;
      const result = log.compact(NOW);
      const after = readAll(log);
      assert.deepEqual(after, expectedAfterCompaction(before, activeBase));
      assert.equal(after.filter((r) => r.key === 'k3').length, 1);
      assert.equal(after.find((r) => r.key === 'k3')?.value, 'v3-3');
      assert.ok(after.some((r) => r.key === null), 'a keyless record stays');
      assert.ok(result.segmentsCleaned > 0);
      assert.ok(result.bytesAfter < result.bytesBefore);
      assert.equal(log.sizeBytes, sizeBytes - (result.bytesBefore - result.bytesAfter));
      assert.equal(log.logStartOffset, logStartOffset);
      assert.equal(log.logEndOffset, logEndOffset);
      assert.deepEqual(log.compact(NOW + 1), { segmentsCleaned: 0, bytesBefore: 0, bytesAfter: 0 }, 'nothing new to clean');
    });

    test('a read at a removed offset returns the next kept record', async (t) => {
      const log = await open(t, testConfig(SMALL));
      const activeBase = writeRounds(log);
      await durable(log);
      const before = readAll(log);
      log.compact(NOW);
      const kept = expectedAfterCompaction(before, activeBase).map((r) => r.offset);
      const removed = before.map((r) => r.offset).filter((o) => !kept.includes(o));
      assert.ok(removed.length > 10);
      for (const o of removed) {
        const first = readAll(log, o)[0];
        assert.equal(first.offset, kept.find((k) => k > o), `read at removed offset ${o}`);
      }
    });

    test('tombstones stay for deleteRetentionMs after their segment was first cleaned, then go', async (t) => {
      const log = await open(t, testConfig({ ...SMALL, deleteRetentionMs: DAY }));
      log.append(kv('a', 'a1'), 0);
      log.append(kv('b', 'b1'), 0);
      log.append(kv('a', null), 0);
      log.append(kv('c', 'c1'), 0);
      log.append(kv('tail', 't'.repeat(300)), 0);
      await durable(log);
      log.compact(NOW);
      assert.deepEqual(readAll(log).map((r) => [r.offset, r.key, r.value]), [
        [1, 'b', 'b1'],
        [2, 'a', null],
        [3, 'c', 'c1'],
        [4, 'tail', 't'.repeat(300)],
      ]);
      assert.equal(log.compact(NOW + DAY - 1).segmentsCleaned, 0, 'tombstone still within delete.retention.ms');
      assert.ok(readAll(log).some((r) => r.key === 'a'));
      assert.equal(log.compact(NOW + DAY).segmentsCleaned, 1);
      assert.deepEqual(readAll(log).map((r) => r.offset), [1, 3, 4]);
    });

    test('the active segment is never cleaned', async (t) => {
      const log = await open(t, testConfig());
      for (let i = 0; i < 10; i++) log.append(kv('same', `v${i}`), 0);
      await durable(log);
      assert.equal(log.compact(NOW).segmentsCleaned, 0);
      assert.equal(readAll(log).length, 10);
    });

    test('transactional and control batches are kept as they are', async (t) => {
      const log = await open(t, testConfig(SMALL));
      log.append(encodeBatch([{ key: Buffer.from('x'), value: Buffer.from('txn'), timestamp: 1 }], { transactional: true, producerId: 7, producerEpoch: 0, baseSequence: 0 }), 0);
      log.append(kv('x', 'plain'), 0);
      log.append(kv('x', 'plain2'), 0);
      log.append(kv('tail', 't'.repeat(300)), 0);
      await durable(log);
      log.compact(NOW);
      assert.deepEqual(readAll(log).map((r) => r.value?.slice(0, 6)), ['txn', 'plain2', 'tttttt']);
    });
  });
}

async function fileLogWithRounds(t: TestContext): Promise<{ dir: string; log: FileLog; activeBase: number }> {
  const dir = path.join(tempDir(t), 'topic-0');
  const log = await openFileLog(t, dir, testConfig(SMALL));
  const activeBase = writeRounds(log);
  await durable(log);
  return { dir, log, activeBase };
}

describe('compaction: FileLog on disk', () => {
  test('records not yet fsynced (group-commit) are not cleaned', async (t) => {
    const log = await openFileLog(t, path.join(tempDir(t), 'topic-0'), testConfig(SMALL));
    writeRounds(log);
    assert.equal(log.compact(NOW).segmentsCleaned, 0);
    await durable(log);
    assert.ok(log.compact(NOW).segmentsCleaned > 0);
  });

  test('compaction stops before a segment with a corrupt batch, so corrupt bytes are never rewritten under a valid CRC', async (t) => {
    const { dir, log } = await fileLogWithRounds(t);
    await log.close();
    const segments = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
    assert.ok(segments.length > 4, 'several closed segments');
    const victim = path.join(dir, segments[2]);
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length - 3] ^= 0xff; // inside the last batch's records
    fs.writeFileSync(victim, bytes);

    const reopened = await openFileLog(t, dir, testConfig(SMALL));
    const fromVictim = () => segments.slice(2).map((n) => fs.readFileSync(path.join(dir, n)));
    const before = fromVictim();
    reopened.compact(NOW);
    assert.deepEqual(fromVictim(), before, 'the corrupt segment and every one after it are left as they are');
    const [range] = reopened.corruptRanges();
    const victimBase = Number(segments[2].slice(0, 20));
    const nextBase = Number(segments[3].slice(0, 20));
    assert.ok(range.baseOffset >= victimBase && range.lastOffset === nextBase - 1, JSON.stringify(range));
    assert.equal(reopened.corruptRanges().length, 1);
  });

  test('the compacted log survives close and reopen, and is not cleaned again', async (t) => {
    const { dir, log, activeBase } = await fileLogWithRounds(t);
    const before = readAll(log);
    log.compact(NOW);
    const after = readAll(log);
    const size = log.sizeBytes;
    await log.close();
    const reopened = await openFileLog(t, dir, testConfig(SMALL));
    assert.deepEqual(readAll(reopened), after);
    assert.deepEqual(after, expectedAfterCompaction(before, activeBase));
    assert.equal(reopened.sizeBytes, size);
    assert.equal(reopened.compact(NOW + 1).segmentsCleaned, 0, 'the cleaner checkpoint remembers the clean');
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith(CLEANED_SUFFIX) || n.endsWith(SWAP_SUFFIX)).length, 0);
  });

  // A crash between the steps of segment-swap.ts, simulated by leaving the files
  // as the swap would at that step (from a compacted copy of the same log).
  const STEPS = ['cleaned file written', 'renamed to .swap', '.swap with old indexes removed'] as const;
  for (const step of STEPS) {
    test(`a crash mid-swap (${step}) reopens to a valid log`, async (t) => {
      const { dir, log, activeBase } = await fileLogWithRounds(t);
      const before = readAll(log);
      await log.close();
      const copy = path.join(tempDir(t), 'copy');
      fs.cpSync(dir, copy, { recursive: true });
      const compacted = await openFileLog(t, copy, testConfig(SMALL));
      compacted.compact(NOW);
      await compacted.close();
      // The first segment, cleaned in the copy, is the one whose swap "crashes".
      const base = 0;
      const nextBase = Math.min(...fs.readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20))).filter((b) => b > base));
      const cleanedBytes = fs.readFileSync(path.join(copy, segmentFileName(base, '.log')));
      assert.ok(cleanedBytes.length < fs.statSync(path.join(dir, segmentFileName(base, '.log'))).size, 'the copy cleaned the first segment');
      writeCleanedFile(dir, base, [cleanedBytes]);
      if (step !== 'cleaned file written') fs.renameSync(path.join(dir, segmentFileName(base, CLEANED_SUFFIX)), path.join(dir, segmentFileName(base, SWAP_SUFFIX)));
      if (step === '.swap with old indexes removed') for (const s of ['.index', '.timeindex']) fs.rmSync(path.join(dir, segmentFileName(base, s)));
      fs.rmSync(path.join(dir, CLEAN_SHUTDOWN_FILE));

      const reopened = await openFileLog(t, dir, testConfig(SMALL));
      const records = readAll(reopened);
      if (step === 'cleaned file written') {
        assert.deepEqual(records, before, 'the unfinished copy is discarded; the old segment stays');
      } else {
        const inFirst = (r: Rec) => r.offset >= base && r.offset < nextBase;
        const survivors = expectedAfterCompaction(before, activeBase).filter(inFirst);
        assert.deepEqual(records, [...survivors, ...before.filter((r) => !inFirst(r))], 'the swap is completed');
      }
      assert.equal(reopened.logEndOffset, before[before.length - 1].offset + 1);
      assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith(CLEANED_SUFFIX) || n.endsWith(SWAP_SUFFIX)).length, 0);
      // The reopened log compacts to the same survivors as the uninterrupted run.
      reopened.compact(NOW);
      assert.deepEqual(readAll(reopened), expectedAfterCompaction(before, activeBase));
    });
  }
});
