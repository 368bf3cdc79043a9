// A share-partition's record states on a fake clock: acquisition, the three
// acknowledgements and renewal, lock expiry to the millisecond, delivery
// limits and archiving, delayed records that do not hold back others, the
// in-flight bound, compactness, and the snapshot a restart resumes from.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryState } from '../../../src/coordinator/share/in-flight-records.js';
import { AcknowledgeType, MAX_RELEASE_DELAY_MS, SharePartition, type SharePartitionOptions } from '../../../src/coordinator/share/share-partition.js';
import { decodeShareStateRecord, shareSnapshotKey, shareSnapshotValue } from '../../../src/coordinator/share/share-state-log.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const LOCK_MS = 30_000;
const { Accept, Release, Reject, Renew, Gap } = AcknowledgeType;

function makePartition(overrides: Partial<SharePartitionOptions> = {}, startOffset = 0) {
  const clock = new FakeClock();
  const archived: { first: number; last: number; reason: string; deliveryCount: number }[] = [];
  let wakeups = 0;
  const opts: SharePartitionOptions = {
    clock,
    lockDurationMs: LOCK_MS,
    deliveryCountLimit: 5,
    maxInFlightRecords: 2000,
    onArchived: (first, last, reason, deliveryCount) => archived.push({ first, last, reason, deliveryCount }),
    onAvailable: () => wakeups++,
    ...overrides,
  };
  const partition = new SharePartition(startOffset, opts);
  return { partition, clock, archived, opts, wakeups: () => wakeups };
}

/** Batches of `size` records covering `first`..`last`, as a log read returns them. */
function batches(first: number, last: number, size = 10): { first: number; last: number }[] {
  const out = [];
  for (let b = first; b <= last; b += size) out.push({ first: b, last: Math.min(b + size - 1, last) });
  return out;
}

type PlannedRun = { first: number; last: number; notBefore?: number; filteredOut?: boolean };

/** A delivery plan (delivery-plan.ts) made of `runs`, clipped to what acquire asks about. */
const planOf = (...runs: PlannedRun[]) => (first: number, last: number) =>
  runs
    .filter((r) => r.last >= first && r.first <= last)
    .map((r) => ({ first: Math.max(first, r.first), last: Math.min(last, r.last), notBefore: r.notBefore ?? 0, filteredOut: r.filteredOut ?? false }));

const ack = (firstOffset: number, lastOffset: number, ...types: AcknowledgeType[]) => ({ firstOffset, lastOffset, acknowledgeTypes: types });

test('members acquire disjoint records up to their maximum, whole batches split where the maximum falls', () => {
  const { partition } = makePartition();
  assert.deepEqual(partition.acquire('m1', batches(0, 29), 15), [{ firstOffset: 0, lastOffset: 14, deliveryCount: 1 }]);
  assert.equal(partition.nextFetchOffset(), 15);
  assert.deepEqual(partition.acquire('m2', batches(0, 29), 100), [{ firstOffset: 15, lastOffset: 29, deliveryCount: 1 }], 'offsets m1 holds are skipped');
  assert.deepEqual(partition.acquire('m3', batches(0, 29), 100), [], 'nothing left to take');
  assert.deepEqual(partition.stateCounts(), { available: 0, delayed: 0, acquired: 30, acknowledged: 0, archived: 0 });
});

test('accepted records move the start offset past them; the state stays a handful of runs however many records pass', () => {
  const { partition } = makePartition();
  for (let round = 0; round < 100; round++) {
    const [got] = partition.acquire('m1', batches(round * 50, round * 50 + 49), 50);
    assert.equal(partition.acknowledge('m1', [ack(got.firstOffset, got.lastOffset, Accept)]), ErrorCode.NONE);
  }
  assert.equal(partition.startOffset, 5000);
  assert.equal(partition.runCount, 0);

  // Out-of-order settling keeps one run per distinct stretch, not per record.
  partition.acquire('m1', batches(5000, 5999), 1000);
  assert.equal(partition.acknowledge('m1', [ack(5500, 5999, Accept)]), ErrorCode.NONE);
  assert.equal(partition.startOffset, 5000, 'an unsettled record holds the start');
  assert.equal(partition.runCount, 2);
});

test('records not acknowledged within the lock duration become available at that very millisecond, and are redelivered with a higher count', () => {
  const { partition, clock, wakeups } = makePartition();
  partition.acquire('m1', batches(0, 9), 10);
  clock.advance(LOCK_MS - 1);
  assert.deepEqual(partition.acquire('m2', batches(0, 9), 10), [], 'still locked');
  clock.advance(1);
  assert.equal(wakeups(), 1, 'a waiting fetch is told');
  assert.deepEqual(partition.acquire('m2', batches(0, 9), 10), [{ firstOffset: 0, lastOffset: 9, deliveryCount: 2 }]);
  assert.equal(partition.acknowledge('m1', [ack(0, 9, Accept)]), ErrorCode.INVALID_RECORD_STATE, 'the first holder lost them');
  assert.equal(partition.acknowledge('m2', [ack(0, 9, Accept)]), ErrorCode.NONE);
});

test('a renewal restarts the lock of the records it names', () => {
  const { partition, clock } = makePartition();
  partition.acquire('m1', batches(0, 9), 10);
  clock.advance(LOCK_MS - 10);
  assert.equal(partition.acknowledge('m1', [ack(0, 4, Renew)]), ErrorCode.NONE);
  clock.advance(10);
  assert.deepEqual(partition.stateCounts(), { available: 5, delayed: 0, acquired: 5, acknowledged: 0, archived: 0 });
  clock.advance(LOCK_MS - 11);
  assert.equal(partition.acknowledge('m1', [ack(0, 4, Accept)]), ErrorCode.NONE);
});

test('an acknowledgement for records the member does not hold changes nothing and answers INVALID_RECORD_STATE', () => {
  const { partition } = makePartition();
  partition.acquire('m1', batches(0, 9), 10);
  partition.acquire('m2', batches(10, 19), 10);
  const before = partition.snapshot();
  assert.equal(partition.acknowledge('m1', [ack(0, 9, Accept), ack(8, 12, Accept)]), ErrorCode.INVALID_RECORD_STATE);
  assert.equal(partition.acknowledge('m1', [ack(20, 25, Accept)]), ErrorCode.INVALID_RECORD_STATE, 'past the end');
  assert.equal(partition.acknowledge('m1', [ack(0, 9, Accept, Release)]), ErrorCode.INVALID_REQUEST, 'types must be one or one per offset');
  assert.deepEqual(partition.snapshot(), before);
  assert.deepEqual(partition.stateCounts().acquired, 20);
});

test('per-offset types: accepted, released, rejected and gap offsets each take their own way', () => {
  const { partition, archived } = makePartition();
  partition.acquire('m1', batches(0, 5), 6);
  assert.equal(partition.acknowledge('m1', [ack(0, 5, Accept, Release, Reject, Gap, Release, Accept)]), ErrorCode.NONE);
  assert.deepEqual(archived, [{ first: 2, last: 2, reason: 'rejected', deliveryCount: 1 }]);
  assert.equal(partition.startOffset, 1);
  assert.deepEqual(partition.acquire('m2', batches(0, 5), 10), [
    { firstOffset: 1, lastOffset: 1, deliveryCount: 2 },
    { firstOffset: 4, lastOffset: 4, deliveryCount: 2 },
  ]);
});

test('a record released at its delivery limit is archived for the dead-letter topic instead of redelivered', () => {
  const { partition, archived } = makePartition({ deliveryCountLimit: 3 });
  for (let delivery = 1; delivery <= 3; delivery++) {
    assert.deepEqual(partition.acquire(`m${delivery}`, batches(0, 0), 1), [{ firstOffset: 0, lastOffset: 0, deliveryCount: delivery }]);
    assert.equal(partition.acknowledge(`m${delivery}`, [ack(0, 0, Release)]), ErrorCode.NONE);
  }
  assert.deepEqual(archived, [{ first: 0, last: 0, reason: 'delivery-limit', deliveryCount: 3 }]);
  assert.equal(partition.startOffset, 1);
  assert.deepEqual(partition.acquire('m4', batches(0, 0), 1), []);
});

test('a lock that expires at the delivery limit archives the record too', () => {
  const { partition, clock, archived } = makePartition({ deliveryCountLimit: 1 });
  partition.acquire('m1', batches(0, 1), 2);
  clock.advance(LOCK_MS);
  assert.deepEqual(archived, [{ first: 0, last: 1, reason: 'delivery-limit', deliveryCount: 1 }]);
  assert.equal(partition.startOffset, 2);
});

test('a release with a delay keeps the record back until then without holding back the records behind it', () => {
  const { partition, clock } = makePartition();
  partition.acquire('m1', batches(0, 0), 1);
  assert.equal(partition.acknowledge('m1', [{ ...ack(0, 0, Release), releaseDelayMs: 5_000 }]), ErrorCode.NONE);
  assert.equal(partition.nextFetchOffset(), 1, 'the delayed record is not where the next read starts');
  assert.deepEqual(partition.acquire('m1', batches(0, 4), 10), [{ firstOffset: 1, lastOffset: 4, deliveryCount: 1 }]);
  assert.deepEqual(partition.stateCounts(), { available: 0, delayed: 1, acquired: 4, acknowledged: 0, archived: 0 });
  assert.equal(partition.nextDelayEnd(), clock.now() + 5_000);
  clock.advance(4_999);
  assert.deepEqual(partition.acquire('m2', batches(0, 4), 10), []);
  clock.advance(1);
  assert.equal(partition.nextFetchOffset(), 0);
  assert.deepEqual(partition.acquire('m2', batches(0, 4), 10), [{ firstOffset: 0, lastOffset: 0, deliveryCount: 2 }]);
});

test('a release delay applies to its own acknowledgement batch only, and a delay out of bounds is refused with nothing changed', () => {
  const { partition, clock } = makePartition();
  partition.acquire('m1', batches(0, 3), 4);
  const before = partition.snapshot();
  assert.equal(partition.acknowledge('m1', [ack(0, 0, Accept), { ...ack(1, 1, Release), releaseDelayMs: -1 }]), ErrorCode.INVALID_REQUEST);
  assert.equal(partition.acknowledge('m1', [{ ...ack(1, 1, Release), releaseDelayMs: MAX_RELEASE_DELAY_MS + 1 }]), ErrorCode.INVALID_REQUEST);
  assert.deepEqual(partition.snapshot(), before);
  assert.deepEqual(partition.stateCounts().acquired, 4);

  assert.equal(partition.acknowledge('m1', [{ ...ack(0, 1, Release), releaseDelayMs: MAX_RELEASE_DELAY_MS }, ack(2, 3, Release)]), ErrorCode.NONE);
  assert.deepEqual(partition.stateCounts(), { available: 2, delayed: 2, acquired: 0, acknowledged: 0, archived: 0 });
  assert.deepEqual(partition.acquire('m2', batches(0, 3), 10), [{ firstOffset: 2, lastOffset: 3, deliveryCount: 2 }], 'the undelayed batch comes back at once');
  assert.equal(partition.acknowledge('m2', [ack(2, 3, Accept)]), ErrorCode.NONE);
  clock.advance(MAX_RELEASE_DELAY_MS - 1);
  assert.deepEqual(partition.acquire('m2', batches(0, 3), 10), []);
  clock.advance(1);
  assert.deepEqual(partition.acquire('m2', batches(0, 3), 10), [{ firstOffset: 0, lastOffset: 1, deliveryCount: 2 }]);
});

test('a delayed release at the delivery limit archives the record at once', () => {
  const { partition, archived } = makePartition({ deliveryCountLimit: 1 });
  partition.acquire('m1', batches(0, 0), 1);
  assert.equal(partition.acknowledge('m1', [{ ...ack(0, 0, Release), releaseDelayMs: 60_000 }]), ErrorCode.NONE);
  assert.deepEqual(archived, [{ first: 0, last: 0, reason: 'delivery-limit', deliveryCount: 1 }]);
  assert.equal(partition.startOffset, 1);
});

test('new records with a delivery time are kept back until it while later ones flow', () => {
  const { partition, clock } = makePartition();
  const at = clock.now() + 60_000;
  const acquired = partition.acquire('m1', batches(0, 5, 2), 10, planOf({ first: 0, last: 1 }, { first: 2, last: 3, notBefore: at }, { first: 4, last: 5 }));
  assert.deepEqual(acquired, [
    { firstOffset: 0, lastOffset: 1, deliveryCount: 1 },
    { firstOffset: 4, lastOffset: 5, deliveryCount: 1 },
  ]);
  assert.equal(partition.acknowledge('m1', [ack(0, 1, Accept), ack(4, 5, Accept)]), ErrorCode.NONE);
  clock.advance(59_999);
  assert.deepEqual(partition.acquire('m2', batches(0, 5, 2), 10), []);
  clock.advance(1);
  assert.deepEqual(partition.acquire('m2', batches(0, 5, 2), 10), [{ firstOffset: 2, lastOffset: 3, deliveryCount: 1 }]);
});

test('a record due later inside a batch is kept back while the records around it are acquired', () => {
  const { partition, clock } = makePartition();
  const at = clock.now() + 5_000;
  const times = planOf({ first: 0, last: 1 }, { first: 2, last: 2, notBefore: at }, { first: 3, last: 9 });
  assert.deepEqual(partition.acquire('m1', batches(0, 9), 8, times), [
    { firstOffset: 0, lastOffset: 1, deliveryCount: 1 },
    { firstOffset: 3, lastOffset: 8, deliveryCount: 1 },
  ], 'the held record uses none of the budget');
  assert.deepEqual(partition.stateCounts(), { available: 0, delayed: 1, acquired: 8, acknowledged: 0, archived: 0 });
  assert.equal(partition.nextDelayEnd(), at);
  clock.advance(4_999);
  assert.deepEqual(partition.acquire('m2', batches(0, 9), 10, times), [{ firstOffset: 9, lastOffset: 9, deliveryCount: 1 }]);
  clock.advance(1);
  assert.deepEqual(partition.acquire('m2', batches(0, 9), 10, times), [{ firstOffset: 2, lastOffset: 2, deliveryCount: 1 }]);
});

test('never-delivered records restored from a snapshot are timed again before they are acquired', () => {
  const { partition, clock, opts } = makePartition();
  const at = clock.now() + 5_000;
  const times = planOf({ first: 0, last: 2 }, { first: 3, last: 5, notBefore: at });
  assert.deepEqual(partition.acquire('m1', batches(0, 5), 10).length, 1);
  assert.equal(partition.acknowledge('m1', [ack(0, 0, Accept)]), ErrorCode.NONE);
  // Offsets 3..5 were never delivered: stored as available with count 0, their time not stored.
  const restored = SharePartition.restore({ startOffset: 1, stateBatches: [{ firstOffset: 1, lastOffset: 2, deliveryState: DeliveryState.Available, deliveryCount: 1 }, { firstOffset: 3, lastOffset: 5, deliveryState: DeliveryState.Available, deliveryCount: 0 }] }, opts);
  assert.deepEqual(restored.acquire('m2', batches(0, 5), 10, times), [{ firstOffset: 1, lastOffset: 2, deliveryCount: 2 }]);
  assert.equal(restored.nextDelayEnd(), at);
  clock.advance(5_000);
  assert.deepEqual(restored.acquire('m2', batches(0, 5), 10, times), [{ firstOffset: 3, lastOffset: 5, deliveryCount: 1 }]);
  partition.close();
  restored.close();
});

test('records the filter does not pass are settled without a delivery and use no budget; those it passes are acquired', () => {
  const { partition } = makePartition();
  const plan = planOf({ first: 0, last: 0 }, { first: 1, last: 3, filteredOut: true }, { first: 4, last: 9 });
  assert.deepEqual(partition.acquire('m1', batches(0, 9), 3, plan), [
    { firstOffset: 0, lastOffset: 0, deliveryCount: 1 },
    { firstOffset: 4, lastOffset: 5, deliveryCount: 1 },
  ]);
  assert.deepEqual(partition.stateCounts(), { available: 0, delayed: 0, acquired: 3, acknowledged: 3, archived: 0 });
  assert.equal(partition.acknowledge('m1', [ack(0, 0, Accept), ack(4, 5, Accept)]), ErrorCode.NONE);
  assert.equal(partition.startOffset, 6, 'the start offset passes the filtered records');
  assert.equal(partition.acknowledge('m1', [ack(1, 1, Accept)]), ErrorCode.INVALID_RECORD_STATE, 'a filtered record was never handed out');
});

test('counters: accepted and gap records, archived ones (rejected or at the limit), redeliveries after a release or a lock expiry, filtered ones', () => {
  const { partition, clock } = makePartition({ deliveryCountLimit: 2 });
  partition.acquire('m1', batches(0, 5), 6, planOf({ first: 0, last: 4 }, { first: 5, last: 5, filteredOut: true }));
  assert.equal(partition.acknowledge('m1', [ack(0, 3, Accept, Gap, Reject, Release)]), ErrorCode.NONE);
  clock.advance(LOCK_MS);
  assert.deepEqual(partition.acquire('m2', batches(0, 5), 10), [{ firstOffset: 3, lastOffset: 4, deliveryCount: 2 }]);
  assert.equal(partition.acknowledge('m2', [ack(3, 4, Release)]), ErrorCode.NONE);
  assert.deepEqual(partition.counters, { acknowledged: 2, archived: 3, redeliveries: 2, filtered: 1 });
});

test('a member that leaves gives back what it holds; the others keep theirs', () => {
  const { partition, wakeups } = makePartition();
  partition.acquire('m1', batches(0, 9), 5);
  partition.acquire('m2', batches(0, 9), 5);
  partition.releaseMember('m1');
  assert.equal(wakeups(), 1);
  assert.deepEqual(partition.stateCounts(), { available: 5, delayed: 0, acquired: 5, acknowledged: 0, archived: 0 });
  assert.deepEqual(partition.acquire('m3', batches(0, 9), 10), [{ firstOffset: 0, lastOffset: 4, deliveryCount: 2 }]);
  assert.equal(partition.acknowledge('m2', [ack(5, 9, Accept)]), ErrorCode.NONE);
});

test('no new records are taken past maxInFlightRecords from the start offset; settling the oldest makes room', () => {
  const { partition } = makePartition({ maxInFlightRecords: 10 });
  assert.deepEqual(partition.acquire('m1', batches(0, 29), 100), [{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }]);
  assert.equal(partition.nextFetchOffset(), null, 'full, and nothing inside is deliverable');
  assert.equal(partition.acknowledge('m1', [ack(0, 3, Accept)]), ErrorCode.NONE);
  assert.deepEqual(partition.acquire('m2', batches(0, 29), 100), [{ firstOffset: 10, lastOffset: 13, deliveryCount: 1 }]);
});

test('acknowledgements that move a full window on wake the fetches waiting for room, which need not be the acknowledging ones', () => {
  const { partition, wakeups } = makePartition({ maxInFlightRecords: 10 });
  partition.acquire('m1', batches(0, 29), 100);
  assert.equal(partition.acknowledge('m1', [ack(5, 6, Accept)]), ErrorCode.NONE);
  assert.equal(wakeups(), 0, 'the start offset did not move: still full');
  assert.equal(partition.acknowledge('m1', [ack(0, 1, Accept)]), ErrorCode.NONE);
  assert.equal(wakeups(), 1, 'room for two more');
  assert.equal(partition.acknowledge('m1', [ack(2, 2, Accept)]), ErrorCode.NONE);
  assert.equal(wakeups(), 1, 'the window was not full: nobody waits for room');
});

test('offsets no data batch covers (control batches, compacted records) are archived and never delivered', () => {
  const { partition } = makePartition();
  const acquired = partition.acquire('m1', [{ first: 0, last: 2 }, { first: 5, last: 6 }], 100);
  assert.deepEqual(acquired, [
    { firstOffset: 0, lastOffset: 2, deliveryCount: 1 },
    { firstOffset: 5, lastOffset: 6, deliveryCount: 1 },
  ]);
  assert.equal(partition.acknowledge('m1', [ack(0, 2, Accept), ack(5, 6, Accept)]), ErrorCode.NONE);
  assert.equal(partition.startOffset, 7);
});

test('a snapshot keeps settled records settled and held ones redeliverable, with their counts, across a restart', () => {
  const { partition, opts } = makePartition();
  partition.acquire('m1', batches(0, 9), 10);
  partition.acknowledge('m1', [ack(0, 2, Accept), ack(5, 5, Reject)]);
  const snapshot = partition.snapshot();
  assert.deepEqual(snapshot, {
    startOffset: 3,
    stateBatches: [
      { firstOffset: 3, lastOffset: 4, deliveryState: DeliveryState.Available, deliveryCount: 1 },
      { firstOffset: 5, lastOffset: 5, deliveryState: DeliveryState.Archived, deliveryCount: 1 },
      { firstOffset: 6, lastOffset: 9, deliveryState: DeliveryState.Available, deliveryCount: 1 },
    ],
  });
  partition.close();

  const restored = SharePartition.restore(snapshot, opts);
  assert.deepEqual(restored.acquire('m2', batches(0, 14), 100), [
    { firstOffset: 3, lastOffset: 4, deliveryCount: 2 },
    { firstOffset: 6, lastOffset: 9, deliveryCount: 2 },
    { firstOffset: 10, lastOffset: 14, deliveryCount: 1 },
  ]);
  restored.close();
});

test('a release delay still running is kept in the snapshot and its stored form, and holds the records back after a restore', () => {
  const { partition, clock, opts } = makePartition();
  partition.acquire('m1', batches(0, 4), 10);
  partition.acknowledge('m1', [ack(0, 0, Accept), { ...ack(1, 2, Release), releaseDelayMs: 5000 }, ack(3, 3, Release)]);
  const notBefore = clock.now() + 5000;
  const snapshot = partition.snapshot();
  assert.deepEqual(snapshot.stateBatches, [
    { firstOffset: 1, lastOffset: 2, deliveryState: DeliveryState.Available, deliveryCount: 1, notBefore },
    { firstOffset: 3, lastOffset: 4, deliveryState: DeliveryState.Available, deliveryCount: 1 },
  ]);
  const key = { groupId: 'g', topicId: '00'.repeat(16), partition: 0 };
  assert.deepEqual(decodeShareStateRecord(shareSnapshotKey(key), shareSnapshotValue(snapshot, 0))?.state?.snapshot, snapshot, 'stored and read back whole');
  partition.close();

  clock.advance(1000);
  const restored = SharePartition.restore(snapshot, opts);
  assert.deepEqual(restored.acquire('m2', batches(0, 4), 10), [{ firstOffset: 3, lastOffset: 4, deliveryCount: 2 }], 'the delayed records wait; those behind them flow');
  assert.equal(restored.nextDelayEnd(), notBefore);
  clock.advance(4000);
  assert.deepEqual(restored.acquire('m2', batches(0, 4), 10), [{ firstOffset: 1, lastOffset: 2, deliveryCount: 2 }]);
  assert.deepEqual(partition.snapshot().stateBatches.filter((b) => 'notBefore' in b), [], 'a delay that has passed is not stored');
  restored.close();
});

test('when the log start passes records, they leave the window whatever their state', () => {
  const { partition } = makePartition();
  partition.acquire('m1', batches(0, 9), 10);
  partition.moveStartTo(6);
  assert.equal(partition.startOffset, 6);
  assert.equal(partition.acknowledge('m1', [ack(4, 7, Accept)]), ErrorCode.INVALID_RECORD_STATE);
  assert.equal(partition.acknowledge('m1', [ack(6, 9, Accept)]), ErrorCode.NONE);
  partition.moveStartTo(50);
  assert.deepEqual([partition.startOffset, partition.endOffset], [50, 50]);
});
