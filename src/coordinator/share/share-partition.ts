// One partition as a share group sees it (KIP-932): which records members may
// take, who holds which, and what has been settled.
//
//   Available ──acquire──► Acquired(member, lock) ──accept / gap──► Acknowledged
//       ▲                       │   │                                     │
//       └── release, lock ──────┘   └──reject, or released at the ────► Archived
//           expiry, member gone          delivery count limit
//
// Every acquisition raises the records' delivery count and starts one lock
// timer (share.record.lock.duration.ms) on the injected clock; records still
// held when it fires go back, as when their member leaves. The start offset
// moves past settled records, so only the window in between is kept
// (in-flight-records.ts), bounded by maxInFlightRecords. Records may carry a
// time before which they are not delivered (a release with a delay, a
// delivery time: delivery-plan.ts); they do not hold back the records behind
// them. Records the group's filter does not pass are acknowledged as they are
// taken in, never delivered. All transitions are synchronous.

import type { Clock, Timer } from '../../clock.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { DeliveryRun } from './delivery-plan.js';
import { type ShareCounters, noCounters } from './share-figures.js';
import { DeliveryState, InFlightRecords, type RecordRun, type RunChange } from './in-flight-records.js';

/** ShareFetch/ShareAcknowledge acknowledgement types (Renew: KIP-1222, ShareAcknowledge v2). */
export enum AcknowledgeType {
  Gap = 0,
  Accept = 1,
  Release = 2,
  Reject = 3,
  Renew = 4,
}

/** Settings are read each time they are used: the coordinator passes getters, so changed group configs apply from then on. */
export interface SharePartitionOptions {
  clock: Clock;
  /** How long an acquisition holds its records (ms): share.record.lock.duration.ms, Kafka's default 30000. */
  lockDurationMs: number;
  /** Deliveries after which a released record is archived instead: share.delivery.count.limit, Kafka's default 5. */
  deliveryCountLimit: number;
  /** Records between the start and end offsets (acquired or not) before no new ones are taken: Kafka's group.share.partition.max.record.locks. */
  maxInFlightRecords: number;
  /** Records archived by a reject or at the delivery limit (dead letters are made from these). */
  onArchived?(first: number, last: number, reason: 'rejected' | 'delivery-limit', deliveryCount: number): void;
  /** Records became available (released or expired) or a full window moved on, so a waiting fetch may take some. */
  onAvailable?(): void;
}

/** A range handed to a member, as ShareFetch's AcquiredRecords. */
export interface AcquiredRecords {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

/** One acknowledgement batch: a type for the whole range, or one per offset. */
export interface AcknowledgementBatch {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
  /** Sluice's own: released records of this batch are redelivered no sooner than this (ms; 0 or absent: at once). */
  releaseDelayMs?: number;
}

/**
 * The longest release delay a batch may ask for (24 h): a retry later than
 * that is a job for a scheduler, not a lock table. Longer, or negative, is
 * INVALID_REQUEST.
 */
export const MAX_RELEASE_DELAY_MS = 24 * 60 * 60 * 1000;

/** The persisted form, as Kafka's ShareSnapshot value: acquired records are stored as available. */
export interface SharePartitionSnapshot {
  startOffset: number;
  /** Runs of the window; `notBefore` (ms since the epoch) on available records not deliverable before then (a release with a delay). */
  stateBatches: { firstOffset: number; lastOffset: number; deliveryState: DeliveryState; deliveryCount: number; notBefore?: number }[];
}

export interface RecordStateCounts {
  /** Deliverable now. */
  available: number;
  /** Available but not before a later time. */
  delayed: number;
  acquired: number;
  /** Settled records still inside the window (behind an unsettled one). */
  acknowledged: number;
  archived: number;
}

const UNHELD = { holder: null, acquisition: 0 } as const;

const dueNow = (first: number, last: number): DeliveryRun[] => [{ first, last, notBefore: 0, filteredOut: false }];

export class SharePartition {
  private readonly records: InFlightRecords;
  private readonly locks = new Map<number, Timer>();
  private nextAcquisition = 1;
  private readonly counted: ShareCounters = noCounters();

  constructor(
    startOffset: number,
    private readonly opts: SharePartitionOptions,
  ) {
    this.records = new InFlightRecords(startOffset);
  }

  static restore(snapshot: SharePartitionSnapshot, opts: SharePartitionOptions): SharePartition {
    const p = new SharePartition(snapshot.startOffset, opts);
    let next = snapshot.startOffset;
    for (const b of snapshot.stateBatches) {
      if (b.lastOffset < next) continue;
      const first = Math.max(b.firstOffset, next);
      // Offsets the snapshot does not mention were never delivered.
      if (first > next) p.records.append(next, first - 1, { state: DeliveryState.Available, deliveryCount: 0, ...UNHELD, notBefore: 0 });
      const state = b.deliveryState === DeliveryState.Acquired ? DeliveryState.Available : b.deliveryState;
      const notBefore = b.deliveryState === DeliveryState.Available ? (b.notBefore ?? 0) : 0;
      p.records.append(first, b.lastOffset, { state, deliveryCount: b.deliveryCount, ...UNHELD, notBefore });
      next = b.lastOffset + 1;
    }
    p.records.advanceStart();
    return p;
  }

  get startOffset(): number {
    return this.records.startOffset;
  }

  get endOffset(): number {
    return this.records.endOffset;
  }

  /**
   * Where a fetch for this partition should start reading: the first record
   * deliverable now inside the window, else the end offset (null when the
   * window is full and nothing in it is deliverable).
   */
  nextFetchOffset(): number | null {
    const now = this.opts.clock.now();
    for (const run of this.records.all()) if (this.deliverable(run, now)) return run.first;
    return this.windowFull() ? null : this.records.endOffset;
  }

  /** The earliest time a delayed record becomes deliverable, or null when none waits. */
  nextDelayEnd(): number | null {
    let earliest: number | null = null;
    const now = this.opts.clock.now();
    for (const run of this.records.all()) {
      if (run.state === DeliveryState.Available && run.notBefore > now && (earliest === null || run.notBefore < earliest)) earliest = run.notBefore;
    }
    return earliest;
  }

  /**
   * Acquires for `memberId` up to `maxRecords` records among `batches`: the
   * offset ranges of the data batches a log read returned, in offset order.
   * Offsets past the window's end that no batch covers (control batches,
   * compacted or aborted records) are archived, as there is nothing to deliver.
   * `planOf(first, last)` says when records never delivered may be (0: now)
   * and whether the group's filter passes them (runs covering
   * `first`..`last`): it is asked for new records, and for never-delivered
   * records inside the window whose time is not known (restored from a
   * snapshot, which keeps only times still to come). Records filtered out are acknowledged
   * without a delivery. Returns what was acquired, in offset order.
   */
  acquire(memberId: string, batches: { first: number; last: number }[], maxRecords: number, planOf: (first: number, last: number) => DeliveryRun[] = dueNow): AcquiredRecords[] {
    const now = this.opts.clock.now();
    const acquisition = this.nextAcquisition++;
    let budget = maxRecords;
    for (const b of batches) {
      if (budget <= 0) break;
      // Inside the window: records released earlier, or never taken.
      this.planUndelivered(b.first, Math.min(b.last, this.records.endOffset - 1), planOf, now);
      const insideLast = this.lastWithinBudget(b.first, Math.min(b.last, this.records.endOffset - 1), budget, now);
      if (b.first <= insideLast) {
        budget -= this.records.update(b.first, insideLast, (run): RunChange | null => (this.deliverable(run, now) ? { state: DeliveryState.Acquired, holder: memberId, acquisition, notBefore: 0, deliveryCount: run.deliveryCount + 1 } : null));
      }
      // Past the window: new records.
      if (b.last < this.records.endOffset) continue;
      if (this.windowFull()) break;
      if (b.first > this.records.endOffset) this.records.append(this.records.endOffset, b.first - 1, { state: DeliveryState.Archived, deliveryCount: 0, ...UNHELD, notBefore: 0 });
      // Records due later wait in the window, and those filtered out are settled at once; neither uses
      // budget, so the records behind them flow.
      while (budget > 0 && this.records.endOffset <= b.last && !this.windowFull()) {
        const from = this.records.endOffset;
        const to = Math.min(b.last, from + Math.min(budget, this.records.startOffset + this.opts.maxInFlightRecords - from) - 1);
        for (const t of planOf(from, to)) {
          if (t.filteredOut) {
            this.records.append(t.first, t.last, { state: DeliveryState.Acknowledged, deliveryCount: 0, ...UNHELD, notBefore: 0 });
            this.counted.filtered += t.last - t.first + 1;
            continue;
          }
          if (t.notBefore > now) {
            this.records.append(t.first, t.last, { state: DeliveryState.Available, deliveryCount: 0, ...UNHELD, notBefore: t.notBefore });
            continue;
          }
          this.records.append(t.first, t.last, { state: DeliveryState.Acquired, deliveryCount: 1, holder: memberId, acquisition, notBefore: 0 });
          budget -= t.last - t.first + 1;
        }
      }
    }
    const acquired = this.heldBy(acquisition);
    for (const r of acquired) if (r.deliveryCount > 1) this.counted.redeliveries += r.last - r.first + 1;
    if (acquired.length > 0) this.locks.set(acquisition, this.opts.clock.schedule(this.opts.lockDurationMs, () => this.expire(acquisition)));
    this.records.advanceStart();
    return acquired.map((r) => ({ firstOffset: r.first, lastOffset: r.last, deliveryCount: r.deliveryCount }));
  }

  /**
   * Archives `first`..`last`, offsets a read found nothing deliverable in
   * (control records, aborted transactions under read_committed): records of
   * them available in the window (delivered under another isolation level, then
   * given back) are never delivered again, and when they reach the window's end
   * it moves past them, so that the next read starts after them. Held records
   * stay with their member. Returns whether anything changed.
   */
  skipUndeliverable(first: number, last: number): boolean {
    const end = this.records.endOffset;
    const insideLast = Math.min(last, end - 1);
    let changed = insideLast >= first && this.records.update(first, insideLast, (run) => (run.state === DeliveryState.Available ? { state: DeliveryState.Archived, notBefore: 0 } : null)) > 0;
    if (first <= end && last >= end) {
      this.records.append(end, last, { state: DeliveryState.Archived, deliveryCount: 0, ...UNHELD, notBefore: 0 });
      changed = true;
    }
    this.records.advanceStart();
    return changed;
  }

  /**
   * Applies a member's acknowledgements; all or nothing. Every offset named
   * must be acquired by `memberId`, else INVALID_RECORD_STATE and nothing
   * changes. A batch's `releaseDelayMs` delays the redelivery of the records
   * it releases (their delivery count was raised when they were acquired).
   */
  acknowledge(memberId: string, batches: AcknowledgementBatch[]): number {
    for (const b of batches) {
      if (b.lastOffset < b.firstOffset) return ErrorCode.INVALID_REQUEST;
      const delay = b.releaseDelayMs ?? 0;
      if (!Number.isInteger(delay) || delay < 0 || delay > MAX_RELEASE_DELAY_MS) return ErrorCode.INVALID_REQUEST;
      const span = b.lastOffset - b.firstOffset + 1;
      if (b.acknowledgeTypes.length !== 1 && b.acknowledgeTypes.length !== span) return ErrorCode.INVALID_REQUEST;
      if (b.acknowledgeTypes.some((t) => t < AcknowledgeType.Gap || t > AcknowledgeType.Renew)) return ErrorCode.INVALID_REQUEST;
      if (!this.allHeldBy(memberId, b.firstOffset, b.lastOffset)) return ErrorCode.INVALID_RECORD_STATE;
    }
    let renewal: number | null = null;
    let released = false;
    for (const b of batches) {
      const types = b.acknowledgeTypes;
      for (let offset = b.firstOffset; offset <= b.lastOffset; ) {
        // A run of offsets with one type is applied as one update.
        const type = types.length === 1 ? types[0] : types[offset - b.firstOffset];
        let to = offset;
        if (types.length === 1) to = b.lastOffset;
        else while (to < b.lastOffset && types[to + 1 - b.firstOffset] === type) to++;
        if (type === AcknowledgeType.Renew) renewal ??= this.nextAcquisition++;
        released = this.settle(offset, to, type, b.releaseDelayMs ?? 0, renewal) || released;
        offset = to + 1;
      }
    }
    if (renewal !== null) this.locks.set(renewal, this.opts.clock.schedule(this.opts.lockDurationMs, () => this.expire(renewal)));
    this.afterChange(released);
    return ErrorCode.NONE;
  }

  /**
   * Whether `memberId` holds `offset` from the delivery numbered
   * `deliveryCount`: a record released (or expired) and taken again by the
   * same member is held from a later delivery, so a settlement naming the
   * earlier one is stale.
   */
  holds(memberId: string, offset: number, deliveryCount: number): boolean {
    if (offset < this.records.startOffset || offset >= this.records.endOffset) return false;
    const run = this.records.all().find((r) => r.first <= offset && offset <= r.last);
    return run !== undefined && run.state === DeliveryState.Acquired && run.holder === memberId && run.deliveryCount === deliveryCount;
  }

  /** A member left or its session ended: whatever it holds goes back. */
  releaseMember(memberId: string): void {
    let released = false;
    for (const run of [...this.records.all()]) {
      if (run.state === DeliveryState.Acquired && run.holder === memberId) released = this.giveBack(run.first, run.last, 0) || released;
    }
    this.afterChange(released);
  }

  /** The log's start moved (retention, DeleteRecords): records below it cannot be delivered. */
  moveStartTo(logStartOffset: number): void {
    this.records.moveStartTo(logStartOffset);
    this.dropIdleLocks();
  }

  /** Stops every lock timer (the partition is unloaded). */
  close(): void {
    for (const timer of this.locks.values()) timer.cancel();
    this.locks.clear();
  }

  /** The state to store: held records as available (their locks do not outlive a restart), delays still running kept. */
  snapshot(): SharePartitionSnapshot {
    const now = this.opts.clock.now();
    const stateBatches: SharePartitionSnapshot['stateBatches'] = [];
    for (const run of this.records.all()) {
      const deliveryState = run.state === DeliveryState.Acquired ? DeliveryState.Available : run.state;
      const notBefore = run.state === DeliveryState.Available && run.notBefore > now ? run.notBefore : 0;
      const prev = stateBatches[stateBatches.length - 1];
      if (prev && prev.deliveryState === deliveryState && prev.deliveryCount === run.deliveryCount && (prev.notBefore ?? 0) === notBefore) prev.lastOffset = run.last;
      else stateBatches.push({ firstOffset: run.first, lastOffset: run.last, deliveryState, deliveryCount: run.deliveryCount, ...(notBefore > 0 && { notBefore }) });
    }
    return { startOffset: this.records.startOffset, stateBatches };
  }

  stateCounts(): RecordStateCounts {
    const now = this.opts.clock.now();
    const f: RecordStateCounts = { available: 0, delayed: 0, acquired: 0, acknowledged: 0, archived: 0 };
    for (const run of this.records.all()) {
      const n = run.last - run.first + 1;
      if (run.state === DeliveryState.Available) {
        if (run.notBefore > now) f.delayed += n;
        else f.available += n;
      } else if (run.state === DeliveryState.Acquired) f.acquired += n;
      else if (run.state === DeliveryState.Acknowledged) f.acknowledged += n;
      else f.archived += n;
    }
    return f;
  }

  /** What this partition counted since it was loaded (share-figures.ts). */
  get counters(): Readonly<ShareCounters> {
    return this.counted;
  }

  /** Number of runs kept (how compact the state is). */
  get runCount(): number {
    return this.records.runCount;
  }

  // ---- transitions ----------------------------------------------------------------------------

  private settle(first: number, last: number, type: AcknowledgeType, releaseDelayMs: number, renewal: number | null): boolean {
    switch (type) {
      case AcknowledgeType.Accept:
      case AcknowledgeType.Gap:
        this.counted.acknowledged += this.records.update(first, last, () => ({ state: DeliveryState.Acknowledged, ...UNHELD }));
        return false;
      case AcknowledgeType.Reject:
        this.archive(first, last, 'rejected');
        return false;
      case AcknowledgeType.Release:
        return this.giveBack(first, last, releaseDelayMs);
      case AcknowledgeType.Renew:
        this.records.update(first, last, () => ({ acquisition: renewal! }));
        return false;
    }
  }

  /** Returns held records: available again (after `delayMs`), or archived once they reached the delivery limit. */
  private giveBack(first: number, last: number, delayMs: number): boolean {
    let released = false;
    const notBefore = delayMs > 0 ? this.opts.clock.now() + delayMs : 0;
    const spent: { first: number; last: number; count: number }[] = [];
    this.records.update(first, last, (run) => {
      if (run.state !== DeliveryState.Acquired) return null;
      if (run.deliveryCount >= this.opts.deliveryCountLimit) {
        spent.push({ first: Math.max(first, run.first), last: Math.min(last, run.last), count: run.deliveryCount });
        return { state: DeliveryState.Archived, ...UNHELD };
      }
      released = true;
      return { state: DeliveryState.Available, ...UNHELD, notBefore };
    });
    for (const s of spent) {
      this.counted.archived += s.last - s.first + 1;
      this.opts.onArchived?.(s.first, s.last, 'delivery-limit', s.count);
    }
    return released;
  }

  private archive(first: number, last: number, reason: 'rejected'): void {
    const archived: { first: number; last: number; count: number }[] = [];
    this.records.update(first, last, (run) => {
      archived.push({ first: Math.max(first, run.first), last: Math.min(last, run.last), count: run.deliveryCount });
      return { state: DeliveryState.Archived, ...UNHELD };
    });
    for (const a of archived) {
      this.counted.archived += a.last - a.first + 1;
      this.opts.onArchived?.(a.first, a.last, reason, a.count);
    }
  }

  private expire(acquisition: number): void {
    this.locks.delete(acquisition);
    let released = false;
    for (const run of this.heldBy(acquisition)) released = this.giveBack(run.first, run.last, 0) || released;
    this.afterChange(released);
  }

  private afterChange(released: boolean): void {
    const wasFull = this.windowFull();
    this.records.advanceStart();
    this.dropIdleLocks();
    // Records given back can be taken again, and a full window that moved on lets new ones be read:
    // either way fetches waiting for records look again (acknowledgements need not ride on a fetch).
    if (released || (wasFull && !this.windowFull())) this.opts.onAvailable?.();
  }

  // ---- queries --------------------------------------------------------------------------------

  private deliverable(run: RecordRun, now: number): boolean {
    return run.state === DeliveryState.Available && run.notBefore <= now;
  }

  /** Plans again the records in `first`..`last` that were never delivered and have no known time: filtered out, or due later. */
  private planUndelivered(first: number, last: number, planOf: (first: number, last: number) => DeliveryRun[], now: number): void {
    const untimed = this.records
      .all()
      .filter((r) => r.first <= last && r.last >= first && r.state === DeliveryState.Available && r.deliveryCount === 0 && r.notBefore === 0)
      .map((r) => ({ first: Math.max(first, r.first), last: Math.min(last, r.last) }));
    for (const u of untimed) {
      for (const t of planOf(u.first, u.last)) {
        if (t.filteredOut) this.counted.filtered += this.records.update(t.first, t.last, () => ({ state: DeliveryState.Acknowledged }));
        else if (t.notBefore > now) this.records.update(t.first, t.last, () => ({ notBefore: t.notBefore }));
      }
    }
  }

  private windowFull(): boolean {
    return this.records.endOffset - this.records.startOffset >= this.opts.maxInFlightRecords;
  }

  /** The last offset in `first`..`last` up to which at most `budget` records are deliverable now. */
  private lastWithinBudget(first: number, last: number, budget: number, now: number): number {
    let left = budget;
    for (const run of this.records.all()) {
      if (run.first > last) break;
      if (run.last < first || !this.deliverable(run, now)) continue;
      const from = Math.max(first, run.first);
      const size = Math.min(last, run.last) - from + 1;
      if (size >= left) return from + left - 1;
      left -= size;
    }
    return last;
  }

  private heldBy(acquisition: number): RecordRun[] {
    return this.records.all().filter((r) => r.state === DeliveryState.Acquired && r.acquisition === acquisition);
  }

  private allHeldBy(memberId: string, first: number, last: number): boolean {
    if (first < this.records.startOffset || last >= this.records.endOffset) return false;
    let next = first;
    for (const run of this.records.all()) {
      if (run.last < next) continue;
      if (run.first > last) break;
      if (run.state !== DeliveryState.Acquired || run.holder !== memberId) return false;
      next = run.last + 1;
    }
    return next > last;
  }

  /** Forgets lock timers whose acquisition no longer holds anything. */
  private dropIdleLocks(): void {
    const live = new Set(this.records.all().map((r) => r.acquisition));
    for (const [acquisition, timer] of this.locks) {
      if (live.has(acquisition)) continue;
      timer.cancel();
      this.locks.delete(acquisition);
    }
  }
}
