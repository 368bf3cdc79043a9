// Offsets a read finds nothing deliverable in (control records, aborted
// transactions under read_committed) are archived by the share partition:
// at the window's end the window moves past them, inside it records given
// back are never delivered again, held ones stay with their member.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AcknowledgeType, SharePartition } from '../../../src/coordinator/share/share-partition.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function makePartition() {
  const archived: number[][] = [];
  const partition = new SharePartition(0, {
    clock: new FakeClock(),
    lockDurationMs: 30_000,
    deliveryCountLimit: 5,
    maxInFlightRecords: 100,
    onArchived: (first, last) => archived.push([first, last]),
  });
  return { partition, archived };
}

test('undeliverable offsets at the window end are archived and the next read starts after them', () => {
  const { partition, archived } = makePartition();
  partition.acquire('m1', [{ first: 0, last: 4 }], 10);
  assert.equal(partition.skipUndeliverable(5, 7), true);
  assert.deepEqual([partition.endOffset, partition.nextFetchOffset()], [8, 8]);
  assert.equal(partition.acknowledge('m1', [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [AcknowledgeType.Accept] }]), 0);
  assert.equal(partition.startOffset, 8, 'settled with the records before them');
  assert.deepEqual(archived, [], 'not dead letters: nothing was rejected or spent');
});

test('offsets past the window end, or already settled, change nothing', () => {
  const { partition } = makePartition();
  partition.acquire('m1', [{ first: 0, last: 4 }], 10);
  assert.equal(partition.skipUndeliverable(7, 9), false, 'not contiguous with the end (5)');
  assert.equal(partition.endOffset, 5);
  assert.equal(partition.skipUndeliverable(3, 2), false, 'an empty range');
});

test('inside the window, available records of the range are archived and held ones stay held', () => {
  const { partition } = makePartition();
  partition.acquire('m1', [{ first: 0, last: 9 }], 10);
  assert.equal(partition.acknowledge('m1', [{ firstOffset: 3, lastOffset: 5, acknowledgeTypes: [AcknowledgeType.Release] }]), 0);
  assert.equal(partition.skipUndeliverable(4, 6), true);
  assert.deepEqual(partition.acquire('m2', [{ first: 0, last: 9 }], 10), [{ firstOffset: 3, lastOffset: 3, deliveryCount: 2 }], 'only 3 is deliverable again');
  assert.equal(partition.acknowledge('m1', [{ firstOffset: 6, lastOffset: 6, acknowledgeTypes: [AcknowledgeType.Accept] }]), 0, 'm1 still holds 6');
  assert.equal(partition.skipUndeliverable(4, 6), false, 'nothing left to archive there');
});
