// SentBatch: the metadata of a sendBatch() call's records, built from the runs
// its batches reported, whatever order the partitions were answered in.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SentBatch } from '../../../src/client/producer/sent-batch.js';

test('records keep their call order and each run its consecutive offsets, whichever partition answered first', () => {
  const sent = new SentBatch(6);
  // Slots 0, 1 and 4 went to partition 1; 2, 3 to partition 0 (answered first); 5 to partition 1 in a later batch.
  sent.add(2, 2, { topic: 't', partition: 0, offset: 10, timestamp: 7 });
  sent.add(0, 2, { topic: 't', partition: 1, offset: 40, timestamp: 5 });
  sent.add(5, 1, { topic: 't', partition: 1, offset: 43, timestamp: 9 });
  sent.add(4, 1, { topic: 't', partition: 1, offset: 42, timestamp: 8 });
  assert.deepEqual(
    [...sent].map((m) => [m.partition, m.offset, m.timestamp]),
    [
      [1, 40, 5],
      [1, 41, 5],
      [0, 10, 7],
      [0, 11, 7],
      [1, 42, 8],
      [1, 43, 9],
    ],
  );
  assert.deepEqual(sent.at(3), { topic: 't', partition: 0, offset: 11, timestamp: 7 });
  assert.equal(sent.at(-1)?.offset, 43, 'a negative index counts from the end');
  assert.equal(sent.at(6), undefined);
  assert.equal(sent.at(1.5), undefined);
  assert.equal(sent.length, 6);
});

test('without offsets (acks=0) every record of a run reports -1', () => {
  const sent = new SentBatch(3);
  sent.add(0, 3, { topic: 't', partition: 2, offset: -1, timestamp: 1 });
  assert.deepEqual(
    [...sent].map((m) => m.offset),
    [-1, -1, -1],
  );
});
