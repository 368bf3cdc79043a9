// Pending acknowledgements become AcknowledgementBatches: runs of consecutive
// offsets with one type and one release delay, whatever order they were settled in.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AcknowledgeType, PendingAcknowledgements } from '../../../src/client/share/acknowledgements.js';

test('consecutive offsets with one type and delay share a batch; a gap, another type or another delay starts a new one', () => {
  const pending = new PendingAcknowledgements();
  for (const offset of [6, 4, 5]) pending.add(0, offset, AcknowledgeType.Accept);
  pending.add(0, 7, AcknowledgeType.Release, 2000);
  pending.add(0, 8, AcknowledgeType.Release, 500);
  pending.add(0, 10, AcknowledgeType.Accept);
  pending.add(3, 1, AcknowledgeType.Reject, 99);
  assert.deepEqual(pending.takeAll(), new Map([
    [0, [
      { firstOffset: 4, lastOffset: 6, acknowledgeTypes: [1], releaseDelayMs: 0 },
      { firstOffset: 7, lastOffset: 7, acknowledgeTypes: [2], releaseDelayMs: 2000 },
      { firstOffset: 8, lastOffset: 8, acknowledgeTypes: [2], releaseDelayMs: 500 },
      { firstOffset: 10, lastOffset: 10, acknowledgeTypes: [1], releaseDelayMs: 0 },
    ]],
    // Only a release carries a delay.
    [3, [{ firstOffset: 1, lastOffset: 1, acknowledgeTypes: [3], releaseDelayMs: 0 }]],
  ]));
  assert.equal(pending.size, 0, 'taken once');
});
