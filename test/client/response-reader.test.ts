// ResponseReader: frames come out whole and byte for byte whatever the socket's
// read sizes, frames handed out as views of a slab stay intact after later
// reads, and a size over the limit is refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseReader } from '../../src/client/response-reader.js';
import { FrameTooLargeError } from '../../src/protocol/frame-reader.js';

function framed(bodies: Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((body) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length, 0);
      return [size, body];
    }),
  );
}

/** Feeds `stream` as a socket would: each read fills at most the target and at most the next of `readSizes` (cycled). */
function feed(reader: ResponseReader, stream: Buffer, readSizes: number[]): void {
  let pos = 0;
  for (let i = 0; pos < stream.length; i++) {
    const target = reader.target();
    const n = Math.min(target.length, readSizes[i % readSizes.length], stream.length - pos);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    reader.received(n);
  }
}

const bodies = [0, 3, 5000, 200_000, 1, 70_000, 4096, 12].map((size, i) => Buffer.alloc(size, (i * 37) % 251).fill(i, 0, Math.min(size, 2)));

for (const readSizes of [[1], [7, 4096], [65_536], [3, 100_000, 5], [1_000_000]]) {
  test(`frames read in pieces of ${readSizes.join(', ')} bytes come out whole, in order, and stay intact`, () => {
    const frames: Buffer[] = [];
    const reader = new ResponseReader(1 << 20, (frame) => frames.push(frame));
    feed(reader, framed(bodies), readSizes);
    assert.equal(frames.length, bodies.length);
    // Checked after every read is done: a view of a slab must not have been overwritten by a later read.
    frames.forEach((frame, i) => assert.ok(frame.equals(bodies[i]), `frame ${i} (${bodies[i].length} bytes)`));
  });
}

test('a size over the limit, or negative, is refused before anything is allocated for it', () => {
  for (const size of [1025, -1]) {
    const reader = new ResponseReader(1024, () => assert.fail('no frame'));
    const header = Buffer.alloc(4);
    header.writeInt32BE(size, 0);
    assert.throws(() => feed(reader, header, [4]), FrameTooLargeError);
  }
});
