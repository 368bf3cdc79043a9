// Seeded mutations of captured request frames. Frame `index` of a run is a
// pure function of (seed, index, corpus): its PRNG is seeded from both, so it
// does not depend on the frames before it. A corpus captured again differs in
// timestamps, ids and the number of polls, so a failure is replayed from the
// frames it saved (SLUICE_FUZZ_REPLAY), byte for byte, not from its seed alone.
//
// A frame is `int32 size | int16 apiKey | int16 apiVersion | int32 correlationId | ...`.
// Most mutations change the body and then write the true size back, so the
// broker reads the whole frame and its decoders meet the damage; a few leave
// a wrong size prefix (negative, zero, huge, off by some bytes).

import { prng } from '../helpers/seeded-random.js';

export interface MutatedFrame {
  /** The whole frame as sent, size prefix included. */
  bytes: Buffer;
  /** Which corpus frame it came from. */
  source: number;
  /** What was done, e.g. "int32 -1 @ 37, size ok". */
  mutation: string;
  /** Whether the size prefix still matches the body (the connection can carry on after it). */
  sizeValid: boolean;
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80];
const INTERESTING_INT16 = [-1, 0, 1, 0x7fff, -0x8000];
const INTERESTING_INT32 = [-1, 0, 1, 0x7fffffff, -0x80000000, 0x10000, 0x1000000];
const BAD_SIZES = [-1, 0, 0x7fffffff, -0x80000000, 3];
/** Share of frames whose size prefix is left wrong. */
const BAD_SIZE_SHARE = 0.03;
/** First body byte after api key, version and correlation id (the client id's length). */
const HEADER_FIXED_BYTES = 8;

type Rng = () => number;
const below = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[below(rng, xs.length)];

/** Each mutation edits a body (frame without size prefix) and says what it did. */
type Mutation = (body: Buffer, rng: Rng, corpus: readonly Buffer[]) => { body: Buffer; what: string };

const mutations: Mutation[] = [
  function bitFlips(body, rng) {
    const n = 1 + below(rng, 8);
    for (let i = 0; i < n && body.length > 0; i++) body[below(rng, body.length)] ^= 1 << below(rng, 8);
    return { body, what: `${n} bit flips` };
  },
  function interestingByte(body, rng) {
    const at = below(rng, body.length);
    const v = pick(rng, INTERESTING_BYTES);
    if (body.length > 0) body[at] = v;
    return { body, what: `byte 0x${v.toString(16)} @ ${at}` };
  },
  function lengthField(body, rng) {
    // An int16 (string length) or int32 (bytes or array length) set to a value decoders must refuse or bound.
    const [width, values] = rng() < 0.5 ? [2, INTERESTING_INT16] : [4, INTERESTING_INT32];
    if (body.length < width) return { body, what: `int${width * 8} (too short)` };
    const at = below(rng, body.length - width + 1);
    const v = pick(rng, values);
    body.writeIntBE(v, at, width);
    return { body, what: `int${width * 8} ${v} @ ${at}` };
  },
  function truncate(body, rng) {
    const to = below(rng, body.length);
    return { body: body.subarray(0, to), what: `truncated to ${to}` };
  },
  function extend(body, rng) {
    const extra = Buffer.alloc(1 + below(rng, 64));
    for (let i = 0; i < extra.length; i++) extra[i] = below(rng, 256);
    return { body: Buffer.concat([body, extra]), what: `extended by ${extra.length}` };
  },
  function splice(body, rng, corpus) {
    const otherIndex = below(rng, corpus.length);
    const other = corpus[otherIndex].subarray(4);
    const cutA = below(rng, body.length + 1);
    const cutB = below(rng, other.length + 1);
    return { body: Buffer.concat([body.subarray(0, cutA), other.subarray(cutB)]), what: `spliced ${cutA} + corpus[${otherIndex}] from ${cutB}` };
  },
  function arrayCount(body, rng) {
    // An int32 holding a small count (an array length, most likely) grows, or a
    // single byte that could be a compact-array length (varint n+1) does.
    const start = below(rng, Math.max(1, body.length - 3));
    for (let at = start; at + 4 <= body.length; at++) {
      const v = body.readInt32BE(at);
      if (v >= 1 && v <= 64) {
        const grown = pick(rng, [v * 2, v + 1, 100_000, 0x7fffffff]);
        body.writeInt32BE(grown, at);
        return { body, what: `count ${v} -> ${grown} @ ${at}` };
      }
    }
    for (let at = start; at < body.length; at++) {
      const v = body[at];
      if (v >= 2 && v <= 64) {
        const grown = Math.min(0x7f, v * 2);
        body[at] = grown;
        return { body, what: `compact count ${v} -> ${grown} @ ${at}` };
      }
    }
    return { body, what: 'count (none found)' };
  },
  function header(body, rng) {
    if (body.length < 4) return { body, what: 'header (too short)' };
    if (rng() < 0.5) {
      const key = rng() < 0.8 ? below(rng, 75) : pick(rng, [-1, 0x7fff, 1000]);
      body.writeInt16BE(key, 0);
      return { body, what: `api key ${key}` };
    }
    const version = rng() < 0.8 ? below(rng, 20) : pick(rng, [-1, 0x7fff, 100]);
    body.writeInt16BE(version, 2);
    return { body, what: `api version ${version}` };
  },
  function varint(body, rng) {
    // A run of continuation bytes: an unterminated or over-long (u)varint.
    const at = below(rng, body.length);
    const run = 1 + below(rng, 10);
    for (let i = at; i < Math.min(body.length, at + run); i++) body[i] = 0x80 | below(rng, 128);
    return { body, what: `varint run ${run} @ ${at}` };
  },
];

/** Frame `index` of the run seeded `seed`, mutated from a corpus frame. */
export function mutateFrame(corpus: readonly Buffer[], seed: number, index: number): MutatedFrame {
  const rng = prng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index, 0x85ebca6b)) >>> 0);
  const source = below(rng, corpus.length);
  let body: Buffer = Buffer.from(corpus[source].subarray(4));
  const whats: string[] = [];
  const rounds = 1 + (rng() < 0.3 ? below(rng, 3) : 0);
  for (let i = 0; i < rounds; i++) {
    const m = pick(rng, mutations);
    const out = m(body, rng, corpus);
    body = out.body;
    whats.push(`${m.name}: ${out.what}`);
  }
  // Our own correlation id (the frame index), so answers can be matched to frames.
  if (body.length >= HEADER_FIXED_BYTES) body.writeInt32BE(index, 4);
  const sizeValid = rng() >= BAD_SIZE_SHARE;
  const badSize = rng() < 0.5 ? pick(rng, BAD_SIZES) : body.length + 1 + below(rng, 100);
  // A "bad" size that happens to match a truncated body is not bad.
  const size = sizeValid ? body.length : badSize === body.length ? body.length + 1 : badSize;
  const bytes = Buffer.alloc(4 + body.length);
  bytes.writeInt32BE(size, 0);
  body.copy(bytes, 4);
  whats.push(sizeValid ? 'size ok' : `size ${size}`);
  return { bytes, source, mutation: whats.join(', '), sizeValid };
}
