// The PartitionLog contract, run against every engine (memory-log.test.ts,
// file-log.test.ts). Each test opens a fresh log through the engine's factory,
// which registers its cleanup on the test context.

import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { LogConfig, PartitionLog } from '../../src/storage/partition-log.js';
import { StorageError } from '../../src/storage/storage-error.js';
import { makeBatch, recordsIn, summarize, testConfig } from './log-test-helpers.js';

export type OpenLog = (t: TestContext, config: LogConfig) => Promise<PartitionLog>;

/** Every record from `offset` to the end, read segment by segment as a fetch loop does. */
function readFrom(log: PartitionLog, offset: number): { offset: number; value: string }[] {
  const out: { offset: number; value: string }[] = [];
  for (let next = offset; next < log.logEndOffset; ) {
    const records = recordsIn(log.read(next, ALL, ALL));
    if (records.length === 0) break;
    out.push(...records);
    next = records[records.length - 1].offset + 1;
  }
  return out;
}

const ALL = Number.MAX_SAFE_INTEGER;
/** Size of every one-record batch made by `oneRecord`: equal sizes make segment arithmetic exact. */
const ONE_RECORD_BYTES = makeBatch(1, { tag: 'n-00' }).length;

function oneRecord(i: number, timestamp = 1_000): Buffer {
  return makeBatch(1, { tag: `n-${String(i).padStart(2, '0')}`, timestamp });
}

/** One big segment, or a segment per couple of batches with an index entry at every batch. */
const LAYOUTS: { name: string; config: Partial<LogConfig> }[] = [
  { name: 'one segment', config: {} },
  { name: 'small segments', config: { segmentBytes: 300, indexIntervalBytes: 1 } },
];

export function describeLogContract(engine: string, openLog: OpenLog): void {
  describe(`PartitionLog contract: ${engine}`, () => {
    test('an empty log reads nothing and has no timestamps', async (t) => {
      const log = await openLog(t, testConfig());
      assert.equal(log.logStartOffset, 0);
      assert.equal(log.logEndOffset, 0);
      assert.equal(log.sizeBytes, 0);
      assert.equal(log.read(0, ALL, ALL).length, 0);
      assert.equal(log.findByTimestamp(0), null);
      assert.equal(log.maxTimestamp(), null);
    });

    test('append gives contiguous offsets across batches and calls, and keeps the bytes', async (t) => {
      const log = await openLog(t, testConfig());
      const first = Buffer.concat([makeBatch(2, { tag: 'a' }), makeBatch(3, { tag: 'b' }), makeBatch(1, { tag: 'c' })]);
      const second = makeBatch(4, { tag: 'd' });
      assert.deepEqual(log.append(first, 7), { baseOffset: 0, lastOffset: 5 });
      assert.deepEqual(log.append(second, 7), { baseOffset: 6, lastOffset: 9 });
      assert.equal(log.logEndOffset, 10);
      assert.equal(log.sizeBytes, first.length + second.length);
      const all = log.read(0, ALL, log.logEndOffset);
      assert.deepEqual(
        summarize(all).map((b) => [b.baseOffset, b.lastOffset]),
        [[0, 1], [2, 4], [5, 5], [6, 9]],
      );
      assert.equal(all.readInt32BE(12), 7, 'leader epoch is set');
      assert.deepEqual(
        recordsIn(all).map((r) => `${r.offset}:${r.value}`),
        ['0:a-0', '1:a-1', '2:b-0', '3:b-1', '4:b-2', '5:c-0', '6:d-0', '7:d-1', '8:d-2', '9:d-3'],
      );
    });

    for (const layout of LAYOUTS) {
      test(`truncateTo removes every batch from the cut on, and appends continue from there (${layout.name})`, async (t) => {
        const log = await openLog(t, testConfig(layout.config));
        for (let i = 0; i < 10; i++) log.append(oneRecord(i, 1_000 + i), 0);
        log.truncateTo(6);
        assert.equal(log.logEndOffset, 6);
        assert.equal(log.sizeBytes, 6 * ONE_RECORD_BYTES);
        assert.deepEqual(
          readFrom(log, 0).map((r) => r.value),
          ['n-00-0', 'n-01-0', 'n-02-0', 'n-03-0', 'n-04-0', 'n-05-0'],
        );
        assert.deepEqual(log.maxTimestamp(), { timestamp: 1_005, offset: 5 }, 'the max timestamp is among what is left');
        assert.equal(log.findByTimestamp(1_006), null, 'removed timestamps are found no more');
        assert.deepEqual(log.append(oneRecord(20, 2_000), 3), { baseOffset: 6, lastOffset: 6 });
        assert.deepEqual(
          readFrom(log, 5).map((r) => `${r.offset}:${r.value}`),
          ['5:n-05-0', '6:n-20-0'],
        );
      });
    }

    test('each leader epoch ends where the next one starts, also after the log is cut (OffsetForLeaderEpoch)', async (t) => {
      const log = await openLog(t, testConfig());
      log.append(makeBatch(3), 0);
      log.append(makeBatch(2), 0);
      log.append(makeBatch(4), 2);
      log.append(makeBatch(1), 5);
      assert.deepEqual(log.endOffsetForEpoch(0), { epoch: 0, endOffset: 5 });
      assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 0, endOffset: 5 });
      assert.deepEqual(log.endOffsetForEpoch(2), { epoch: 2, endOffset: 9 });
      assert.deepEqual(log.endOffsetForEpoch(5), { epoch: 5, endOffset: 10 });
      assert.deepEqual(log.endOffsetForEpoch(6), { epoch: -1, endOffset: -1 });
      log.truncateTo(9);
      assert.deepEqual(log.endOffsetForEpoch(2), { epoch: 2, endOffset: 9 }, 'epoch 5 was cut: epoch 2 is the latest and ends at the log end');
      assert.deepEqual(log.endOffsetForEpoch(5), { epoch: -1, endOffset: -1 });
    });

    test('startLeaderEpoch: a new leader epoch starts at the log end before any record of it, so the epochs before it end there', async (t) => {
      const log = await openLog(t, testConfig());
      log.append(makeBatch(2), 0);
      log.startLeaderEpoch(3);
      assert.deepEqual(log.endOffsetForEpoch(0), { epoch: 0, endOffset: 2 });
      assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 0, endOffset: 2 }, 'an epoch between: the largest known below it, ending where epoch 3 starts');
      assert.deepEqual(log.endOffsetForEpoch(3), { epoch: 3, endOffset: 2 });
      log.startLeaderEpoch(2);
      log.append(makeBatch(1), 3);
      assert.deepEqual(log.endOffsetForEpoch(0), { epoch: 0, endOffset: 2 }, 'an older epoch and the epoch\'s own first append change nothing');
      assert.deepEqual(log.endOffsetForEpoch(3), { epoch: 3, endOffset: 3 });
    });

    test('truncateTo at the log end drops only a leader epoch that starts there (a former leader\'s epoch without records)', async (t) => {
      const log = await openLog(t, testConfig());
      log.append(makeBatch(2), 1);
      log.startLeaderEpoch(4);
      assert.equal(log.latestEpoch, 4);
      log.truncateTo(2);
      assert.equal(log.latestEpoch, 1);
      assert.equal(log.logEndOffset, 2, 'no record went');
      assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 1, endOffset: 2 });
    });

    test('appendReplicated copies another log byte for byte, keeping its offsets and leader epochs', async (t) => {
      const leader = await openLog(t, testConfig());
      leader.append(makeBatch(3, { tag: 'a' }), 1);
      leader.append(makeBatch(2, { tag: 'b' }), 4);
      const follower = await openLog(t, testConfig());
      const copied = leader.read(0, ALL, ALL);
      assert.deepEqual(follower.appendReplicated(Buffer.from(copied)), { baseOffset: 0, lastOffset: 4 });
      assert.ok(follower.read(0, ALL, ALL).equals(copied), 'the same bytes: offsets and epochs as the leader gave them');
      assert.deepEqual(follower.endOffsetForEpoch(1), { epoch: 1, endOffset: 3 });
      assert.deepEqual(follower.endOffsetForEpoch(4), { epoch: 4, endOffset: 5 });
      // A batch starting past the end (compaction removed what was between) is taken; one starting before it is not.
      const later = makeBatch(1, { tag: 'c' });
      later.writeBigInt64BE(9n, 0);
      assert.deepEqual(follower.appendReplicated(later), { baseOffset: 9, lastOffset: 9 });
      assert.equal(follower.logEndOffset, 10);
      const stale = makeBatch(1, { tag: 'd' });
      stale.writeBigInt64BE(8n, 0);
      assert.throws(() => follower.appendReplicated(stale), RangeError);
      assert.equal(follower.logEndOffset, 10, 'a refused append changes nothing');
      assert.deepEqual(
        readFrom(follower, 0).map((r) => `${r.offset}:${r.value}`),
        ['0:a-0', '1:a-1', '2:a-2', '3:b-0', '4:b-1', '9:c-0'],
      );
    });

    test('truncateTo inside a batch removes the whole batch; at or past the end it does nothing; below the start it throws', async (t) => {
      const log = await openLog(t, testConfig());
      log.append(makeBatch(3, { tag: 'a' }), 0);
      log.append(makeBatch(4, { tag: 'b' }), 0);
      log.truncateTo(7);
      log.truncateTo(99);
      assert.equal(log.logEndOffset, 7);
      log.truncateTo(5);
      assert.equal(log.logEndOffset, 3, 'the batch holding offset 5 starts at 3');
      log.advanceLogStart(2);
      assert.throws(() => log.truncateTo(1), RangeError);
      log.truncateTo(2);
      assert.deepEqual([log.logStartOffset, log.logEndOffset, log.sizeBytes], [2, 2, 0], 'the batch holding the log start went: the log starts afresh at the cut');
      assert.deepEqual(log.append(makeBatch(1, { tag: 'c' }), 1), { baseOffset: 2, lastOffset: 2 });
      assert.deepEqual(
        recordsIn(log.read(0, ALL, ALL)).map((r) => `${r.offset}:${r.value}`),
        ['2:c-0'],
      );
    });

    for (const layout of LAYOUTS) {
      test(`read from any offset starts with the batch holding it (${layout.name})`, async (t) => {
        const log = await openLog(t, testConfig(layout.config));
        for (let i = 0; i < 12; i++) log.append(makeBatch(1 + (i % 4), { tag: `b${i}` }), 0);
        const end = log.logEndOffset;
        for (let offset = 0; offset < end; offset++) {
          const batches = summarize(log.read(offset, ALL, end));
          assert.ok(batches.length > 0, `offset ${offset} reads something`);
          assert.ok(batches[0].baseOffset <= offset && offset <= batches[0].lastOffset, `offset ${offset} is in the first batch read`);
          for (let i = 1; i < batches.length; i++) assert.equal(batches[i].baseOffset, batches[i - 1].lastOffset + 1);
        }
        // A consumer's fetch loop sees every record exactly once, in order.
        const seen: number[] = [];
        for (let next = 0; next < end; ) {
          const records = recordsIn(log.read(next, 200, end)).filter((r) => r.offset >= next);
          seen.push(...records.map((r) => r.offset));
          next = records[records.length - 1].offset + 1;
        }
        assert.deepEqual(seen, Array.from({ length: end }, (_, i) => i));
      });
    }

    test('read stops before the first batch at or past maxOffset', async (t) => {
      const log = await openLog(t, testConfig());
      log.append(makeBatch(3), 0); // 0-2
      log.append(makeBatch(3), 0); // 3-5
      log.append(makeBatch(3), 0); // 6-8
      assert.deepEqual(summarize(log.read(0, ALL, 4)).map((b) => b.baseOffset), [0, 3], 'a batch starting below maxOffset is whole');
      assert.deepEqual(summarize(log.read(0, ALL, 3)).map((b) => b.baseOffset), [0]);
      assert.equal(log.read(3, ALL, 3).length, 0);
      assert.equal(log.read(9, ALL, ALL).length, 0, 'nothing at logEndOffset');
      assert.equal(log.read(50, ALL, ALL).length, 0);
    });

    test('read returns whole batches within maxBytes, but at least one', async (t) => {
      const log = await openLog(t, testConfig());
      const sizes = [makeBatch(2, { valueBytes: 300 }), makeBatch(2), makeBatch(2)].map((b) => {
        log.append(b, 0);
        return b.length;
      });
      assert.deepEqual(summarize(log.read(0, 1, ALL)).map((b) => b.baseOffset), [0], 'one batch larger than maxBytes');
      assert.deepEqual(summarize(log.read(0, sizes[0] + sizes[1] - 1, ALL)).map((b) => b.baseOffset), [0]);
      assert.deepEqual(summarize(log.read(0, sizes[0] + sizes[1], ALL)).map((b) => b.baseOffset), [0, 2]);
      assert.equal(log.read(2, sizes[1] + sizes[2], ALL).length, sizes[1] + sizes[2]);
    });

    for (const layout of LAYOUTS) {
      test(`read without minOneBatch returns only batches that fit, never a later one (${layout.name})`, async (t) => {
        const log = await openLog(t, testConfig(layout.config));
        const sizes = [makeBatch(2, { valueBytes: 300 }), makeBatch(2), makeBatch(2)].map((b) => {
          log.append(b, 0);
          return b.length;
        });
        assert.equal(log.read(0, sizes[0] - 1, ALL, false).length, 0, 'a first batch larger than maxBytes is not returned');
        assert.equal(log.read(1, sizes[0] - 1, ALL, false).length, 0, 'nor is a later segment read in its place');
        assert.deepEqual(summarize(log.read(0, sizes[0], ALL, false)).map((b) => b.baseOffset), [0]);
        assert.deepEqual(summarize(log.read(2, sizes[1], ALL, false)).map((b) => b.baseOffset), [2]);
      });
    }

    for (const layout of LAYOUTS) {
      test(`findByTimestamp finds the first batch reaching a timestamp (${layout.name})`, async (t) => {
        const log = await openLog(t, testConfig(layout.config));
        log.append(makeBatch(2, { timestamp: 1_000 }), 0); // 0-1
        log.append(makeBatch(2, { timestamps: [2_000, 2_500] }), 0); // 2-3
        log.append(makeBatch(1, { timestamp: 5_000 }), 0); // 4
        log.append(makeBatch(1, { timestamp: 4_000 }), 0); // 5: out of order, as producers may send
        log.append(makeBatch(1, { timestamp: 6_000 }), 0); // 6
        const found = (ts: number): number | null => {
          const hit = log.findByTimestamp(ts);
          if (hit === null) return null;
          assert.equal(summarize(hit.batch)[0].baseOffset, hit.offset, 'the batch returned is the one found');
          return hit.offset;
        };
        assert.equal(found(0), 0);
        assert.equal(found(1_000), 0);
        assert.equal(found(1_500), 2);
        assert.equal(found(2_500), 2);
        assert.equal(found(2_600), 4);
        assert.equal(found(4_500), 4);
        assert.equal(found(5_500), 6);
        assert.equal(found(6_001), null);
      });
    }

    test('maxTimestamp is the largest, at the first batch holding it', async (t) => {
      const log = await openLog(t, testConfig({ segmentBytes: 300 }));
      log.append(makeBatch(2, { timestamps: [3_000, 1_000] }), 0); // 0-1
      log.append(makeBatch(1, { timestamp: 7_000 }), 0); // 2
      log.append(makeBatch(1, { timestamp: 2_000 }), 0); // 3
      log.append(makeBatch(1, { timestamp: 7_000 }), 0); // 4
      assert.deepEqual(log.maxTimestamp(), { timestamp: 7_000, offset: 2 });
    });

    test('advanceLogStart moves the start and drops segments wholly below it', async (t) => {
      const log = await openLog(t, testConfig({ segmentBytes: ONE_RECORD_BYTES * 3 }));
      for (let i = 0; i < 9; i++) log.append(oneRecord(i, 1_000 + i), 0); // segments [0-2] [3-5] [6-8]
      const full = log.sizeBytes;
      log.advanceLogStart(4);
      assert.equal(log.logStartOffset, 4);
      assert.equal(log.sizeBytes, full - 3 * ONE_RECORD_BYTES, 'segment [0-2] is gone');
      assert.equal(summarize(log.read(0, ALL, ALL))[0].baseOffset, 4, 'reads below the start begin at it');
      assert.equal(log.findByTimestamp(0)?.offset, 4);
      log.advanceLogStart(2);
      assert.equal(log.logStartOffset, 4, 'never moves back');
      assert.throws(() => log.advanceLogStart(10), RangeError);
      log.advanceLogStart(9);
      assert.equal(log.logStartOffset, 9);
      assert.equal(log.read(0, ALL, ALL).length, 0);
      assert.deepEqual(log.append(oneRecord(9), 0), { baseOffset: 9, lastOffset: 9 });
    });

    test('retention by bytes deletes the oldest whole segments, keeping at least retentionBytes', async (t) => {
      const log = await openLog(t, testConfig({ segmentBytes: ONE_RECORD_BYTES * 2, retentionBytes: ONE_RECORD_BYTES * 5 }));
      for (let i = 0; i < 10; i++) log.append(oneRecord(i), 0); // five segments of two batches
      assert.equal(log.enforceRetention(Date.now()), 2, 'a third deletion would leave 4 batches');
      assert.equal(log.sizeBytes, ONE_RECORD_BYTES * 6);
      assert.equal(log.logStartOffset, 4);
      assert.equal(summarize(log.read(0, ALL, ALL))[0].baseOffset, 4);
      assert.equal(log.enforceRetention(Date.now()), 0);
      assert.equal(log.logEndOffset, 10);
    });

    test('retention by time deletes segments whose newest record expired, rolling an expired active one', async (t) => {
      const log = await openLog(t, testConfig({ segmentBytes: ONE_RECORD_BYTES * 2, retentionMs: 1_000 }));
      const timestamps = [1_000, 2_000, 3_000, 4_000, 5_000]; // segments [0-1] [2-3] [4]
      timestamps.forEach((ts, i) => log.append(oneRecord(i, ts), 0));
      assert.equal(log.enforceRetention(4_500), 1, 'only [0-1] is older than 3500');
      assert.equal(log.logStartOffset, 2);
      assert.equal(log.enforceRetention(10_000), 2, '[2-3] and the rolled [4]');
      assert.equal(log.logStartOffset, 5);
      assert.equal(log.logEndOffset, 5);
      assert.equal(log.sizeBytes, 0);
      assert.equal(log.read(0, ALL, ALL).length, 0);
      assert.equal(log.enforceRetention(20_000), 0, 'an empty active segment is not rolled');
      assert.deepEqual(log.append(oneRecord(5, 30_000), 0), { baseOffset: 5, lastOffset: 5 });
      assert.equal(recordsIn(log.read(5, ALL, ALL))[0].value, 'n-05-0');
    });

    test('a segment older than segmentMs is rolled, then expires like the others', async (t) => {
      const log = await openLog(t, testConfig({ segmentMs: 60_000, retentionBytes: 0 }));
      log.append(oneRecord(0), 0);
      log.append(oneRecord(1), 0);
      assert.equal(log.enforceRetention(Date.now()), 0, 'the young active segment stays');
      assert.equal(log.enforceRetention(Date.now() + 60_000), 1, 'rolled by age, then over retentionBytes 0');
      assert.equal(log.logStartOffset, 2);
    });

    test('reconfigure: a smaller segmentBytes rolls at the next append, a retentionMs applies at the next retention pass', async (t) => {
      const log = await openLog(t, testConfig());
      for (let i = 0; i < 4; i++) log.append(oneRecord(i, 1_000), 0);
      assert.equal(log.enforceRetention(10_000), 0, 'retentionMs -1 keeps everything');
      log.reconfigure(testConfig({ segmentBytes: ONE_RECORD_BYTES * 2, retentionMs: 1_000 }));
      log.append(oneRecord(4, 9_500), 0);
      log.append(oneRecord(5, 9_500), 0);
      assert.equal(log.enforceRetention(10_000), 1, 'the segment of offsets 0-3 expired; the one rolled for offset 4 has not');
      assert.equal(log.logStartOffset, 4);
      assert.equal(log.logEndOffset, 6);
    });

    test('awaitDurable resolves for appended offsets and rejects past the end', async (t) => {
      const log = await openLog(t, testConfig());
      const { lastOffset } = log.append(makeBatch(3), 0);
      await log.awaitDurable(lastOffset);
      await log.awaitDurable(0);
      await assert.rejects(log.awaitDurable(lastOffset + 1), RangeError);
    });

    test('append after close throws StorageError', async (t) => {
      const log = await openLog(t, testConfig());
      log.append(makeBatch(1), 0);
      await log.close();
      assert.throws(
        () => log.append(makeBatch(1), 0),
        (err: unknown) => err instanceof StorageError && err.code === 'SLUICE_ERR_STORAGE',
      );
    });
  });
}
