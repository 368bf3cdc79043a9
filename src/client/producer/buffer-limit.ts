// The producer's bound on buffered bytes (bufferBytes, Kafka's buffer.memory).
// A record is charged when it enters a batch and released when its batch is
// answered. Callers that find no room wait in arrival order; a waiter's bytes
// are reserved as it is woken, so waking never overshoots the bound.
//
// Invariant: bufferedBytes <= limit.

export class BufferLimit {
  private buffered = 0;
  private readonly waiters: { bytes: number; wake: () => void }[] = [];

  constructor(readonly limit: number) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Charges `bytes` at once if there is room and nobody waits; false otherwise. Zero bytes need room for one. */
  tryCharge(bytes: number): boolean {
    if (this.waiters.length > 0 || this.buffered + Math.max(bytes, 1) > this.limit) return false;
    this.buffered += bytes;
    return true;
  }

  /** Resolves once `bytes` are charged, after everyone who waited before. */
  charge(bytes: number): Promise<void> {
    if (this.tryCharge(bytes)) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ bytes, wake }));
  }

  release(bytes: number): void {
    this.buffered -= bytes;
    while (this.waiters.length > 0 && this.buffered + Math.max(this.waiters[0].bytes, 1) <= this.limit) {
      const next = this.waiters.shift()!;
      this.buffered += next.bytes;
      next.wake();
    }
  }
}
