// Zigzag varints of the record format, read without result objects: each
// reader returns the number and leaves the position after it in `cursor`.
// Shared by the walks over a batch's records (record-scan.ts on the broker,
// the client's lazy decoding), whose loops run once per record.

import { MalformedFrameError } from './malformed-frame-error.js';

/** Position after the number the last varint / varlong call read (an ES live binding). */
export let cursor = 0;

/** Zigzag varint (32 bits) at body[pos]; throws MalformedFrameError when it runs past `end`. */
export function varint(body: Buffer, pos: number, end: number): number {
  let zigzag = 0;
  let shift = 0;
  let b: number;
  do {
    if (pos >= end || shift > 28) throw new MalformedFrameError('bad varint in a record');
    b = body[pos++];
    zigzag |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  cursor = pos;
  return (zigzag >>> 1) ^ -(zigzag & 1);
}

/** Zigzag varlong at body[pos] as a number (record deltas fit in 53 bits). */
export function varlong(body: Buffer, pos: number, end: number): number {
  let zigzag = 0;
  let scale = 1;
  let b: number;
  do {
    if (pos >= end || scale > 2 ** 63) throw new MalformedFrameError('bad varlong in a record');
    b = body[pos++];
    zigzag += (b & 0x7f) * scale;
    scale *= 128;
  } while (b & 0x80);
  cursor = pos;
  return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
}

/** Skips a varint length and that many bytes (-1 = null); returns the content start, or -1 for null. */
export function skipBytes(body: Buffer, pos: number, end: number): number {
  const n = varint(body, pos, end);
  const start = cursor;
  if (n < -1 || start + Math.max(n, 0) > end) throw new MalformedFrameError(`record field length ${n} overruns the record`);
  cursor = start + Math.max(n, 0);
  return n === -1 ? -1 : start;
}
