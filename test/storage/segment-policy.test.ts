import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countExpiredSegments, shouldRollBeforeAppend, shouldRollForRetention, type SegmentStats } from '../../src/storage/segment-policy.js';
import { testConfig } from './log-test-helpers.js';

const seg = (sizeBytes: number, maxTimestamp: number, rollStartMs: number | null = 0, baseOffset = 0): SegmentStats => ({ baseOffset, sizeBytes, maxTimestamp, rollStartMs });

test('time retention deletes a prefix: it stops at the first segment still in retention', () => {
  const config = testConfig({ retentionMs: 100 });
  const closed = [seg(10, 50), seg(10, 500), seg(10, 60)];
  assert.equal(countExpiredSegments(closed, 40, config, 300), 1);
  assert.equal(countExpiredSegments(closed, 40, config, 1_000), 3);
  assert.equal(countExpiredSegments(closed, 40, testConfig({ retentionMs: -1 }), 1_000_000), 0);
});

test('size retention deletes while what is left stays at or above retentionBytes', () => {
  const closed = [seg(10, 0), seg(10, 0), seg(10, 0)];
  assert.equal(countExpiredSegments(closed, 35, testConfig({ retentionBytes: 15 }), 0), 2);
  assert.equal(countExpiredSegments(closed, 35, testConfig({ retentionBytes: 16 }), 0), 1);
  assert.equal(countExpiredSegments(closed, 35, testConfig({ retentionBytes: 0 }), 0), 3);
  assert.equal(countExpiredSegments(closed, 35, testConfig({ retentionBytes: -1 }), 0), 0);
});

test('with both limits the larger deletion wins', () => {
  const closed = [seg(10, 50), seg(10, 500), seg(10, 600)];
  assert.equal(countExpiredSegments(closed, 35, testConfig({ retentionMs: 100, retentionBytes: 15 }), 300), 2);
  assert.equal(countExpiredSegments(closed, 35, testConfig({ retentionMs: 100, retentionBytes: 100 }), 300), 1);
});

test('rolling before an append: by size, by offset range, by age; never an empty segment', () => {
  const config = testConfig({ segmentBytes: 100, segmentMs: 1_000 });
  assert.equal(shouldRollBeforeAppend(seg(0, -1, null), 500, 0, config, 0), false);
  assert.equal(shouldRollBeforeAppend(seg(60, 0, 0), 40, 10, config, 0), false);
  assert.equal(shouldRollBeforeAppend(seg(60, 0, 0), 41, 10, config, 0), true);
  assert.equal(shouldRollBeforeAppend(seg(60, 0, 0, 5), 1, 5 + 0x7fffffff + 1, config, 0), true);
  assert.equal(shouldRollBeforeAppend(seg(60, 0, 0), 1, 10, config, 999), false);
  assert.equal(shouldRollBeforeAppend(seg(60, 0, 0), 1, 10, config, 1_000), true);
});

test('rolling for retention: an old or wholly expired active segment', () => {
  const config = testConfig({ segmentMs: 1_000, retentionMs: 100 });
  assert.equal(shouldRollForRetention(seg(0, -1, null), config, 1e9), false);
  assert.equal(shouldRollForRetention(seg(10, 450, 0), config, 500), false);
  assert.equal(shouldRollForRetention(seg(10, 350, 0), config, 500), true);
  assert.equal(shouldRollForRetention(seg(10, 1e9, 0), config, 1_000), true);
});
