// Buffers of answered batches, kept for the next batches to encode into (as
// Kafka's producer pools its batch buffers): a batch then starts with room
// that earlier batches grew to, instead of a small buffer doubled, copied and
// left to the garbage collector on every batch. A buffer comes back only after
// its batch's Produce request was answered (so the socket is done with it) and
// the pool holds at most `maxBytes`.

const SMALLEST_BYTES = 16 * 1024;

export class BatchBufferPool {
  private readonly free: Buffer[] = [];
  private pooledBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** A buffer for a new batch: the most recently returned one, or a new one of 16 KiB (at most `limitBytes`). */
  take(limitBytes: number): Buffer {
    const buf = this.free.pop();
    if (buf) {
      this.pooledBytes -= buf.length;
      return buf;
    }
    return Buffer.allocUnsafe(Math.min(limitBytes, SMALLEST_BYTES));
  }

  /** Takes back a buffer no one reads or writes any more. */
  give(buf: Buffer): void {
    if (this.pooledBytes + buf.length > this.maxBytes) return;
    this.pooledBytes += buf.length;
    this.free.push(buf);
  }
}
