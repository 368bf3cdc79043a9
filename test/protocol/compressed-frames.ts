// Builders for compressed containers whose layout a test needs to control
// byte by byte: snappy-java's xerial framing and zstd frames made of raw and
// RLE blocks. Written from the format descriptions, independently of
// src/protocol/compression.ts, so they can check it.

/** snappy-java framing: magic, version 1, compatible version 1, then [int32 BE length, raw snappy block]... */
export function xerialFrame(chunks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const parts: Buffer[] = [header];
  for (const chunk of chunks) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(chunk.length);
    parts.push(length, chunk);
  }
  return Buffer.concat(parts);
}

export type ZstdBlock = { raw: Buffer } | { rle: number; size: number };

/**
 * A zstd frame (RFC 8878 section 3.1.1) of raw and RLE blocks. Without
 * `contentSize` the header has no content size field, as a streaming
 * compressor writes it; the window descriptor then says 1 MiB.
 */
export function zstdFrame(blocks: ZstdBlock[], opts: { contentSize?: bigint } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];
  if (opts.contentSize === undefined) {
    // Descriptor 0: no content size, not single segment, no checksum, no dictionary.
    // Window descriptor: exponent 10 -> 2^(10+10) = 1 MiB, mantissa 0.
    parts.push(Buffer.from([0x00, 10 << 3]));
  } else {
    // Descriptor 0xC0: 8-byte content size; window descriptor still present.
    const fcs = Buffer.alloc(8);
    fcs.writeBigUInt64LE(opts.contentSize);
    parts.push(Buffer.from([0xc0, 10 << 3]), fcs);
  }
  blocks.forEach((block, i) => {
    const last = i === blocks.length - 1 ? 1 : 0;
    const [type, size, body] = 'raw' in block ? [0, block.raw.length, block.raw] : [1, block.size, Buffer.from([block.rle])];
    const header = (size << 3) | (type << 1) | last;
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), body);
  });
  return Buffer.concat(parts);
}
