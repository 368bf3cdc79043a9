// Splits a socket's reads into Kafka frames (int32 size, then that many bytes),
// telling the socket where each read lands (net's `onread`: `target()` before a
// read, `received(n)` after it). A socket without `onread` (TLS) feeds its chunks
// through `push`, which copies them the same way.
//
// Reads between frames land in slabs, and every byte of a slab is read into
// once, so a frame handed out as a view of a slab stays valid for as long as it
// is held. A frame that does not arrive whole in one read gets a buffer of its
// own as soon as its size is known (from `allocate`, a pool for instance), and
// the kernel then reads the rest of it straight there: a 1 MB frame is neither
// gathered from sixteen 64 KiB reads nor copied again when complete.
//
// A size is checked against the limit before anything is allocated for it. A
// declared size above `upfrontMaxBytes` is not trusted with a buffer of its own:
// its bytes are kept as views of the slabs they landed in (contiguous reads share
// one view) and joined when complete, so such a frame costs what was received.
//
//   read -> slab: [..frame..][..frame..][size|start of frame]   -> views handed out
//   read -> own buffer of the frame in progress (upfront)       -> the buffer handed out when full
//   read -> slab, frame over upfrontMaxBytes: parts [view][view]... -> joined when full
export class FrameTooLargeError extends Error {
  readonly code = 'SLUICE_ERR_FRAME_SIZE';
}

/** Gives the buffer of `size` bytes that a frame arriving over several reads is read into. */
export type FrameAllocator = (size: number) => Buffer;

const allocateFresh: FrameAllocator = (size) => Buffer.allocUnsafe(size);

const SLAB_BYTES = 64 * 1024;
/** A read target smaller than this is not worth a read: a slab's tail is dropped for a new slab. */
const MIN_READ_BYTES = 4 * 1024;

export interface FrameReaderOptions {
  /** Largest frame accepted (bytes). */
  maxFrameBytes: number;
  /** Largest declared size given a buffer before its bytes arrive (bytes); maxFrameBytes when the peer is trusted. */
  upfrontMaxBytes?: number;
  /** Names the limit in the error for a size past it. */
  limitName: string;
  allocate?: FrameAllocator;
}

export class FrameReader {
  private readonly maxFrameBytes: number;
  private readonly upfrontMaxBytes: number;
  private readonly limitName: string;
  private readonly allocate: FrameAllocator;
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private slabUsed = 0;
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** Declared size of the frame in progress, or -1 between frames. */
  private frameSize = -1;
  /** The frame in progress in a buffer of its own, filled up to `filled`. */
  private own: Buffer | null = null;
  /** The frame in progress as views of slabs, when its size was not trusted up front. */
  private readonly parts: Buffer[] = [];
  private filled = 0;
  /** Whether the last target was the frame's own buffer (else the slab). */
  private readingOwn = false;

  constructor(
    options: FrameReaderOptions,
    private readonly onFrame: (frame: Buffer) => void,
  ) {
    this.maxFrameBytes = options.maxFrameBytes;
    this.upfrontMaxBytes = options.upfrontMaxBytes ?? options.maxFrameBytes;
    this.limitName = options.limitName;
    this.allocate = options.allocate ?? allocateFresh;
  }

  /** Where the next read should land. */
  target(): Buffer {
    const own = this.own;
    this.readingOwn = own !== null && own.length - this.filled >= MIN_READ_BYTES;
    if (this.readingOwn) return (own as Buffer).subarray(this.filled);
    if (this.slab.length - this.slabUsed < MIN_READ_BYTES) {
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.slabUsed = 0;
    }
    return this.slab.subarray(this.slabUsed);
  }

  /**
   * `n` bytes were read into the last target: hands out the frames they complete,
   * in order. Throws FrameTooLargeError on a bad size, after the frames before it.
   */
  received(n: number): void {
    if (this.readingOwn) {
      this.filled += n;
      this.completeOwn();
      return;
    }
    const chunk = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.frameSize < 0) {
        pos = this.readSize(chunk, pos);
        if (this.frameSize < 0) continue;
        const size = this.frameSize;
        if (chunk.length - pos >= size) {
          this.frameSize = -1;
          this.onFrame(chunk.subarray(pos, pos + size));
          pos += size;
          continue;
        }
        if (size <= this.upfrontMaxBytes) this.own = this.allocate(size);
      }
      const take = Math.min(chunk.length - pos, this.frameSize - this.filled);
      if (this.own !== null) {
        chunk.copy(this.own, this.filled, pos, pos + take);
        this.filled += take;
        this.completeOwn();
      } else {
        this.addPart(chunk.subarray(pos, pos + take));
      }
      pos += take;
    }
  }

  /** Feeds a chunk from a socket without `onread`: copied through target() and received(). */
  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const n = chunk.copy(this.target(), 0, pos);
      pos += n;
      this.received(n);
    }
  }

  /** Reads the size from chunk at pos, possibly over several reads; returns the position after what it took. */
  private readSize(chunk: Buffer, pos: number): number {
    let size: number;
    if (this.sizeFilled === 0 && chunk.length - pos >= 4) {
      size = chunk.readInt32BE(pos);
      pos += 4;
    } else {
      this.sizeBytes[this.sizeFilled++] = chunk[pos++];
      if (this.sizeFilled < 4) return pos;
      this.sizeFilled = 0;
      size = this.sizeBytes.readInt32BE(0);
    }
    if (size < 0 || size > this.maxFrameBytes) {
      throw new FrameTooLargeError(`frame size ${size} is outside 0..${this.maxFrameBytes} (${this.limitName})`);
    }
    this.frameSize = size;
    this.filled = 0;
    return pos;
  }

  private completeOwn(): void {
    const frame = this.own as Buffer;
    if (this.filled < frame.length) return;
    this.own = null;
    this.frameSize = -1;
    this.onFrame(frame);
  }

  /** A piece of an untrusted frame: contiguous with the last piece in the same slab, it extends that view. */
  private addPart(piece: Buffer): void {
    const last = this.parts[this.parts.length - 1];
    if (last !== undefined && last.buffer === piece.buffer && last.byteOffset + last.length === piece.byteOffset) {
      this.parts[this.parts.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + piece.length);
    } else {
      this.parts.push(piece);
    }
    this.filled += piece.length;
    if (this.filled < this.frameSize) return;
    const frame = Buffer.concat(this.parts, this.frameSize);
    this.parts.length = 0;
    this.frameSize = -1;
    this.onFrame(frame);
  }
}
