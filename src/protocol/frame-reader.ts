// Splits a TCP byte stream into Kafka frames (int32 size, then that many bytes).
// The size is checked against the limit before any byte of the body is kept.
//
// A frame that arrives whole inside one chunk is returned as a view of it (no
// copy: the common case, many frames per read). A frame spread over chunks is
// gathered as views of its large pieces and copied once, when complete; its small
// pieces (a frame trickled in 1-byte reads) are copied as they come into slabs,
// so no read's Buffer is kept for a few bytes. Either way a partial frame costs
// about what was received, never its declared size.
//
//   input:  [chunk][chunk]...          what push() received and next() has not consumed
//   frame:  size (4 bytes, possibly split) -> parts: [view][view][slab]...  (partBytes of frameSize)
export class FrameTooLargeError extends Error {
  readonly code = 'SLUICE_ERR_FRAME_SIZE';
}

/** Pieces smaller than this are copied into a slab instead of kept as views (bytes). */
const SMALL_PIECE = 4096;
/** Size of a slab gathering small pieces (bytes). */
const SLAB_BYTES = 16 * 1024;

export class FrameReader {
  private readonly input: Buffer[] = [];
  /** Read position in input[0]. */
  private position = 0;
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** Declared size of the frame being read, or -1 while its size is. */
  private frameSize = -1;
  /** The frame's bytes so far, in order, when it spans chunks. */
  private readonly parts: Buffer[] = [];
  private partBytes = 0;
  /** The last part while it gathers small pieces: filled up to slabFilled. */
  private slab: Buffer | null = null;
  private slabFilled = 0;

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
      const needed = this.frameSize - this.partBytes;
      if (needed === 0) return this.finishFrame(this.joinParts());
      if (this.input.length === 0) return null;
      const chunk = this.input[0];
      const take = Math.min(chunk.length - this.position, needed);
      if (this.partBytes === 0 && take === needed) {
        const frame = chunk.subarray(this.position, this.position + take);
        this.advance(take);
        return this.finishFrame(frame);
      }
      if (take < SMALL_PIECE) this.copyToSlab(chunk, take);
      else {
        this.closeSlab();
        this.parts.push(chunk.subarray(this.position, this.position + take));
      }
      this.partBytes += take;
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

  private copyToSlab(chunk: Buffer, n: number): void {
    let copied = 0;
    while (copied < n) {
      if (this.slab === null || this.slabFilled === this.slab.length) {
        this.closeSlab();
        // Never larger than what the frame still needs.
        this.slab = Buffer.allocUnsafe(Math.min(SLAB_BYTES, this.frameSize - this.partBytes - copied));
      }
      const k = Math.min(n - copied, this.slab.length - this.slabFilled);
      chunk.copy(this.slab, this.slabFilled, this.position + copied, this.position + copied + k);
      this.slabFilled += k;
      copied += k;
    }
  }

  /** Ends the slab being filled: it becomes a part of the bytes it holds. */
  private closeSlab(): void {
    if (this.slab === null) return;
    this.parts.push(this.slab.subarray(0, this.slabFilled));
    this.slab = null;
    this.slabFilled = 0;
  }

  private joinParts(): Buffer {
    this.closeSlab();
    if (this.parts.length === 1) return this.parts[0];
    return Buffer.concat(this.parts, this.frameSize);
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
    if (this.parts.length > 0) this.parts.length = 0;
    this.partBytes = 0;
    return frame;
  }
}
