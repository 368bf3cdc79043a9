// The per-partition producer state machine (src/broker/producer-state.ts):
// sequence rules, duplicate detection over the last five batches, epoch
// fencing, sequence wrap at Int32 max, transactions' first offsets, expiry
// and the snapshot round trip. Batches get their offsets from a MemoryLog, as
// a partition's append would give them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { Attr, writeCrc } from '../../src/protocol/record-batch.js';
import { encodeBatch } from '../../src/protocol/records.js';
import { INT32_MAX, NUM_BATCHES_TO_RETAIN, type ProduceCheck, ProducerStateManager, incrementSequence } from '../../src/broker/producer-state.js';
import { MemoryLog } from '../../src/storage/memory-log.js';

const LOG_CONFIG = { segmentBytes: 1 << 20, segmentMs: 1e9, retentionMs: -1, retentionBytes: -1, flushPolicy: 'os' as const, flushIntervalMs: 1000, indexIntervalBytes: 4096 };

function batch(producerId: number, epoch: number, baseSequence: number, count: number, transactional = false): Buffer {
  const records = [...Array(count).keys()].map((i) => ({ value: Buffer.from(`seq ${baseSequence + i}`) }));
  return encodeBatch(records, { producerId, producerEpoch: epoch, baseSequence, transactional });
}

/** A COMMIT (1) or ABORT (0) marker, as the transaction coordinator writes it. */
function marker(producerId: number, epoch: number, type: 0 | 1): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type, 2);
  const b = encodeBatch([{ key, value: Buffer.alloc(6) }], { producerId, producerEpoch: epoch, baseSequence: -1, transactional: true });
  b.writeInt16BE(b.readInt16BE(21) | Attr.Control, 21);
  writeCrc(b, 0);
  return b;
}

class Harness {
  readonly log = new MemoryLog(LOG_CONFIG);
  state = new ProducerStateManager();

  /** Checks, and appends when the check says so; returns the check and the base offset it got. */
  produce(batches: Buffer): { check: ProduceCheck; baseOffset: number } {
    const check = this.state.checkProduce(batches);
    if (check.kind !== 'append') return { check, baseOffset: -1 };
    const { baseOffset } = this.log.append(batches, 0);
    this.state.onAppended(batches, 1000);
    return { check, baseOffset };
  }

  /** Appends without a check, as the coordinator writes markers. */
  write(batches: Buffer, nowMs = 1000) {
    this.log.append(batches, 0);
    return this.state.onAppended(batches, nowMs);
  }
}

function rejected(check: ProduceCheck): number {
  assert.equal(check.kind, 'reject', `expected a rejection, got ${JSON.stringify(check)}`);
  return (check as { errorCode: number }).errorCode;
}

test('batches in sequence are appended; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER and leaves the state as it was', () => {
  const h = new Harness();
  assert.equal(h.produce(batch(7, 0, 0, 3)).baseOffset, 0);
  assert.equal(h.produce(batch(7, 0, 3, 2)).baseOffset, 3);
  assert.equal(rejected(h.produce(batch(7, 0, 6, 1)).check), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(rejected(h.produce(batch(7, 0, 4, 1)).check), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'overlaps the last batch without equalling it');
  assert.equal(h.produce(batch(7, 0, 5, 1)).baseOffset, 5);
  assert.deepEqual(
    h.state.entry(7)?.batches.map((b) => [b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset]),
    [
      [0, 2, 0, 2],
      [3, 4, 3, 4],
      [5, 5, 5, 5],
    ],
  );
});

test('each of the last five batches is recognised as a duplicate with its original offsets; the sixth-oldest no longer is', () => {
  const h = new Harness();
  // Another producer's records in between, so offsets and sequences differ.
  for (let i = 0; i < 6; i++) {
    h.produce(batch(1, 0, i * 2, 2));
    h.produce(batch(2, 0, i, 1));
  }
  const retained = h.state.entry(1)!.batches;
  assert.equal(retained.length, NUM_BATCHES_TO_RETAIN);
  for (let i = 1; i < 6; i++) {
    const check = h.produce(batch(1, 0, i * 2, 2)).check;
    assert.equal(check.kind, 'duplicate', `batch ${i}`);
    if (check.kind === 'duplicate') assert.deepEqual([check.batch.firstOffset, check.batch.lastOffset], [i * 3, i * 3 + 1]);
  }
  assert.equal(rejected(h.produce(batch(1, 0, 0, 2)).check), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'batch 0 fell out of the window');
  assert.equal(h.log.logEndOffset, 18, 'no duplicate was appended');
});

test('an older epoch is INVALID_PRODUCER_EPOCH; a newer one must start at sequence 0 and forgets the old batches', () => {
  const h = new Harness();
  h.produce(batch(3, 4, 0, 2));
  assert.equal(rejected(h.produce(batch(3, 3, 2, 1)).check), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(rejected(h.produce(batch(3, 3, 0, 2)).check), ErrorCode.INVALID_PRODUCER_EPOCH, 'a copy of an old-epoch batch is no duplicate');
  assert.equal(rejected(h.produce(batch(3, 5, 2, 1)).check), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(h.produce(batch(3, 5, 0, 1)).baseOffset, 2);
  assert.equal(h.state.entry(3)?.epoch, 5);
  assert.equal(h.state.entry(3)?.batches.length, 1);
  assert.equal(rejected(h.produce(batch(3, 4, 2, 1)).check), ErrorCode.INVALID_PRODUCER_EPOCH, 'the old epoch stays fenced');
});

test('a producer this partition does not know may start at any sequence (its state may have expired)', () => {
  const h = new Harness();
  assert.equal(h.produce(batch(9, 2, 1234, 3)).check.kind, 'append');
  assert.equal(rejected(h.produce(batch(9, 2, 1238, 1)).check), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(h.produce(batch(9, 2, 1237, 1)).check.kind, 'append');
});

test('sequences wrap after Int32 max to 0, inside a batch and between batches', () => {
  assert.equal(incrementSequence(INT32_MAX - 1, 3), 1);
  assert.equal(incrementSequence(5, 3), 8);
  const h = new Harness();
  h.produce(batch(4, 0, INT32_MAX - 2, 2));
  assert.equal(h.state.entry(4)?.batches[0].lastSeq, INT32_MAX - 1);
  h.produce(batch(4, 0, INT32_MAX, 3));
  assert.deepEqual([h.state.entry(4)?.batches[1].firstSeq, h.state.entry(4)?.batches[1].lastSeq], [INT32_MAX, 1]);
  assert.equal(h.produce(batch(4, 0, INT32_MAX, 3)).check.kind, 'duplicate', 'a wrapped batch is recognised again');
  assert.equal(h.produce(batch(4, 0, 2, 1)).check.kind, 'append');
  assert.equal(rejected(h.produce(batch(4, 0, 0, 1)).check), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
});

test('several batches in one request are checked against each other', () => {
  const h = new Harness();
  h.produce(batch(5, 0, 0, 1));
  assert.equal(h.produce(Buffer.concat([batch(5, 0, 1, 2), batch(6, 0, 0, 1), batch(5, 0, 3, 1)])).baseOffset, 1);
  assert.equal(h.state.entry(5)?.batches.at(-1)?.lastOffset, 4);
  assert.equal(rejected(h.produce(Buffer.concat([batch(5, 0, 4, 1), batch(5, 0, 6, 1)])).check), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(h.log.logEndOffset, 5, 'a rejected request appends none of its batches');
});

test('batches without a producer id leave no trace; a negative sequence with a producer id is INVALID_RECORD', () => {
  const h = new Harness();
  h.produce(encodeBatch([{ value: Buffer.from('plain') }]));
  assert.equal(h.state.size, 0);
  assert.equal(h.state.dirty, false);
  assert.equal(rejected(h.produce(batch(8, 0, -1, 1)).check), ErrorCode.INVALID_RECORD);
});

test('a transaction opens at its first batch and closes at its marker; non-transactional writes meanwhile are INVALID_TXN_STATE', () => {
  const h = new Harness();
  h.produce(batch(10, 0, 0, 2));
  h.produce(batch(11, 1, 0, 2, true));
  h.produce(batch(10, 0, 2, 1));
  h.produce(batch(11, 1, 2, 1, true));
  assert.equal(h.state.entry(11)?.currentTxnFirstOffset, 2);
  assert.equal(h.state.firstUnstableOffset(), 2);
  assert.equal(rejected(h.produce(batch(11, 1, 3, 1)).check), ErrorCode.INVALID_TXN_STATE);
  assert.deepEqual(h.write(marker(11, 1, 1)), [{ producerId: 11, firstOffset: 2, markerOffset: 6 }]);
  assert.equal(h.state.entry(11)?.currentTxnFirstOffset, -1);
  assert.equal(h.state.firstUnstableOffset(), -1);
  assert.equal(h.produce(batch(11, 1, 3, 1)).check.kind, 'append', 'after the marker, sequences go on');
});

test('an abort marker with a bumped epoch fences the producer it aborted', () => {
  const h = new Harness();
  h.produce(batch(12, 0, 0, 1, true));
  h.write(marker(12, 1, 0));
  assert.equal(h.state.entry(12)?.epoch, 1);
  assert.equal(rejected(h.produce(batch(12, 0, 1, 1, true)).check), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(h.produce(batch(12, 1, 0, 1, true)).check.kind, 'append');
});

test('producers idle past the expiration are forgotten, unless a transaction is open', () => {
  const h = new Harness();
  h.write(batch(20, 0, 0, 1), 1_000);
  h.write(batch(21, 0, 0, 1, true), 1_000);
  h.write(batch(22, 0, 0, 1), 5_000);
  h.state.markSnapshotted();
  assert.equal(h.state.removeExpired(6_000, 4_500), 1);
  assert.deepEqual([...h.state.entries()].map((e) => e.producerId).sort(), [21, 22]);
  assert.equal(h.state.dirty, true);
});

test('a snapshot round trip keeps epochs, batches, open transactions and duplicates', () => {
  const h = new Harness();
  for (let i = 0; i < 7; i++) h.produce(batch(30, 2, i, 1));
  h.produce(batch(31, 0, 0, 2, true));
  const snapshot = JSON.parse(JSON.stringify(h.state.toSnapshot(h.log.logEndOffset)));
  assert.equal(snapshot.offset, 9);
  const restored = new ProducerStateManager();
  restored.restore(snapshot);
  assert.deepEqual([...restored.entries()], [...h.state.entries()]);
  assert.equal(restored.checkProduce(batch(30, 2, 6, 1)).kind, 'duplicate');
  assert.equal(restored.firstUnstableOffset(), 7);
  assert.throws(() => restored.restore({ offset: 0, producers: [[1, 2, 3] as never] }), TypeError);
  assert.equal(restored.size, 2, 'a malformed snapshot changes nothing');
});
