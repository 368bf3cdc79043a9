// BufferPool: a buffer given back is the next one taken of its size class (warm
// memory reused), a buffer it did not lend is ignored, and the free lists hold no
// more than their budget nor any block over 8 MiB.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool } from '../../src/protocol/buffer-pool.js';

test('a buffer given back is taken again for a frame of its size class', () => {
  const pool = new BufferPool(64 * 1024, 8 * 1024 * 1024);
  const first = pool.take(700_000);
  assert.equal(first.length, 700_000);
  pool.give(first);
  const second = pool.take(1_000_000); // same class: 1 MiB
  assert.ok(second.buffer === first.buffer);
  assert.equal(second.length, 1_000_000);
  const other = pool.take(1_000_000); // the block is lent again: a new one
  assert.ok(other.buffer !== first.buffer);
  const small = pool.take(5000); // below minBytes: an ordinary buffer, not taken back
  pool.give(small);
  assert.ok(pool.take(5000).buffer !== small.buffer);
});

test('a buffer it did not lend, or one given back twice, is not taken into the pool', () => {
  const pool = new BufferPool(64 * 1024, 8 * 1024 * 1024);
  const foreign = Buffer.allocUnsafeSlow(128 * 1024);
  pool.give(foreign);
  assert.ok(pool.take(128 * 1024).buffer !== foreign.buffer);
  const lent = pool.take(128 * 1024);
  pool.give(lent);
  pool.give(lent);
  const a = pool.take(128 * 1024);
  const b = pool.take(128 * 1024);
  assert.ok(a.buffer === lent.buffer);
  assert.ok(b.buffer !== lent.buffer, 'given back twice, lent once');
});

test('the free lists keep at most their budget; the rest is left to the GC', () => {
  const pool = new BufferPool(64 * 1024, 1024 * 1024);
  const lent = [pool.take(1024 * 1024), pool.take(1024 * 1024)];
  for (const b of lent) pool.give(b);
  const again = [pool.take(1024 * 1024), pool.take(1024 * 1024)];
  assert.equal(again.filter((b) => lent.some((l) => l.buffer === b.buffer)).length, 1);
});

test('a block over 8 MiB is not kept: a rare huge frame or read is not held while idle', () => {
  const pool = new BufferPool(64 * 1024, 1024 * 1024 * 1024);
  const huge = pool.take(9 * 1024 * 1024);
  pool.give(huge);
  assert.ok(pool.take(9 * 1024 * 1024).buffer !== huge.buffer);
  const large = pool.take(8 * 1024 * 1024);
  pool.give(large);
  assert.ok(pool.take(8 * 1024 * 1024).buffer === large.buffer);
});
