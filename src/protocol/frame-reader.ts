// Splits a TCP byte stream into Kafka frames (int32 size, then that many bytes).
// The size is checked against the limit before any byte of the body is kept,
// and the body is assembled only once it has fully arrived.

export class FrameTooLargeError extends Error {
  readonly code = 'SLUICE_ERR_FRAME_SIZE';
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes received; `next()` then returns the frames they complete. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next whole frame, or null until more bytes arrive. Frames come one at a
   * time, so the caller can answer those before a bad size and can stop taking
   * frames when it has enough in flight. Throws FrameTooLargeError on a bad size.
   */
  next(): Buffer | null {
    if (this.frameSize < 0) {
      if (this.buffered < 4) return null;
      const size = this.peekSize();
      if (size < 0 || size > this.maxFrameBytes) {
        throw new FrameTooLargeError(`frame size ${size} is outside 0..${this.maxFrameBytes} (socket.request.max.bytes)`);
      }
      this.consume(4);
      this.frameSize = size;
    }
    if (this.buffered < this.frameSize) return null;
    const frame = this.consume(this.frameSize);
    this.frameSize = -1;
    return frame;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peekSize(): number {
    const head = this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks);
    return head.readInt32BE(0);
  }

  private consume(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const take = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, take);
        filled += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }
}
