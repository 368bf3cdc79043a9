// Zigzag varints and int64s written straight into a buffer, on plain numbers.
// Offsets, timestamps and producer ids stay below 2^53, where doubles are
// exact, so no BigInt is needed (BigInt costs an allocation per call).

const TWO_32 = 4294967296;

/** Zigzag encoding of a signed integer (|v| < 2^52), as Kafka's varint/varlong use. */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Bytes the unsigned varint `u` takes. */
export function uvarintSize(u: number): number {
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Bytes the zigzag varint/varlong of `v` takes. */
export function varintSize(v: number): number {
  return uvarintSize(zigzag(v));
}

/** Writes the unsigned varint `u` at `pos`; returns the position after it. */
export function writeUvarint(buf: Buffer, pos: number, u: number): number {
  while (u > 0x7fffffff) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/** Writes the zigzag varint/varlong of `v` at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, v: number): number {
  return writeUvarint(buf, pos, zigzag(v));
}

/** Writes `v` (|v| < 2^53) as a big-endian int64 at `pos`. */
export function writeInt64(buf: Buffer, pos: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(v - high * TWO_32, pos + 4);
}
