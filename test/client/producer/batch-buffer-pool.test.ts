// The producer's pool of batch buffers: a new batch gets the last buffer given
// back, or a fresh 16 KiB one (never more than the batch may hold); the pool
// keeps at most its byte budget.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchBufferPool } from '../../../src/client/producer/batch-buffer-pool.js';

test('a new batch reuses the buffer last given back, else gets 16 KiB at most', () => {
  const pool = new BatchBufferPool(1 << 20);
  assert.equal(pool.take(1_000_000).length, 16 * 1024);
  assert.equal(pool.take(4096).length, 4096, 'a fresh buffer is no larger than the batch limit');
  const grown = Buffer.alloc(256 * 1024);
  pool.give(grown);
  assert.equal(pool.take(1_000_000), grown);
  assert.notEqual(pool.take(1_000_000), grown, 'a buffer is handed out once');
});

test('the pool keeps no more than its byte budget', () => {
  const pool = new BatchBufferPool(100_000);
  const first = Buffer.alloc(60_000);
  pool.give(first);
  pool.give(Buffer.alloc(60_000));
  assert.equal(pool.take(1_000_000), first, 'the second buffer was past the budget and dropped');
  assert.equal(pool.take(1_000_000).length, 16 * 1024);
});
