// Reusable buffers for large frames and the reads a fetch answers with.
//
// A produce frame of a megabyte assembled into a fresh Buffer costs more than
// its copy: the allocator maps large blocks anew and hands them back to the
// kernel when they are freed, so every frame pays a page fault per 4 KiB on first
// touch, and V8 counts each one as external memory, which brings its collections
// sooner. A buffer given back and taken again is already mapped and warm.
//
//   take(size) -> a view of `size` bytes at the start of a block of the next power
//                 of two (the untouched rest costs no memory); below minBytes, an
//                 ordinary buffer that give() will ignore
//   give(view) -> its block goes back to the free list of its size, unless it is
//                 larger than 8 MiB or the free lists already hold maxFreeBytes (then
//                 the GC frees it)
//
// A block is lent to one frame at a time: whoever takes it must be done with every
// view into it before giving it back. A block never given back is the GC's.
/** Buffers from this size up are pooled (bytes). */
const POOLED_MIN_BYTES = 64 * 1024;
/** Idle blocks kept for reuse at most (bytes). */
const FREE_BYTES = 64 * 1024 * 1024;
/**
 * Largest block kept for reuse (bytes): frames and reads are mostly a megabyte or
 * less (clients' and followers' per-partition fetch sizes, producers' batch
 * limits); a rare larger one is left to the GC rather than held while idle.
 */
const MAX_KEPT_BLOCK_BYTES = 8 * 1024 * 1024;

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly lent = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;

  constructor(
    /** The smallest block (bytes): smaller buffers come from the ordinary allocator. */
    readonly minBytes = POOLED_MIN_BYTES,
    /** Bytes kept in the free lists at most. */
    private readonly maxFreeBytes = FREE_BYTES,
  ) {}

  /** A buffer of `size` bytes, uninitialised: the caller fills it. */
  readonly take = (size: number): Buffer => {
    if (size < this.minBytes) return Buffer.allocUnsafe(size);
    const blockBytes = blockSize(size);
    let block = this.free.get(blockBytes)?.pop();
    if (block) this.freeBytes -= blockBytes;
    else block = Buffer.allocUnsafeSlow(blockBytes).buffer as ArrayBuffer;
    this.lent.add(block);
    return Buffer.from(block, 0, size);
  };

  /** Takes back a buffer from take(); any other buffer is left alone. */
  give(view: Buffer): void {
    const block = view.buffer as ArrayBuffer;
    if (!this.lent.delete(block)) return;
    if (block.byteLength > MAX_KEPT_BLOCK_BYTES || this.freeBytes + block.byteLength > this.maxFreeBytes) return;
    let list = this.free.get(block.byteLength);
    if (!list) this.free.set(block.byteLength, (list = []));
    list.push(block);
    this.freeBytes += block.byteLength;
  }
}

function blockSize(bytes: number): number {
  return 2 ** Math.ceil(Math.log2(bytes));
}
