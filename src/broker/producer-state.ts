// What one partition knows about the idempotent (and transactional) producers
// writing to it (KIP-98), as Kafka's ProducerStateManager keeps it:
//
//   producerId -> ProducerEntry
//     epoch                   the newest epoch seen here; older ones are fenced
//     batches                 the last NUM_BATCHES_TO_RETAIN batches of that epoch,
//                             oldest first: (firstSeq, lastSeq, firstOffset, lastOffset, timestamp)
//     currentTxnFirstOffset   first offset of the producer's open transaction here, -1 if none
//     lastUpdatedMs           broker time of its last append, for producer id expiration
//
// Two entry points, both synchronous and driven by the partition:
//   checkProduce(batches)  before a client's append: sequence and epoch rules, and
//                          duplicate detection; changes nothing
//   onAppended(batches)    after every append, whatever wrote it (clients, the
//                          transaction coordinator's markers, start-up replay):
//                          reads the headers the log just gave offsets to
// Only headers are read (producerId @43, epoch @51, baseSequence @53, lastOffsetDelta
// @23, attributes @21): a batch without a producer id (-1) costs one int32 read.
//
// Rules (Kafka's ProducerAppendInfo): an older epoch is INVALID_PRODUCER_EPOCH; a new
// epoch must start at sequence 0; otherwise the first sequence follows the last one
// (wrapping after Int32 max to 0), else OUT_OF_ORDER_SEQUENCE_NUMBER. A batch whose
// (epoch, firstSeq, lastSeq) equals a retained one is a duplicate: the caller answers
// NONE with the original offsets and appends nothing (never an error: Redpanda #5356
// answered UNKNOWN_SERVER_ERROR and set off KAFKA-14034). A producer this partition
// does not know may start at any sequence, since its state may have expired.
//
// Persistence lives in producer-state-store.ts (snapshot + replay of the log's headers).

import { ErrorCode } from '../protocol/error-codes.js';
import { Attr, LOG_OVERHEAD } from '../protocol/record-batch.js';

/** Batches retained per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN; clients keep at most 5 in flight). */
export const NUM_BATCHES_TO_RETAIN = 5;
export const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** The batch's max timestamp as stored (the append time on LogAppendTime topics); answered again for a duplicate. */
  timestamp: number;
}

export interface ProducerEntry {
  readonly producerId: number;
  epoch: number;
  /** Oldest first, all of `epoch`, at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  /** First offset of this producer's open transaction on this partition; -1 when none is open. */
  currentTxnFirstOffset: number;
  /** Broker time (ms) of the producer's last append here. */
  lastUpdatedMs: number;
}

export type ProduceCheck =
  | { kind: 'append' }
  /** Already in the log: answer NONE with `batch`'s offsets, append nothing. */
  | { kind: 'duplicate'; batch: BatchMetadata }
  | { kind: 'reject'; errorCode: number; message: string };

/** A transaction whose COMMIT or ABORT marker was just appended. */
export interface CompletedTxn {
  producerId: number;
  /** First offset of the transaction on this partition, or the marker's offset if nothing was written. */
  firstOffset: number;
  /** Offset of the marker. */
  markerOffset: number;
}

/** The snapshot shape (producer-state-store.ts writes it as JSON). */
export interface ProducerStateSnapshot {
  /** Log end offset the snapshot describes: the state after every batch below it. */
  offset: number;
  /** [producerId, epoch, currentTxnFirstOffset, lastUpdatedMs, [firstSeq, lastSeq, firstOffset, lastOffset, timestamp][]] */
  producers: [number, number, number, number, [number, number, number, number, number][]][];
}

const APPEND: ProduceCheck = { kind: 'append' };

/** `seq` advanced by `increment`, wrapping after Int32 max to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
export function incrementSequence(seq: number, increment: number): number {
  return seq > INT32_MAX - increment ? increment - (INT32_MAX - seq) - 1 : seq + increment;
}

/** Whether `next` directly follows `last`. */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (last === INT32_MAX && next === 0);
}

/** The producer id of the batch at `pos`, or -1; read as two int32 halves so no BigInt is made. */
function producerIdAt(buf: Buffer, pos: number): number {
  const high = buf.readInt32BE(pos + 43);
  if (high < 0) return -1;
  return high * 0x1_0000_0000 + buf.readUInt32BE(pos + 47);
}

function reject(errorCode: number, message: string): ProduceCheck {
  return { kind: 'reject', errorCode, message };
}

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  private changed = false;

  /** Producers known on this partition. */
  get size(): number {
    return this.producers.size;
  }

  /** True once anything changed since the last `markSnapshotted()`. */
  get dirty(): boolean {
    return this.changed;
  }

  markSnapshotted(): void {
    this.changed = false;
  }

  entry(producerId: number): Readonly<ProducerEntry> | undefined {
    return this.producers.get(producerId);
  }

  entries(): IterableIterator<Readonly<ProducerEntry>> {
    return this.producers.values();
  }

  /**
   * Checks the batches of one client produce (already validated: whole batches,
   * CRC, no control batches) against the producers' sequences and epochs.
   * Changes nothing. With several batches of one producer in a request, each is
   * checked against the one before it; the first duplicate decides (as Kafka).
   */
  checkProduce(batches: Buffer): ProduceCheck {
    // Batches of this request already checked, by producer: their epoch and last sequence.
    let pending: Map<number, { epoch: number; lastSeq: number; txn: boolean }> | null = null;
    for (let pos = 0; pos < batches.length; pos += LOG_OVERHEAD + batches.readInt32BE(pos + 8)) {
      const producerId = producerIdAt(batches, pos);
      if (producerId < 0) continue;
      const epoch = batches.readInt16BE(pos + 51);
      const firstSeq = batches.readInt32BE(pos + 53);
      const lastSeq = incrementSequence(firstSeq, batches.readInt32BE(pos + 23));
      const transactional = (batches.readInt16BE(pos + 21) & Attr.Transactional) !== 0;
      if (epoch < 0 || firstSeq < 0) {
        return reject(ErrorCode.INVALID_RECORD, `batch of producer ${producerId} has epoch ${epoch} and base sequence ${firstSeq}`);
      }
      const entry = this.producers.get(producerId);
      const earlier = pending?.get(producerId);
      const known = earlier ?? (entry && { epoch: entry.epoch, lastSeq: entry.batches.at(-1)?.lastSeq ?? -1, txn: entry.currentTxnFirstOffset >= 0 });
      if (known) {
        if (epoch < known.epoch) {
          return reject(ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${producerId} epoch ${epoch} is older than ${known.epoch}`);
        }
        if (epoch === known.epoch) {
          const duplicate = earlier ? undefined : entry?.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
          if (duplicate) return { kind: 'duplicate', batch: duplicate };
          if (!inSequence(known.lastSeq, firstSeq)) {
            return reject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${producerId} sent sequence ${firstSeq} after ${known.lastSeq}`);
          }
          if (known.txn && !transactional) {
            return reject(ErrorCode.INVALID_TXN_STATE, `producer ${producerId} wrote outside the transaction it has open`);
          }
        } else if (firstSeq !== 0) {
          return reject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${producerId} started epoch ${epoch} at sequence ${firstSeq}, not 0`);
        }
      }
      pending ??= new Map();
      pending.set(producerId, { epoch, lastSeq, txn: transactional || (known?.txn === true && epoch === known.epoch) });
    }
    return APPEND;
  }

  /**
   * Records the producers of batches just appended (base offsets assigned in
   * place). Data batches update sequences and open a transaction; COMMIT/ABORT
   * markers (control batches) close it and may raise the epoch (a coordinator
   * that aborted with a bumped epoch fences the old producer). Returns the
   * transactions the markers completed (empty for ordinary appends).
   */
  onAppended(batches: Buffer, nowMs: number): CompletedTxn[] {
    let completed: CompletedTxn[] | null = null;
    for (let pos = 0; pos < batches.length; pos += LOG_OVERHEAD + batches.readInt32BE(pos + 8)) {
      const producerId = producerIdAt(batches, pos);
      if (producerId < 0) continue;
      const baseOffset = Number(batches.readBigInt64BE(pos));
      const lastOffsetDelta = batches.readInt32BE(pos + 23);
      const attributes = batches.readInt16BE(pos + 21);
      const epoch = batches.readInt16BE(pos + 51);
      const entry = this.entryAt(producerId, epoch, nowMs);
      // Only a writer that skipped checkProduce could bring an older epoch; it must not rewind the entry.
      if (epoch < entry.epoch) continue;
      if (attributes & Attr.Control) {
        const txn = { producerId, firstOffset: entry.currentTxnFirstOffset >= 0 ? entry.currentTxnFirstOffset : baseOffset, markerOffset: baseOffset };
        (completed ??= []).push(txn);
        entry.currentTxnFirstOffset = -1;
        continue;
      }
      const firstSeq = batches.readInt32BE(pos + 53);
      entry.batches.push({
        firstSeq,
        lastSeq: incrementSequence(firstSeq, lastOffsetDelta),
        firstOffset: baseOffset,
        lastOffset: baseOffset + lastOffsetDelta,
        timestamp: Number(batches.readBigInt64BE(pos + 35)),
      });
      if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift();
      if (attributes & Attr.Transactional && entry.currentTxnFirstOffset < 0) entry.currentTxnFirstOffset = baseOffset;
    }
    return completed ?? [];
  }

  /** The entry for `producerId` moved to `epoch` (a newer epoch forgets the old one's batches). */
  private entryAt(producerId: number, epoch: number, nowMs: number): ProducerEntry {
    this.changed = true;
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = { producerId, epoch, batches: [], currentTxnFirstOffset: -1, lastUpdatedMs: nowMs };
      this.producers.set(producerId, entry);
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    entry.lastUpdatedMs = Math.max(entry.lastUpdatedMs, nowMs);
    return entry;
  }

  /** Producers with a transaction open on this partition, with its first offset. */
  *openTransactions(): IterableIterator<[number, number]> {
    for (const e of this.producers.values()) if (e.currentTxnFirstOffset >= 0) yield [e.producerId, e.currentTxnFirstOffset];
  }

  /** First offset of the earliest open transaction on this partition, or -1 when none is open. */
  firstUnstableOffset(): number {
    let first = -1;
    for (const e of this.producers.values()) {
      if (e.currentTxnFirstOffset >= 0 && (first < 0 || e.currentTxnFirstOffset < first)) first = e.currentTxnFirstOffset;
    }
    return first;
  }

  /**
   * Forgets producers idle for `expirationMs` without an open transaction
   * (Kafka's producer.id.expiration.ms). Returns how many were removed.
   */
  removeExpired(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && nowMs - e.lastUpdatedMs >= expirationMs) {
        this.producers.delete(id);
        removed++;
      }
    }
    if (removed > 0) this.changed = true;
    return removed;
  }

  /** The state after every batch below `offset` (the log end offset now). */
  toSnapshot(offset: number): ProducerStateSnapshot {
    const producers: ProducerStateSnapshot['producers'] = [];
    for (const e of this.producers.values()) {
      producers.push([e.producerId, e.epoch, e.currentTxnFirstOffset, e.lastUpdatedMs, e.batches.map((b) => [b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset, b.timestamp])]);
    }
    return { offset, producers };
  }

  /** Replaces the state with a snapshot's; throws TypeError (changing nothing) when the shape is wrong. */
  restore(snapshot: ProducerStateSnapshot): void {
    if (!Array.isArray(snapshot.producers)) throw new TypeError('producer state snapshot has no producer list');
    const loaded: ProducerEntry[] = [];
    for (const p of snapshot.producers) {
      if (!Array.isArray(p) || p.length !== 5 || !p.slice(0, 4).every(Number.isSafeInteger) || !Array.isArray(p[4])) {
        throw new TypeError('malformed producer in snapshot');
      }
      const [producerId, epoch, currentTxnFirstOffset, lastUpdatedMs, batches] = p;
      loaded.push({
        producerId,
        epoch,
        currentTxnFirstOffset,
        lastUpdatedMs,
        batches: batches.map((b) => {
          if (!Array.isArray(b) || b.length !== 5 || !b.every(Number.isSafeInteger)) throw new TypeError('malformed batch in snapshot');
          return { firstSeq: b[0], lastSeq: b[1], firstOffset: b[2], lastOffset: b[3], timestamp: b[4] };
        }),
      });
    }
    this.producers.clear();
    for (const e of loaded) this.producers.set(e.producerId, e);
    this.changed = false;
  }
}
