// The background scrubber: finds a batch that rotted in a closed segment that
// nobody reads, at the rate it is given, in steps driven by an injected clock.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CorruptBatchError, type CorruptRange } from '../../src/storage/corrupt-batch.js';
import { FileLog } from '../../src/storage/file-log.js';
import { Scrubber } from '../../src/storage/scrubber.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { defer, makeBatch, recordingLogger, tempDir, testConfig } from './log-test-helpers.js';

const ALL = Number.MAX_SAFE_INTEGER;

test('the scrubber finds a corrupt batch in a closed segment nobody reads, at the rate it is given', async (t) => {
  const dir = tempDir(t);
  // 1 KiB segments: each 3-record batch of 300-byte values fills one, so all but the last are closed.
  const config = testConfig({ segmentBytes: 1024, segmentMs: Number.MAX_SAFE_INTEGER });
  const writer = await FileLog.open(dir, config);
  for (let i = 0; i < 8; i++) writer.append(makeBatch(3, { tag: `s${i}`, valueBytes: 300 }), 0);
  const totalBytes = writer.sizeBytes;
  await writer.close();
  const segments = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  assert.equal(segments.length, 8);
  const victim = path.join(dir, segments[5]); // offsets 15-17
  const bytes = fs.readFileSync(victim);
  bytes[bytes.length - 3] ^= 0xff;
  fs.writeFileSync(victim, bytes);

  const logger = recordingLogger();
  const found: CorruptRange[] = [];
  const log = await FileLog.open(dir, config, logger, (range) => found.push(range));
  defer(t, () => log.close());
  assert.deepEqual(log.corruptRanges(), [], 'a closed segment is not checked at open');

  const clock = new FakeClock();
  const perSegment = totalBytes / 8;
  // About two segments per second, in 100 ms ticks.
  const scrubber = new Scrubber(() => [log], clock, { bytesPerSec: Math.ceil(perSegment * 2), tickMs: 100 });
  scrubber.start();
  clock.advance(1_000);
  assert.deepEqual(found, [], 'two seconds of closed segments are not reached in one');
  assert.ok(scrubber.bytesChecked >= perSegment && scrubber.bytesChecked <= 3 * perSegment, `checked ${scrubber.bytesChecked} bytes in 1 s`);
  clock.advance(2_500);
  assert.deepEqual(found, [{ baseOffset: 15, lastOffset: 17 }]);
  assert.deepEqual(log.corruptRanges(), [{ baseOffset: 15, lastOffset: 17 }]);
  assert.equal(logger.events.filter((e) => e.level === 'error').length, 1);
  assert.throws(() => log.read(16, ALL, ALL), CorruptBatchError);

  clock.advance(10_000);
  assert.ok(scrubber.passesCompleted >= 2, 'it goes round again');
  assert.equal(found.length, 1, 'a known corrupt batch is reported once');
  scrubber.close();
  const checked = scrubber.bytesChecked;
  clock.advance(10_000);
  assert.equal(scrubber.bytesChecked, checked, 'closed, it stops');
});
