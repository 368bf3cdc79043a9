// Reads a broker's response frames (int32 size, then that many bytes) with
// net.connect's `onread`, which lets us say where each socket read lands. A
// frame that does not arrive whole in one read gets a buffer of its own, and
// the kernel then reads the rest of it straight there: a 1 MB fetch response
// is not gathered from sixteen 64 KiB reads and copied again when complete
// (that copy was a tenth of a consumer's CPU). Reads between frames land in
// shared slabs; each byte of a slab is read into once, so a frame handed out
// as a view of a slab stays valid.
//
// Unlike the broker's FrameReader (which must not trust a declared size), a
// client allocates a response's declared size as soon as it reads it: the
// size is checked against the client's limit first, and the broker is the
// peer the client chose.

import { FrameTooLargeError } from '../protocol/frame-reader.js';

const SLAB_BYTES = 64 * 1024;
/** A read target smaller than this is not worth a read: a slab's tail is dropped for a new slab. */
const MIN_READ_BYTES = 4 * 1024;

export class ResponseReader {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private slabUsed = 0;
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  /** The frame being completed in a buffer of its own, filled up to frameFilled. */
  private frame: Buffer | null = null;
  private frameFilled = 0;
  /** Whether the last target was the frame's own buffer (else the slab). */
  private readingFrame = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {}

  /** Where the next socket read should land. */
  target(): Buffer {
    const frame = this.frame;
    this.readingFrame = frame !== null && frame.length - this.frameFilled >= MIN_READ_BYTES;
    if (this.readingFrame) return (frame as Buffer).subarray(this.frameFilled);
    if (this.slab.length - this.slabUsed < MIN_READ_BYTES) {
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.slabUsed = 0;
    }
    return this.slab.subarray(this.slabUsed);
  }

  /** `n` bytes were read into the last target: hands out the frames they complete. Throws FrameTooLargeError on a bad size. */
  received(n: number): void {
    if (this.readingFrame) {
      this.frameFilled += n;
      this.completeFrame();
      return;
    }
    const chunk = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.frame === null) {
        let size: number;
        if (this.sizeFilled === 0 && chunk.length - pos >= 4) {
          size = chunk.readInt32BE(pos);
          pos += 4;
        } else {
          this.sizeBytes[this.sizeFilled++] = chunk[pos++];
          if (this.sizeFilled < 4) continue;
          this.sizeFilled = 0;
          size = this.sizeBytes.readInt32BE(0);
        }
        if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(`response frame size ${size} is outside 0..${this.maxFrameBytes}`);
        if (chunk.length - pos >= size) {
          this.onFrame(chunk.subarray(pos, pos + size));
          pos += size;
          continue;
        }
        this.frame = Buffer.allocUnsafe(size);
        this.frameFilled = 0;
      }
      const k = Math.min(chunk.length - pos, this.frame.length - this.frameFilled);
      chunk.copy(this.frame, this.frameFilled, pos, pos + k);
      this.frameFilled += k;
      pos += k;
      this.completeFrame();
    }
  }

  private completeFrame(): void {
    const frame = this.frame;
    if (frame === null || this.frameFilled < frame.length) return;
    this.frame = null;
    this.onFrame(frame);
  }
}
