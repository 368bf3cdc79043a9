// FrameReader: frames come out whole, in order and intact however the socket's
// reads are cut (reads into its targets, or chunks pushed); a bad size is reported
// only after the frames before it and before anything is allocated for it; a
// frame over several reads is read straight into the buffer `allocate` gave; and
// an untrusted declared size costs what was received, not what was declared.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FrameReader, FrameTooLargeError, type FrameReaderOptions } from '../../src/protocol/frame-reader.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function framed(bodies: Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((body) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length, 0);
      return [size, body];
    }),
  );
}

/** Feeds `stream` as a socket with `onread` would: each read fills at most the target and at most the next of `readSizes` (cycled). */
function feed(reader: FrameReader, stream: Buffer, readSizes: number[]): void {
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
const MODES: [string, Partial<FrameReaderOptions>][] = [
  ['sizes trusted up front', {}],
  ['sizes not trusted up front', { upfrontMaxBytes: 1024 }],
];

for (const [mode, options] of MODES) {
  for (const readSizes of [[1], [7, 4096], [65_536], [3, 100_000, 5], [1_000_000]]) {
    test(`${mode}: frames read in pieces of ${readSizes.join(', ')} bytes come out whole, in order, and stay intact`, () => {
      const frames: Buffer[] = [];
      const reader = new FrameReader({ maxFrameBytes: 1 << 20, limitName: 'test', ...options }, (frame) => frames.push(frame));
      feed(reader, framed(bodies), readSizes);
      assert.equal(frames.length, bodies.length);
      // Checked after every read is done: a view of a slab must not have been overwritten by a later read.
      frames.forEach((frame, i) => assert.ok(frame.equals(bodies[i]), `frame ${i} (${bodies[i].length} bytes)`));
    });
  }

  test(`${mode}: chunks pushed (a socket without onread) come out whole wherever the stream is cut`, () => {
    const stream = framed(bodies);
    for (const step of [1, 3, 4, 5, 4096, 65_536, stream.length]) {
      const frames: Buffer[] = [];
      const reader = new FrameReader({ maxFrameBytes: 1 << 20, limitName: 'test', ...options }, (frame) => frames.push(frame));
      for (let at = 0; at < stream.length; at += step) reader.push(stream.subarray(at, at + step));
      assert.deepEqual(frames, bodies, `cut every ${step} bytes`);
    }
  });
}

test('the frames before a bad size come out first, then the bad size throws, naming the limit', () => {
  const frames: string[] = [];
  const reader = new FrameReader({ maxFrameBytes: 1024, limitName: 'socket.request.max.bytes' }, (frame) => frames.push(frame.toString()));
  const bad = Buffer.alloc(4);
  bad.writeInt32BE(1025, 0);
  assert.throws(() => reader.push(Buffer.concat([framed([Buffer.from('one'), Buffer.from('two')]), bad])), /outside 0\.\.1024 \(socket\.request\.max\.bytes\)/);
  assert.deepEqual(frames, ['one', 'two']);
});

test('a size over the limit, or negative, is refused before anything is allocated for it', () => {
  for (const size of [1025, -1]) {
    const reader = new FrameReader({ maxFrameBytes: 1024, limitName: 'test', allocate: () => assert.fail('nothing allocated') }, () => assert.fail('no frame'));
    const header = Buffer.alloc(4);
    header.writeInt32BE(size, 0);
    assert.throws(() => feed(reader, header, [4]), FrameTooLargeError);
  }
});

test('a frame over several reads is read straight into the buffer allocate gave, and handed out as it', () => {
  const given: Buffer[] = [];
  const frames: Buffer[] = [];
  const reader = new FrameReader(
    { maxFrameBytes: 1 << 20, limitName: 'test', allocate: (size) => given[given.push(Buffer.alloc(size)) - 1] },
    (frame) => frames.push(frame),
  );
  const body = Buffer.alloc(300_000, 9);
  const stream = framed([body]);
  let directReads = 0;
  for (let pos = 0; pos < stream.length; ) {
    const target = reader.target();
    if (given.length === 1 && target.buffer === given[0].buffer) directReads++;
    const n = Math.min(target.length, 65_536, stream.length - pos);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    reader.received(n);
  }
  assert.equal(given.length, 1);
  assert.equal(frames[0], given[0], 'the frame is the allocated buffer itself');
  assert.ok(frames[0].equals(body));
  assert.ok(directReads >= 4, `${directReads} reads landed in the frame's own buffer`);
});

test('a frame whose declared size is not trusted, trickled in 1-byte reads, holds about what was received', () => {
  const TRICKLED = 256 * 1024;
  const reader = new FrameReader({ maxFrameBytes: 100 * 1024 * 1024, upfrontMaxBytes: 1024 * 1024, limitName: 'test' }, () => assert.fail('incomplete'));
  const size = Buffer.alloc(4);
  size.writeInt32BE(100 * 1024 * 1024, 0); // declared 100 MiB: nothing that size may be allocated up front
  gc();
  const before = process.memoryUsage();
  feed(reader, size, [1]);
  for (let i = 0; i < TRICKLED; i++) feed(reader, Buffer.from([i & 0xff]), [1]);
  gc();
  const after = process.memoryUsage();
  const held = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  assert.ok(held < 3 * TRICKLED, `${held} bytes held for ${TRICKLED} bytes received`);
  assert.ok(reader.target().length > 0, 'still waiting for the rest of the frame'); // and the reader stays alive until measured
});
