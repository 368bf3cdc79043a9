// The high-watermark checkpoint round-trips every partition's high watermark
// in Kafka's replication-offset-checkpoint format; a missing file gives no
// entries, and a torn, malformed or out-of-range one is ignored as a whole
// with a warning that says why, never an exception.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { HIGH_WATERMARK_CHECKPOINT_FILE, readHighWatermarkCheckpoint, writeHighWatermarkCheckpoint } from '../../src/storage/high-watermark-checkpoint.js';
import { TMP_SUFFIX } from '../../src/storage/checkpoint-file.js';
import { recordingLogger, tempDir } from './log-test-helpers.js';

test('written high watermarks read back by topic and partition, in Kafka’s layout', (t) => {
  const dir = tempDir(t);
  const logger = recordingLogger();
  writeHighWatermarkCheckpoint(dir, [
    { topic: 'orders', partition: 0, highWatermark: 1500 },
    { topic: 'orders', partition: 1, highWatermark: 0 },
    { topic: '__consumer_offsets', partition: 7, highWatermark: Number.MAX_SAFE_INTEGER },
  ]);
  const file = path.join(dir, HIGH_WATERMARK_CHECKPOINT_FILE);
  assert.equal(fs.readFileSync(file, 'utf8'), `0\n3\norders 0 1500\norders 1 0\n__consumer_offsets 7 ${Number.MAX_SAFE_INTEGER}\n`);
  assert.equal(fs.existsSync(file + TMP_SUFFIX), false, 'the temporary file was renamed over');

  const read = readHighWatermarkCheckpoint(dir, logger);
  assert.deepEqual(read, new Map([
    ['orders', new Map([[0, 1500], [1, 0]])],
    ['__consumer_offsets', new Map([[7, Number.MAX_SAFE_INTEGER]])],
  ]));
  assert.deepEqual(logger.events, []);

  writeHighWatermarkCheckpoint(dir, []);
  assert.deepEqual(readHighWatermarkCheckpoint(dir, logger), new Map(), 'a later write replaces the whole file');
  assert.deepEqual(logger.events, []);
});

test('a missing checkpoint gives no entries and no warning', (t) => {
  const logger = recordingLogger();
  assert.deepEqual(readHighWatermarkCheckpoint(tempDir(t), logger), new Map());
  assert.deepEqual(logger.events, []);
});

const BAD_FILES: [string, string, RegExp][] = [
  ['torn: no final newline', '0\n2\norders 0 15\norders 1 1', /final newline/],
  ['torn: fewer entries than counted', '0\n2\norders 0 15\n', /1 entries, the count says 2/],
  ['empty', '', /final newline/],
  ['another version', '1\n0\n', /version "1"/],
  ['a negative offset', '0\n1\norders 0 -5\n', /high watermark "-5"/],
  ['an offset past 2^53', '0\n1\norders 0 9007199254740993\n', /high watermark "9007199254740993"/],
  ['a fractional offset', '0\n1\norders 0 1.5\n', /high watermark "1.5"/],
  ['a partition not a number', '0\n1\norders x 15\n', /partition "x"/],
  ['a count not a number', '0\nmany\norders 0 15\n', /entry count "many"/],
  ['an entry of four fields', '0\n1\norders 0 15 extra\n', /is not "topic partition offset"/],
  ['a partition listed twice', '0\n2\norders 0 15\norders 0 16\n', /orders-0 is listed twice/],
];

for (const [what, content, reason] of BAD_FILES) {
  test(`a checkpoint with ${what} is ignored whole, with a warning saying why`, (t) => {
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, HIGH_WATERMARK_CHECKPOINT_FILE), content);
    const logger = recordingLogger();
    assert.deepEqual(readHighWatermarkCheckpoint(dir, logger), new Map());
    assert.equal(logger.events.length, 1);
    const [event] = logger.events;
    assert.equal(event.level, 'warn');
    assert.match(String(event.fields.reason), reason);
  });
}

test('an unreadable checkpoint (a directory in its place) is ignored with a warning', (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, HIGH_WATERMARK_CHECKPOINT_FILE));
  const logger = recordingLogger();
  assert.deepEqual(readHighWatermarkCheckpoint(dir, logger), new Map());
  assert.deepEqual(logger.events.map((e) => [e.level, (e.fields.err as NodeJS.ErrnoException).code]), [['warn', 'EISDIR']]);
});
