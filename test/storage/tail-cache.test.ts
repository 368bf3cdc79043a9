// The tail cache answers reads exactly as the segments would, from the very
// buffers appended, and keeps the memory it holds within one budget shared by
// every log, evicting the oldest appends first.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { TailCache } from '../../src/storage/tail-cache.js';
import { makeBatch, openFileLog, recordsIn, tempDir, testConfig } from './log-test-helpers.js';

const ALL = Number.MAX_SAFE_INTEGER;

/** A copy of `bytes` in a backing store of its own, so the cache charges exactly its length. */
function own(bytes: Buffer): Buffer {
  const copy = Buffer.from(new ArrayBuffer(bytes.length));
  bytes.copy(copy);
  return copy;
}

function ownBatch(count: number, tag: string): Buffer {
  return own(makeBatch(count, { tag }));
}

/** Deterministic pseudo-random integers in [0, n). */
function prng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
}

test('reads at the tail are views of the appended buffers; further back they come from the segments', async (t) => {
  const cache = new TailCache(3 * ownBatch(5, 'bx').length);
  const log = await openFileLog(t, path.join(tempDir(t), 'topic-0'), testConfig(), undefined, cache.forLog());
  const appended = Array.from({ length: 5 }, (_, i) => ownBatch(5, `b${i}`));
  for (const batch of appended) log.append(batch, 0);

  const newest = log.read(20, ALL, ALL);
  assert.equal(newest.buffer, appended[4].buffer, 'the newest append is served without a copy');
  assert.deepEqual(recordsIn(newest).map((r) => r.offset), [20, 21, 22, 23, 24]);
  assert.equal(cache.bytes, 3 * appended[0].length, 'three appends fit the budget');

  const old = log.read(0, appended[0].length, ALL);
  assert.notEqual(old.buffer, appended[0].buffer, 'an evicted append is read from the segment');
  assert.deepEqual(recordsIn(old).map((r) => r.value), ['b0-0', 'b0-1', 'b0-2', 'b0-3', 'b0-4']);

  const spanning = log.read(12, ALL, ALL);
  assert.deepEqual(recordsIn(spanning).map((r) => r.offset), Array.from({ length: 15 }, (_, i) => 10 + i), 'a read across appends joins them');
});

test('every read answers as the segments do, whatever the offset, byte limit, end and first-batch rule', async (t) => {
  const random = prng(42);
  const plain = await openFileLog(t, path.join(tempDir(t), 'plain'), testConfig({ segmentBytes: 4000, indexIntervalBytes: 300 }));
  const cache = new TailCache(20_000);
  const cached = await openFileLog(t, path.join(tempDir(t), 'cached'), testConfig({ segmentBytes: 4000, indexIntervalBytes: 300 }), undefined, cache.forLog());
  for (let i = 0; i < 120; i++) {
    const batches = Array.from({ length: 1 + random(3) }, (_, j) => ownBatch(1 + random(6), `a${i}.${j}`));
    const whole = Buffer.concat(batches);
    plain.append(own(whole), 3);
    cached.append(own(whole), 3);
  }
  assert.ok(cache.bytes <= 20_000 && cache.bytes > 0);
  const end = plain.logEndOffset;
  for (let i = 0; i < 2000; i++) {
    const offset = random(end + 2);
    const maxBytes = random(1500);
    const maxOffset = offset + random(end - offset + 3);
    const minOneBatch = random(2) === 0;
    assert.deepEqual(cached.read(offset, maxBytes, maxOffset, minOneBatch), plain.read(offset, maxBytes, maxOffset, minOneBatch), `read(${offset}, ${maxBytes}, ${maxOffset}, ${minOneBatch})`);
  }
});

test('one budget for all logs: the oldest appends go first, whichever log holds them', async (t) => {
  const size = ownBatch(2, 'ax').length;
  const cache = new TailCache(3 * size);
  const a = await openFileLog(t, path.join(tempDir(t), 'a-0'), testConfig(), undefined, cache.forLog());
  const b = await openFileLog(t, path.join(tempDir(t), 'b-0'), testConfig(), undefined, cache.forLog());
  const a0 = ownBatch(2, 'a0');
  const b0 = ownBatch(2, 'b0');
  const a1 = ownBatch(2, 'a1');
  const a2 = ownBatch(2, 'a2');
  a.append(a0, 0);
  b.append(b0, 0);
  a.append(a1, 0);
  a.append(a2, 0); // evicts a0, the oldest
  assert.equal(cache.bytes, 3 * size);
  assert.notEqual(a.read(0, ALL, ALL).buffer, a0.buffer, 'a0 was evicted');
  assert.equal(b.read(0, ALL, ALL).buffer, b0.buffer, 'b0 is still held');
  assert.equal(a.read(4, ALL, ALL).buffer, a2.buffer);
});

test('a cut, a closed log and an append too large for the budget leave nothing stale behind', async (t) => {
  const size = ownBatch(2, 'oldx').length;
  const cache = new TailCache(4 * size);
  const log = await openFileLog(t, path.join(tempDir(t), 'topic-0'), testConfig(), undefined, cache.forLog());
  for (let i = 0; i < 3; i++) log.append(ownBatch(2, `old${i}`), 0);
  log.truncateTo(2);
  assert.equal(cache.bytes, 0, 'the cut forgets the cached appends');
  const fresh = ownBatch(2, 'new');
  log.append(fresh, 1);
  assert.equal(log.read(2, ALL, ALL).buffer, fresh.buffer);
  assert.deepEqual(recordsIn(log.read(0, ALL, 2)).map((r) => r.value), ['old0-0', 'old0-1']);

  const huge = ownBatch(200, 'huge');
  log.append(huge, 1);
  assert.equal(cache.bytes, 0, 'an append larger than the budget is not kept, nor anything before it');
  assert.deepEqual(recordsIn(log.read(4, ALL, ALL)).length, 200);

  log.append(ownBatch(2, 'last'), 1);
  await log.close();
  assert.equal(cache.bytes, 0, 'a closed log holds nothing');
});

test("a replica's appends after the log's own leave no cached tail that ends before the log end", async (t) => {
  const cache = new TailCache(1 << 20);
  const log = await openFileLog(t, path.join(tempDir(t), 'topic-0'), testConfig(), undefined, cache.forLog());
  log.append(ownBatch(3, 'led'), 1);
  const fromLeader = ownBatch(3, 'followed');
  fromLeader.writeBigInt64BE(3n, 0); // a leader's batch comes with its offsets set
  log.appendReplicated(fromLeader);
  assert.equal(cache.bytes, 0);
  assert.deepEqual(recordsIn(log.read(0, ALL, ALL)).map((r) => r.offset), [0, 1, 2, 3, 4, 5]);
});
