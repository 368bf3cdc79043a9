import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { OffsetIndex } from '../../src/storage/offset-index.js';
import { tempDir } from './log-test-helpers.js';

function indexWith(file: string, entries: [number, number][]): OffsetIndex {
  const index = new OffsetIndex(file);
  for (const [rel, pos] of entries) index.append(rel, pos);
  return index;
}

test('lookup gives the floor entry position, positionAfter the next one', (t) => {
  const index = indexWith(path.join(tempDir(t), 'a.index'), [[5, 100], [9, 250], [20, 700]]);
  assert.equal(index.lookup(0), 0, 'before the first entry: the segment start');
  assert.equal(index.lookup(5), 100);
  assert.equal(index.lookup(8), 100);
  assert.equal(index.lookup(9), 250);
  assert.equal(index.lookup(1_000), 700);
  assert.equal(index.positionAfter(4), 100);
  assert.equal(index.positionAfter(5), 250);
  assert.equal(index.positionAfter(20), -1);
});

test('grows past its initial capacity', (t) => {
  const index = indexWith(path.join(tempDir(t), 'a.index'), Array.from({ length: 1_000 }, (_, i): [number, number] => [i * 2, i * 10 + 1]));
  assert.equal(index.length, 1_000);
  assert.equal(index.lookup(1_001), 5_001, 'entry 500: relative offset 1000');
});

test('persist appends new entries, rewrites after a truncation, and load reads them back', async (t) => {
  const file = path.join(tempDir(t), 'a.index');
  const index = indexWith(file, [[1, 10], [2, 20]]);
  await index.persist();
  index.append(3, 30);
  await index.persist();
  assert.equal(fs.statSync(file).size, 24);
  index.truncateToPosition(20);
  await index.persist();
  assert.equal(fs.statSync(file).size, 8, 'the dropped entries are gone from the file');
  const loaded = new OffsetIndex(file);
  assert.equal(loaded.load(100), true);
  assert.equal(loaded.length, 1);
  assert.equal(loaded.lastPosition, 10);
  assert.equal(loaded.lastRelativeOffset, 1);
});

test('load refuses a missing, torn, unordered or out-of-range file', (t) => {
  const dir = tempDir(t);
  const write = (name: string, ints: number[], extra = 0): string => {
    const buf = Buffer.alloc(ints.length * 4 + extra);
    ints.forEach((v, i) => buf.writeInt32BE(v, i * 4));
    fs.writeFileSync(path.join(dir, name), buf);
    return path.join(dir, name);
  };
  assert.equal(new OffsetIndex(path.join(dir, 'missing.index')).load(100), false);
  assert.equal(new OffsetIndex(write('torn.index', [1, 10], 3)).load(100), false);
  assert.equal(new OffsetIndex(write('unordered.index', [2, 10, 1, 20])).load(100), false);
  assert.equal(new OffsetIndex(write('same-position.index', [1, 10, 2, 10])).load(100), false);
  assert.equal(new OffsetIndex(write('past-end.index', [1, 10, 2, 100])).load(100), false);
  const ok = new OffsetIndex(write('ok.index', [1, 10, 2, 99]));
  assert.equal(ok.load(100), true);
  assert.equal(ok.length, 2);
});
