// Compression codecs of Kafka record batches (attributes bits 0-2):
//   1 gzip   RFC 1952, one or more members               node:zlib
//   2 snappy raw block, or the Java client's xerial framing   snappy (napi-rs)
//   3 lz4    LZ4 frame format (not the raw block format)  lz4-napi
//   4 zstd   zstd frames (RFC 8878)                       @bokuweb/zstd-wasm
//
// Decompression runs on bytes from the network, so it is where a decompression
// bomb lands (snappy-java CVE-2023-34455 and CVE-2023-43642 allocated from
// unchecked lengths). Every path refuses output larger than `maxBytes`. Where a
// format states sizes before the data (snappy's length varint, zstd and lz4
// frame and block headers), this module reads them itself and refuses before
// the library allocates anything; gzip states nothing useful up front, so
// zlib's maxOutputLength stops it mid-stream instead.

import { compress as zstdCompress, decompress as zstdDecompress, init as zstdInit } from '@bokuweb/zstd-wasm';
import { compressFrameSync as lz4Compress, decompressFrameSync as lz4Decompress, uncompressSync as lz4Uncompress } from 'lz4-napi';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { Codec } from './record-batch.js';

// The zstd WASM module must be instantiated once before use; top-level await
// makes every importer wait for it, so no call can race the initialisation.
await zstdInit();

export class UnsupportedCodecError extends Error {
  readonly code = 'SLUICE_ERR_CODEC';
}

/**
 * Compressed bytes that cannot be decoded, or would decode to more than the
 * caller allows. The broker answers CORRUPT_MESSAGE for either; `tooLarge`
 * tells the two apart for logs and metrics.
 */
export class DecompressionError extends Error {
  readonly code = 'SLUICE_ERR_DECOMPRESS';
  readonly tooLarge: boolean;

  constructor(message: string, opts: { tooLarge?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DecompressionError';
    this.tooLarge = opts.tooLarge ?? false;
  }
}

function corrupt(message: string, cause?: unknown): DecompressionError {
  return new DecompressionError(message, { cause });
}

/** `size` may be a description ("more than 100") when the exact size is unknown. */
function tooLarge(codec: string, size: number | bigint | string, maxBytes: number): DecompressionError {
  return new DecompressionError(`${codec} output of ${size} bytes exceeds the limit of ${maxBytes}`, { tooLarge: true });
}

/** Kafka's default zstd level (compression.zstd.level), also librdkafka's. */
export const ZSTD_DEFAULT_LEVEL = 3;
/** Kafka's default gzip level (compression.gzip.level): zlib's own default, 6. */
export const GZIP_DEFAULT_LEVEL = -1;

/**
 * Compresses `data` with `codec`. `level` applies to gzip (-1, 1-9) and zstd
 * (-131072 to 22); snappy and lz4-napi's lz4 have a single level.
 */
export function compress(codec: Codec, data: Buffer, level?: number): Buffer {
  switch (codec) {
    case Codec.None:
      return data;
    case Codec.Gzip:
      return gzipSync(data, { level: level ?? GZIP_DEFAULT_LEVEL });
    case Codec.Snappy:
      // Raw block: what librdkafka and kafkajs-snappy write and every client reads.
      return snappyCompress(data);
    case Codec.Lz4:
      return lz4Compress(data);
    case Codec.Zstd:
      return asBuffer(zstdCompress(data, level ?? ZSTD_DEFAULT_LEVEL));
    default:
      throw new UnsupportedCodecError(`codec ${codec} is not supported`);
  }
}

/**
 * Decompresses `data`, refusing (DecompressionError, tooLarge) any output
 * larger than `maxBytes` and reporting undecodable input as DecompressionError.
 */
export function decompress(codec: Codec, data: Buffer, maxBytes: number): Buffer {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  if (codec === Codec.None) return data;
  let out: Buffer;
  try {
    switch (codec) {
      case Codec.Gzip:
        out = gunzipBounded(data, maxBytes);
        break;
      case Codec.Snappy:
        out = snappyBounded(data, maxBytes);
        break;
      case Codec.Lz4:
        out = lz4Bounded(data, maxBytes);
        break;
      case Codec.Zstd:
        out = zstdBounded(data, maxBytes);
        break;
      default:
        throw new UnsupportedCodecError(`codec ${codec} is not supported`);
    }
  } catch (err) {
    if (err instanceof DecompressionError || err instanceof UnsupportedCodecError) throw err;
    throw corrupt(`cannot decompress codec ${codec}: ${(err as Error).message}`, err);
  }
  // Belt and braces: the paths above already bound their output.
  if (out.length > maxBytes) throw tooLarge(`codec ${codec}`, out.length, maxBytes);
  return out;
}

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

// ---- gzip ---------------------------------------------------------------

function gunzipBounded(data: Buffer, maxBytes: number): Buffer {
  try {
    // maxOutputLength must be at least 1; a 0 limit is enforced by decompress's final check.
    return gunzipSync(data, { maxOutputLength: Math.max(maxBytes, 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', `more than ${maxBytes}`, maxBytes);
    throw corrupt(`gzip: ${(err as Error).message}`, err);
  }
}

// ---- snappy -------------------------------------------------------------
//
// Raw block:  uncompressed length (little-endian base-128 varint, <= 32 bits), then elements.
// Xerial framing (snappy-java's SnappyOutputStream, used by the Java client):
//   magic 82 53 4E 41 50 50 59 00 | version int32 | compatible version int32 |
//   then repeated: chunk length int32 big-endian | raw snappy block

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;

function snappyBounded(data: Buffer, maxBytes: number): Buffer {
  if (data.length >= XERIAL_HEADER_SIZE && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return xerialBounded(data, maxBytes);
  }
  return snappyBlock(data, 0, maxBytes);
}

function xerialBounded(data: Buffer, maxBytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (data.length - pos < 4) throw corrupt('snappy: truncated xerial chunk length');
    const size = data.readUInt32BE(pos);
    pos += 4;
    // The chunk length is checked against the bytes present, never trusted for allocation.
    if (size > data.length - pos) throw corrupt(`snappy: xerial chunk of ${size} bytes overruns the ${data.length - pos} left`);
    const part = snappyBlock(data.subarray(pos, pos + size), total, maxBytes);
    parts.push(part);
    total += part.length;
    pos += size;
  }
  return Buffer.concat(parts, total);
}

/** Decodes one raw snappy block, after checking that its declared length fits after `produced` bytes. */
function snappyBlock(block: Buffer, produced: number, maxBytes: number): Buffer {
  let declared = 0;
  let i = 0;
  for (;; i++) {
    if (i === block.length || i === 5) throw corrupt('snappy: bad uncompressed length varint');
    declared += (block[i] & 0x7f) * 2 ** (7 * i);
    if ((block[i] & 0x80) === 0) break;
  }
  if (produced + declared > maxBytes) throw tooLarge('snappy', produced === 0 ? declared : `at least ${produced + declared}`, maxBytes);
  const out = snappyUncompress(block, { asBuffer: true }) as Buffer;
  if (out.length !== declared) throw corrupt(`snappy: block declared ${declared} bytes but held ${out.length}`);
  return out;
}

// ---- lz4 ----------------------------------------------------------------
//
// Frame: magic 04 22 4D 18 | FLG | BD | [content size u64 LE] | [dict id u32] | header checksum u8
//   FLG bits: 7-6 version (01), 5 block independence, 4 block checksum,
//             3 content size present, 2 content checksum, 0 dict id present
//   BD bits 6-4: block max size (4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB)
// Blocks: size u32 LE (high bit set = stored uncompressed; 0 = end mark) | data | [checksum u32]
// After the end mark: [content checksum u32]. Skippable frames: magic 0x184D2A5x | size u32 LE | data.
//
// lz4-napi's frame decoder has no output limit, and the Java client and
// librdkafka omit the content size. So the headers are walked first: a
// compressed block yields at most its frame's block max size, and at most 255
// bytes per input byte (a match-length byte of 255 is LZ4's densest code).
// When that worst case fits the limit, which is the usual case, the frame
// decoder runs directly. Otherwise the blocks are first decoded one by one
// with lz4-napi's block decoder, each into a buffer capped at what the limit
// still allows, to learn the true size; only then does the frame decoder
// (which also verifies the checksums) run.

const LZ4_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MASK = 0xfffffff0;
const LZ4_MAX_RATIO = 255;
/** Linked blocks may refer back this far into the frame's earlier output. */
const LZ4_WINDOW = 64 * 1024;

interface Lz4Block {
  start: number;
  size: number;
  stored: boolean;
}

interface Lz4Frame {
  start: number;
  end: number;
  blockMax: number;
  linked: boolean;
  blocks: Lz4Block[];
  /** From the header, when present. */
  contentSize: bigint | null;
  /** Bytes the stored blocks certainly yield. */
  minSize: number;
  /** Most bytes the blocks can yield. */
  maxSize: number;
}

/**
 * lz4 and zstd frames may be interleaved with skippable frames (magic
 * 0x184D2A5?, then an int32 LE size): returns the position after the one at
 * `pos`, or null when no skippable frame starts there.
 */
function skipSkippableFrame(data: Buffer, pos: number, codec: string): number | null {
  if (((data.readUInt32LE(pos) & SKIPPABLE_MASK) >>> 0) !== SKIPPABLE_MAGIC) return null;
  if (data.length - pos < 8) throw corrupt(`${codec}: truncated skippable frame`);
  const end = pos + 8 + data.readUInt32LE(pos + 4);
  if (end > data.length) throw corrupt(`${codec}: truncated skippable frame`);
  return end;
}

function lz4BlockMax(bd: number): number {
  const id = (bd >> 4) & 0x07;
  if (id < 4) throw corrupt(`lz4: invalid block max size id ${id}`);
  return 1 << (8 + 2 * id);
}

function lz4Frames(data: Buffer, maxBytes: number): Lz4Frame[] {
  const frames: Lz4Frame[] = [];
  let pos = 0;
  const need = (n: number, what: string): void => {
    if (data.length - pos < n) throw corrupt(`lz4: truncated ${what}`);
  };
  while (pos < data.length) {
    need(4, 'magic');
    const magic = data.readUInt32LE(pos);
    const skipped = skipSkippableFrame(data, pos, 'lz4');
    if (skipped !== null) {
      pos = skipped;
      continue;
    }
    if (magic !== LZ4_MAGIC) throw corrupt(`lz4: bad frame magic 0x${magic.toString(16)}`);
    const start = pos;
    need(7, 'frame header');
    const flg = data[pos + 4];
    if (flg >> 6 !== 1) throw corrupt(`lz4: unsupported frame version ${flg >> 6}`);
    const blockMax = lz4BlockMax(data[pos + 5]);
    const blockChecksumSize = flg & 0x10 ? 4 : 0;
    pos += 6;
    let contentSize: bigint | null = null;
    if (flg & 0x08) {
      need(8, 'content size');
      contentSize = data.readBigUInt64LE(pos);
      if (contentSize > BigInt(maxBytes)) throw tooLarge('lz4', contentSize, maxBytes);
      pos += 8;
    }
    if (flg & 0x01) pos += 4; // dict id
    pos += 1; // header checksum, verified by the frame decoder
    const frame: Lz4Frame = { start, end: 0, blockMax, linked: (flg & 0x20) === 0, blocks: [], contentSize, minSize: 0, maxSize: 0 };
    for (;;) {
      need(4, 'block size');
      const word = data.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      const stored = word >>> 31 === 1;
      if (size > blockMax) throw corrupt(`lz4: block of ${size} bytes exceeds the frame's block max ${blockMax}`);
      need(size + blockChecksumSize, 'block');
      frame.blocks.push({ start: pos, size, stored });
      frame.minSize += stored ? size : 0;
      frame.maxSize += stored ? size : Math.min(blockMax, size * LZ4_MAX_RATIO);
      pos += size + blockChecksumSize;
    }
    if (flg & 0x04) {
      need(4, 'content checksum');
      pos += 4;
    }
    // A decoder may size its output from the declared content size: it must be one the blocks can produce.
    if (contentSize !== null && (contentSize > BigInt(frame.maxSize) || contentSize < BigInt(frame.minSize))) {
      throw corrupt(`lz4: content size ${contentSize} does not match blocks of ${frame.minSize}-${frame.maxSize} bytes`);
    }
    frame.end = pos;
    frames.push(frame);
  }
  return frames;
}

function lz4Bounded(data: Buffer, maxBytes: number): Buffer {
  const frames = lz4Frames(data, maxBytes);
  if (frames.length === 0) throw corrupt('lz4: no frame');
  const minSize = frames.reduce((sum, frame) => sum + frame.minSize, 0);
  if (minSize > maxBytes) throw tooLarge('lz4', `at least ${minSize}`, maxBytes);
  const maxSize = frames.reduce((sum, frame) => sum + frame.maxSize, 0);
  if (maxSize > maxBytes) lz4CheckSize(data, frames, maxBytes);
  // One call per frame: lz4-napi stops after the first frame and would drop the rest silently.
  const parts = frames.map((frame) => lz4Decompress(data.subarray(frame.start, frame.end)));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** Decodes block by block, never into more than the limit allows, and throws if the output would exceed it. */
function lz4CheckSize(data: Buffer, frames: Lz4Frame[], maxBytes: number): void {
  let total = 0;
  for (const frame of frames) {
    let window = Buffer.alloc(0);
    for (const block of frame.blocks) {
      const bytes = data.subarray(block.start, block.start + block.size);
      const cap = Math.min(frame.blockMax, maxBytes - total);
      let out: Buffer;
      if (block.stored) {
        out = bytes;
      } else {
        const dict = frame.linked && window.length > 0 ? window : undefined;
        try {
          out = lz4DecodeBlock(bytes, cap, dict);
        } catch (err) {
          if (cap === frame.blockMax) throw corrupt(`lz4: ${(err as Error).message}`, err);
          // Tell "larger than the limit" from "corrupt" by decoding once more with the
          // block's own maximum, which is at most 4 MiB.
          lz4DecodeBlock(bytes, frame.blockMax, dict);
          throw tooLarge('lz4', `more than ${maxBytes}`, maxBytes);
        }
      }
      total += out.length;
      if (total > maxBytes) throw tooLarge('lz4', `more than ${maxBytes}`, maxBytes);
      if (frame.linked) window = Buffer.concat([window, out]).subarray(-LZ4_WINDOW);
    }
  }
}

/** One raw LZ4 block into at most `cap` bytes; lz4-napi's block decoder takes the capacity as a 4-byte prefix. */
function lz4DecodeBlock(block: Buffer, cap: number, dict: Buffer | undefined): Buffer {
  const prefixed = Buffer.allocUnsafe(4 + block.length);
  prefixed.writeUInt32LE(cap, 0);
  block.copy(prefixed, 4);
  return lz4Uncompress(prefixed, dict);
}

// ---- zstd ---------------------------------------------------------------
//
// Frame: magic 28 B5 2F FD | descriptor | [window descriptor] | [dict id] | [content size] | blocks | [checksum u32]
//   descriptor bits: 7-6 content size field size flag, 5 single segment,
//                    3 reserved (0), 2 checksum present, 1-0 dict id size (0, 1, 2, 4 bytes)
//   content size field: flag 0 -> 1 byte if single segment else absent; 1 -> 2 bytes (+256); 2 -> 4; 3 -> 8
// Block header (3 bytes LE): bit 0 last block, bits 1-2 type (raw, RLE, compressed, reserved), bits 3-23 size.
//   raw: size bytes follow; RLE: one byte follows, repeated size times; compressed: size bytes follow.
// No block regenerates more than 128 KiB.
//
// Streaming compressors (the Java client's zstd-jni ZstdOutputStream among
// them) leave the content size out, so it cannot be required. The WASM
// decoder decodes into a buffer we size: the frame's content size when it has
// one, otherwise the smaller of what its blocks can regenerate and the
// remaining budget. Output that does not fit fails inside the decoder.

const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_BLOCK_MAX = 128 * 1024;
/** ZSTD_error_dstSize_tooSmall, as the WASM wrapper reports it ("... with code -70"). */
const ZSTD_DST_TOO_SMALL = /code -70\b/;

interface ZstdFrame {
  start: number;
  end: number;
  contentSize: bigint | null;
  /** Bytes the raw and RLE blocks certainly regenerate. */
  minSize: number;
  /** Most bytes the blocks can regenerate. */
  maxSize: number;
}

function zstdFrames(data: Buffer): ZstdFrame[] {
  const frames: ZstdFrame[] = [];
  let pos = 0;
  const need = (n: number, what: string): void => {
    if (data.length - pos < n) throw corrupt(`zstd: truncated ${what}`);
  };
  while (pos < data.length) {
    need(4, 'magic');
    const magic = data.readUInt32LE(pos);
    const skipped = skipSkippableFrame(data, pos, 'zstd');
    if (skipped !== null) {
      pos = skipped;
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw corrupt(`zstd: bad frame magic 0x${magic.toString(16)}`);
    const start = pos;
    pos += 4;
    need(1, 'frame header');
    const fhd = data[pos++];
    if (fhd & 0x08) throw corrupt('zstd: reserved frame header bit set');
    const singleSegment = (fhd >> 5) & 1;
    if (!singleSegment) pos++; // window descriptor
    const dictIdSize = [0, 1, 2, 4][fhd & 0x03];
    need(dictIdSize, 'frame header');
    // Kafka never uses dictionaries, and the decoder has none to offer.
    if (dictIdSize > 0 && data.readUIntLE(pos, dictIdSize) !== 0) throw corrupt('zstd: frames needing a dictionary are not supported');
    pos += dictIdSize;
    const fcsFlag = fhd >> 6;
    const fcsSize = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    need(fcsSize, 'frame header');
    let contentSize: bigint | null = null;
    if (fcsSize === 1) contentSize = BigInt(data[pos]);
    else if (fcsSize === 2) contentSize = BigInt(data.readUInt16LE(pos) + 256);
    else if (fcsSize === 4) contentSize = BigInt(data.readUInt32LE(pos));
    else if (fcsSize === 8) contentSize = data.readBigUInt64LE(pos);
    pos += fcsSize;
    let minSize = 0;
    let maxSize = 0;
    for (let last = false; !last; ) {
      need(3, 'block header');
      const header = data[pos] | (data[pos + 1] << 8) | (data[pos + 2] << 16);
      pos += 3;
      last = (header & 1) === 1;
      const type = (header >> 1) & 0x03;
      const size = header >>> 3;
      if (size > ZSTD_BLOCK_MAX) throw corrupt(`zstd: block of ${size} bytes exceeds 128 KiB`);
      if (type === 0) {
        need(size, 'raw block');
        pos += size;
        minSize += size;
        maxSize += size;
      } else if (type === 1) {
        need(1, 'RLE block');
        pos += 1;
        minSize += size;
        maxSize += size;
      } else if (type === 2) {
        need(size, 'compressed block');
        pos += size;
        maxSize += ZSTD_BLOCK_MAX;
      } else {
        throw corrupt('zstd: reserved block type');
      }
    }
    if (fhd & 0x04) {
      need(4, 'checksum');
      pos += 4;
    }
    frames.push({ start, end: pos, contentSize, minSize, maxSize });
  }
  return frames;
}

function zstdBounded(data: Buffer, maxBytes: number): Buffer {
  const frames = zstdFrames(data);
  if (frames.length === 0) throw corrupt('zstd: no frame');
  const parts: Buffer[] = [];
  let total = 0;
  for (const frame of frames) {
    const budget = maxBytes - total;
    if (frame.contentSize !== null && frame.contentSize > BigInt(budget)) throw tooLarge('zstd', frame.contentSize, maxBytes);
    if (frame.minSize > budget) throw tooLarge('zstd', `at least ${total + frame.minSize}`, maxBytes);
    // The declared size becomes the decode buffer: it must be one the blocks can regenerate.
    if (frame.contentSize !== null && (frame.contentSize > BigInt(frame.maxSize) || frame.contentSize < BigInt(frame.minSize))) {
      throw corrupt(`zstd: content size ${frame.contentSize} does not match blocks of ${frame.minSize}-${frame.maxSize} bytes`);
    }
    const capacity = frame.contentSize !== null ? Number(frame.contentSize) : Math.min(frame.maxSize, budget);
    let out: Buffer;
    try {
      out = asBuffer(zstdDecompress(data.subarray(frame.start, frame.end), { defaultHeapSize: capacity }));
    } catch (err) {
      // A frame without a content size that overflows a budget-limited buffer is too large, not corrupt.
      if (capacity === budget && ZSTD_DST_TOO_SMALL.test((err as Error).message)) {
        throw tooLarge('zstd', `more than ${budget}`, maxBytes);
      }
      throw corrupt(`zstd: ${(err as Error).message}`, err);
    }
    parts.push(out);
    total += out.length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
}
