// FrameReader: frames come out whole and in order however the stream is cut, a
// bad size is reported only after the frames before it, and a frame trickled in
// 1-byte reads costs about its size (not one Buffer per byte) until it is complete.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FrameReader, FrameTooLargeError } from '../../src/protocol/frame-reader.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function drain(reader: FrameReader): Buffer[] {
  const out: Buffer[] = [];
  for (let f = reader.next(); f !== null; f = reader.next()) out.push(Buffer.from(f));
  return out;
}

test('frames come out whole and in order wherever the stream is cut', () => {
  const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(70_000, 7), Buffer.from('last frame')];
  const stream = Buffer.concat(bodies.map(frame));
  for (const step of [1, 3, 4, 5, 4096, 65_536, stream.length]) {
    const reader = new FrameReader(1 << 20);
    const got: Buffer[] = [];
    for (let at = 0; at < stream.length; at += step) {
      reader.push(stream.subarray(at, at + step));
      got.push(...drain(reader));
    }
    assert.deepEqual(got, bodies, `cut every ${step} bytes`);
  }
});

test('the frames before a bad size come out first, then the bad size throws', () => {
  const reader = new FrameReader(1024);
  const bad = Buffer.alloc(4);
  bad.writeInt32BE(1025, 0);
  reader.push(Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two')), bad]));
  assert.equal(reader.next()?.toString(), 'one');
  assert.equal(reader.next()?.toString(), 'two');
  assert.throws(() => reader.next(), FrameTooLargeError);
});

test('a frame trickled in 1-byte reads holds about its size, not one Buffer per byte', () => {
  const TRICKLED = 256 * 1024;
  const reader = new FrameReader(100 * 1024 * 1024);
  const size = Buffer.alloc(4);
  size.writeInt32BE(100 * 1024 * 1024, 0); // declared 100 MiB: nothing that size may be allocated up front
  gc();
  const before = process.memoryUsage();
  for (const b of size) reader.push(Buffer.from(new Uint8Array([b]).buffer));
  for (let i = 0; i < TRICKLED; i++) {
    // Each read as a socket delivers it: its own ArrayBuffer.
    reader.push(Buffer.from(new Uint8Array([i & 0xff]).buffer));
    assert.equal(reader.next(), null);
  }
  gc();
  const after = process.memoryUsage();
  const held = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  assert.ok(held < 3 * TRICKLED, `${held} bytes held for ${TRICKLED} bytes received`);
  assert.equal(reader.next(), null, 'still waiting for the rest of the frame'); // and the reader stays alive until measured
});
