// Bytes of requests read and not yet answered, over all of a broker's connections
// (Kafka's queued.max.request.bytes). While the total is at or past the limit no
// connection takes another frame; connections waiting are woken when answers
// release enough. A frame is counted from its dispatch until its answer is
// handed to the socket (or its connection closes).

export class QueuedRequestBytes {
  private used = 0;
  private readonly waiting = new Set<() => void>();

  /** `limit`: bytes, or -1 for no limit. */
  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.limit >= 0 && this.used >= this.limit;
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    if (this.waiting.size === 0 || this.full) return;
    const wake = [...this.waiting];
    this.waiting.clear();
    for (const w of wake) w();
  }

  /** Calls `wake` once the total is below the limit again (it must check again: others may take first). */
  whenFree(wake: () => void): void {
    this.waiting.add(wake);
  }

  forget(wake: () => void): void {
    this.waiting.delete(wake);
  }
}
