// Turns a stream of records into few, large Produce requests while keeping
// input order, for `sluice produce`.
//
//   add() ──► pending ──(full, or lingerMs after the first record)──► send ──► acked
//
// At most one send is in flight: the next batch leaves only after the
// previous one was acknowledged, so records reach each partition in input
// order even if a request fails. While a send is in flight, pending keeps
// filling, so batches grow with load. add() waits (backpressure) only when
// pending is full and the previous send is still out.

import type { ProducerRecord } from '../client/producer.js';

export interface BatcherOptions {
  /** Records per request at most. */
  maxRecords: number;
  /** Approximate payload bytes (keys, values, headers) per request at most. */
  maxBytes: number;
  /** How long a partial batch waits for more records (ms). */
  lingerMs: number;
}

export class RecordBatcher {
  private pending: ProducerRecord[] = [];
  private pendingBytes = 0;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  /** Records the broker acknowledged (with acks=0: handed to the socket). */
  sent = 0;

  constructor(
    private readonly send: (records: ProducerRecord[]) => Promise<unknown>,
    private readonly options: BatcherOptions,
  ) {}

  async add(record: ProducerRecord): Promise<void> {
    this.throwIfFailed();
    this.pending.push(record);
    this.pendingBytes += payloadBytes(record);
    if (this.pending.length >= this.options.maxRecords || this.pendingBytes >= this.options.maxBytes) {
      await this.flush();
      this.throwIfFailed();
    } else {
      // flush() never rejects: a failed send is kept in `failure` and thrown from add() or close().
      this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs);
    }
  }

  /** Sends what is pending, waits for every acknowledgement, throws the first failure. */
  async close(): Promise<void> {
    await this.flush();
    while (this.inFlight) await this.inFlight;
    this.throwIfFailed();
  }

  /** Waits until nothing is in flight, then starts sending everything pending; resolves once started. */
  private async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight) await this.inFlight;
    if (this.pending.length === 0 || this.failure) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlight = this.send(batch)
      .then(
        () => {
          this.sent += batch.length;
        },
        (err: Error) => {
          this.failure ??= err;
        },
      )
      .finally(() => {
        this.inFlight = null;
      });
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

function payloadBytes(r: ProducerRecord): number {
  let n = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) n += h.key.length + (h.value?.length ?? 0);
  return n;
}
