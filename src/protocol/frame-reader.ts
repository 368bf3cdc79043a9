// Splits a TCP byte stream into Kafka frames (int32 size, then that many bytes).
// The size is checked against the limit before any byte of the body is kept.
//
// A frame that arrives whole inside one chunk is returned as a view of it (no
// copy: the common case, many frames per read). A frame spread over chunks is
// copied into a body buffer as its bytes arrive, so the chunks themselves are
// not kept (a frame trickled in 1-byte reads would otherwise hold one Buffer
// object per byte). The body buffer grows by doubling up to the declared size,
// so it is never more than twice what was received: a client declaring a large
// frame and sending little of it costs little.
//
//   input:  [chunk][chunk]...   (what push() received and next() has not consumed)
//   state:  size (4 bytes, possibly split across chunks) -> body (filled of frameSize)

export class FrameTooLargeError extends Error {
  readonly code = 'SLUICE_ERR_FRAME_SIZE';
}

/** First capacity of a body buffer for a frame spread over chunks (bytes). */
const MIN_BODY_CAPACITY = 64 * 1024;

export class FrameReader {
  private readonly input: Buffer[] = [];
  /** Read position in input[0]. */
  private position = 0;
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** Declared size of the frame being read, or -1 while its size is. */
  private frameSize = -1;
  /** The frame's bytes so far when it spans chunks; null while none are copied. */
  private body: Buffer | null = null;
  private bodyFilled = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes received; `next()` then returns the frames they complete. */
  push(chunk: Buffer): void {
    if (chunk.length > 0) this.input.push(chunk);
  }

  /**
   * The next whole frame, or null until more bytes arrive. Frames come one at a
   * time, so the caller can answer those before a bad size and can stop taking
   * frames when it has enough in flight. Throws FrameTooLargeError on a bad size.
   */
  next(): Buffer | null {
    if (this.frameSize < 0 && !this.readSize()) return null;
    for (;;) {
      const needed = this.frameSize - this.bodyFilled;
      if (needed === 0) return this.finishFrame(this.body ?? Buffer.alloc(0));
      if (this.input.length === 0) return null;
      const chunk = this.input[0];
      const available = chunk.length - this.position;
      if (this.body === null && available >= needed) {
        const frame = chunk.subarray(this.position, this.position + needed);
        this.advance(needed);
        return this.finishFrame(frame);
      }
      const take = Math.min(available, needed);
      this.ensureCapacity(this.bodyFilled + take);
      chunk.copy(this.body as Buffer, this.bodyFilled, this.position, this.position + take);
      this.bodyFilled += take;
      this.advance(take);
    }
  }

  /** Reads and checks the 4-byte size; false until all four bytes are here. */
  private readSize(): boolean {
    while (this.sizeFilled < 4) {
      if (this.input.length === 0) return false;
      const chunk = this.input[0];
      if (this.sizeFilled === 0 && chunk.length - this.position >= 4) {
        this.frameSize = this.checkSize(chunk.readInt32BE(this.position));
        this.advance(4);
        return true;
      }
      this.sizeBytes[this.sizeFilled++] = chunk[this.position];
      this.advance(1);
    }
    this.frameSize = this.checkSize(this.sizeBytes.readInt32BE(0));
    return true;
  }

  private checkSize(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) {
      throw new FrameTooLargeError(`frame size ${size} is outside 0..${this.maxFrameBytes} (socket.request.max.bytes)`);
    }
    return size;
  }

  private ensureCapacity(needed: number): void {
    const capacity = this.body?.length ?? 0;
    if (needed <= capacity) return;
    const grown = Buffer.allocUnsafe(Math.min(this.frameSize, Math.max(needed, capacity * 2, MIN_BODY_CAPACITY)));
    if (this.body !== null) this.body.copy(grown, 0, 0, this.bodyFilled);
    this.body = grown;
  }

  private advance(n: number): void {
    this.position += n;
    if (this.position === this.input[0].length) {
      this.input.shift();
      this.position = 0;
    }
  }

  private finishFrame(frame: Buffer): Buffer {
    this.frameSize = -1;
    this.sizeFilled = 0;
    this.body = null;
    this.bodyFilled = 0;
    return frame;
  }
}
