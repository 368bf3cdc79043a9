// The records of one share-partition between its start offset and its end
// offset (KIP-932's SPSO and SPEO), as runs of offsets that share a state,
// a delivery count and, while acquired, a holder:
//
//   start                                                         end
//     │ 40-41 Acked │ 42-57 Acquired by m1 #1 │ 58 Available #2 │ 59-80 Archived │
//
// Runs are sorted, contiguous from the start offset to the end offset, and
// adjacent runs that are equal in everything merge, so a queue that is mostly
// acknowledged in order costs a handful of runs, never an object per record.
// Changing part of a run splits it. The owner (SharePartition) keeps the first
// run from being Acknowledged or Archived by moving the start offset past it.

/** A record's state in a share group, with Kafka's persisted codes where it has them (0, 2, 4). */
export enum DeliveryState {
  Available = 0,
  Acquired = 1,
  Acknowledged = 2,
  Archived = 4,
}

export interface RecordRun {
  first: number;
  last: number;
  state: DeliveryState;
  /** Deliveries so far: raised at each acquisition. */
  deliveryCount: number;
  /** While Acquired: the member holding the records and the acquisition that will expire. */
  holder: string | null;
  acquisition: number;
  /** Not deliverable before this time (ms since the epoch; 0: now). */
  notBefore: number;
}

export type RunChange = Partial<Omit<RecordRun, 'first' | 'last'>>;

const NO_CHANGE: RunChange = {};

/**
 * `run` over first..last with `change` applied. Written out field by field: a
 * literal that starts with a spread and adds fields gets a hidden class of its
 * own in V8 each time (slow to build, garbage for the GC).
 */
const piece = (run: RecordRun, first: number, last: number, change: RunChange): RecordRun => ({
  first,
  last,
  state: change.state ?? run.state,
  deliveryCount: change.deliveryCount ?? run.deliveryCount,
  holder: change.holder !== undefined ? change.holder : run.holder,
  acquisition: change.acquisition ?? run.acquisition,
  notBefore: change.notBefore ?? run.notBefore,
});

const sameButOffsets = (a: RecordRun, b: RecordRun): boolean =>
  a.state === b.state && a.deliveryCount === b.deliveryCount && a.holder === b.holder && a.acquisition === b.acquisition && a.notBefore === b.notBefore;

export class InFlightRecords {
  private runs: RecordRun[] = [];

  constructor(private start: number) {}

  /** The first offset still tracked (SPSO). */
  get startOffset(): number {
    return this.start;
  }

  /** One past the last offset tracked (SPEO + 1): where new records are taken from. */
  get endOffset(): number {
    return this.runs.length === 0 ? this.start : this.runs[this.runs.length - 1].last + 1;
  }

  get runCount(): number {
    return this.runs.length;
  }

  /** The runs in offset order; callers must not mutate them. */
  all(): readonly RecordRun[] {
    return this.runs;
  }

  /** Appends `first`..`last` (which must start at the end offset) in the given state. */
  append(first: number, last: number, fields: Omit<RecordRun, 'first' | 'last'>): void {
    if (first !== this.endOffset || last < first) throw new RangeError(`append ${first}-${last} does not continue at ${this.endOffset}`);
    this.runs.push({ first, last, ...fields });
    this.mergeAround(this.runs.length - 1);
  }

  /**
   * Applies `change(run)` to every record in `first`..`last` (clipped to what is
   * tracked), splitting runs at the edges; `change` returns the fields to set, or
   * null to leave that run as it is. Returns the number of records changed.
   */
  update(first: number, last: number, change: (run: Readonly<RecordRun>) => RunChange | null): number {
    let changed = 0;
    let i = this.indexOf(Math.max(first, this.start));
    while (i < this.runs.length && this.runs[i].first <= last) {
      const run = this.runs[i];
      const fields = change(run);
      if (fields === null) {
        i++;
        continue;
      }
      const from = Math.max(first, run.first);
      const to = Math.min(last, run.last);
      const pieces: RecordRun[] = [];
      if (run.first < from) pieces.push(piece(run, run.first, from - 1, NO_CHANGE));
      pieces.push(piece(run, from, to, fields));
      if (to < run.last) pieces.push(piece(run, to + 1, run.last, NO_CHANGE));
      this.runs.splice(i, 1, ...pieces);
      changed += to - from + 1;
      i += pieces.length;
    }
    this.mergeAll();
    return changed;
  }

  /** Drops leading runs that are Acknowledged or Archived, moving the start offset past them; returns whether it moved. */
  advanceStart(): boolean {
    let n = 0;
    while (n < this.runs.length && (this.runs[n].state === DeliveryState.Acknowledged || this.runs[n].state === DeliveryState.Archived)) n++;
    if (n === 0) return false;
    this.start = this.runs[n - 1].last + 1;
    this.runs.splice(0, n);
    return true;
  }

  /** Forgets everything below `offset` (the log's start moved past it) and, when it is past the end, restarts there. */
  moveStartTo(offset: number): void {
    if (offset <= this.start) return;
    if (offset >= this.endOffset) {
      this.runs = [];
      this.start = offset;
      return;
    }
    this.update(this.start, offset - 1, () => ({ state: DeliveryState.Archived, holder: null }));
    this.advanceStart();
  }

  /** Index of the run holding `offset`, or of the first run after it. */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runs[mid].last < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private mergeAround(i: number): void {
    if (i > 0 && sameButOffsets(this.runs[i - 1], this.runs[i])) {
      this.runs[i - 1].last = this.runs[i].last;
      this.runs.splice(i, 1);
    }
  }

  private mergeAll(): void {
    const merged: RecordRun[] = [];
    for (const run of this.runs) {
      const prev = merged[merged.length - 1];
      if (prev !== undefined && sameButOffsets(prev, run)) prev.last = run.last;
      else merged.push(run);
    }
    this.runs = merged;
  }
}
