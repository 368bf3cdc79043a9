import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { TimeIndex } from '../../src/storage/time-index.js';
import { tempDir } from './log-test-helpers.js';

test('keeps only increasing timestamps, and none without a timestamp', (t) => {
  const index = new TimeIndex(path.join(tempDir(t), 'a.timeindex'));
  index.maybeAppend(-1, 0);
  index.maybeAppend(1_000, 0);
  index.maybeAppend(1_000, 3);
  index.maybeAppend(900, 4);
  index.maybeAppend(2_000, 6);
  assert.equal(index.length, 2);
  assert.equal(index.lastTimestamp, 2_000);
  assert.equal(index.lastRelativeOffset, 6);
});

test('lookup starts a search at the last entry below the timestamp', (t) => {
  const index = new TimeIndex(path.join(tempDir(t), 'a.timeindex'));
  index.maybeAppend(1_000, 2);
  index.maybeAppend(2_000, 7);
  index.maybeAppend(3_000, 9);
  assert.equal(index.lookup(500), 0, 'nothing below: the segment start');
  assert.equal(index.lookup(1_000), 0, 'an entry at exactly the timestamp may be the answer, so start before it');
  assert.equal(index.lookup(1_001), 2);
  assert.equal(index.lookup(2_500), 7);
  assert.equal(index.lookup(9_999), 9);
});

test('truncation, persist and load', async (t) => {
  const file = path.join(tempDir(t), 'a.timeindex');
  const index = new TimeIndex(file);
  index.maybeAppend(1_000, 2);
  index.maybeAppend(2_000, 7);
  index.maybeAppend(3_000, 9);
  await index.persist();
  assert.equal(fs.statSync(file).size, 36);
  index.truncateToOffset(8);
  await index.persist();
  const loaded = new TimeIndex(file);
  assert.equal(loaded.load(), true);
  assert.equal(loaded.length, 2);
  assert.equal(loaded.lastTimestamp, 2_000);
  fs.appendFileSync(file, Buffer.alloc(12)); // a zero entry: timestamp 0 after 2000
  assert.equal(new TimeIndex(file).load(), false);
  assert.equal(new TimeIndex(path.join(path.dirname(file), 'missing')).load(), false);
});
