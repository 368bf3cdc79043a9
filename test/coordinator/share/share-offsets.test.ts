// The lag DescribeShareGroupOffsets v1 reports (KIP-1226): records from the
// share-partition start offset (or the log start past it) to the high
// watermark that are not yet acknowledged or archived.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryState } from '../../../src/coordinator/share/in-flight-records.js';
import { shareLag } from '../../../src/coordinator/share/share-offsets.js';

const { Available, Acknowledged, Archived } = DeliveryState;
const run = (firstOffset: number, lastOffset: number, deliveryState: DeliveryState) => ({ firstOffset, lastOffset, deliveryState, deliveryCount: 1 });

test('lag counts every record below the high watermark not yet settled, held or not', () => {
  const state = { startOffset: 10, stateBatches: [run(10, 14, Available), run(15, 19, Acknowledged), run(20, 21, Archived), run(22, 24, Available)] };
  assert.equal(shareLag(state, 0, 30), 20 - 7, 'offsets 10-29, less 15-21');
  assert.equal(shareLag({ startOffset: 10, stateBatches: [] }, 0, 30), 20, 'nothing in flight: everything from the start offset');
  assert.equal(shareLag({ startOffset: 40, stateBatches: [] }, 0, 30), 0, 'a start offset past the high watermark has no lag');
});

test('records retention removed from below the start offset are not lag', () => {
  const state = { startOffset: 10, stateBatches: [run(10, 14, Available), run(15, 19, Acknowledged)] };
  assert.equal(shareLag(state, 17, 30), 13 - 3, 'offsets 17-29, less 17-19');
});
