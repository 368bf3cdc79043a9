// Proves decompression refuses output beyond maxBytes (decompression bombs,
// reliability.md section 4), and that where a format states sizes up front the
// refusal comes from those sizes, before the data is decoded.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { DecompressionError, compress, decompress } from '../../src/protocol/compression.js';
import { Codec } from '../../src/protocol/record-batch.js';
import { xerialFrame, zstdFrame } from './compressed-frames.js';

const MiB = 1024 * 1024;
const CODECS = [Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd] as const;

function hasCommand(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Asserts a "too large" refusal and returns its message. */
function refused(fn: () => unknown): string {
  let message = '';
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DecompressionError, `expected DecompressionError, got ${String(err)}`);
    assert.equal(err.code, 'SLUICE_ERR_DECOMPRESS');
    assert.equal(err.tooLarge, true, `expected tooLarge, got: ${err.message}`);
    message = err.message;
    return true;
  });
  return message;
}

test('1 MiB of zeros is refused one byte under its size and accepted at its size, for every codec', () => {
  const zeros = Buffer.alloc(MiB);
  for (const codec of CODECS) {
    const packed = compress(codec, zeros);
    assert.ok(packed.length < 64 * 1024, `codec ${codec} compresses zeros well`);
    refused(() => decompress(codec, packed, MiB - 1));
    refused(() => decompress(codec, packed, 512 * 1024));
    assert.equal(decompress(codec, packed, MiB).length, MiB);
  }
});

test('a limit of 0 bytes refuses any output, for every codec', () => {
  for (const codec of CODECS) {
    refused(() => decompress(codec, compress(codec, Buffer.from('x')), 0));
    assert.equal(decompress(codec, compress(codec, Buffer.alloc(0)), 0).length, 0);
  }
});

test('a 1 GiB gzip bomb is stopped by the output limit, not inflated and then measured', () => {
  // 1024 gzip members of 1 MiB of zeros each: about 1 MiB that inflates to 1 GiB.
  const member = compress(Codec.Gzip, Buffer.alloc(MiB));
  const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member));
  const message = refused(() => decompress(Codec.Gzip, bomb, 64 * MiB));
  // Only a stream stopped part way cannot name the full size.
  assert.doesNotMatch(message, /1073741824/);
});

test('snappy refuses from the declared length before decoding anything', () => {
  // Declares 2^32 - 1 bytes, then holds nothing decodable: decoding would fail as corrupt.
  const claim = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x01, 0x02]);
  assert.match(refused(() => decompress(Codec.Snappy, claim, 64 * MiB)), /4294967295/);
});

test('xerial chunks are refused once their declared lengths pass the limit, even if later chunks are junk', () => {
  const good = compress(Codec.Snappy, Buffer.alloc(64 * 1024));
  const junk = Buffer.concat([good.subarray(0, 3), Buffer.from('junk that does not decode')]); // still declares 64 KiB
  const chunks = [...Array.from({ length: 16 }, () => good), junk];
  refused(() => decompress(Codec.Snappy, xerialFrame(chunks), MiB));
  assert.throws(() => decompress(Codec.Snappy, xerialFrame(chunks), 2 * MiB), (err: unknown) => err instanceof DecompressionError && !err.tooLarge);
});

test('lz4 refuses a frame whose declared content size is over the limit', () => {
  // Header with content size 2^40; nothing after it is valid, so only the header can refuse it.
  const frame = Buffer.alloc(4 + 2 + 8 + 1 + 4);
  frame.writeUInt32LE(0x184d2204, 0);
  frame[4] = 0x68; // version 01, independent blocks, content size present
  frame[5] = 0x40; // 64 KiB blocks
  frame.writeBigUInt64LE(1n << 40n, 6);
  assert.match(refused(() => decompress(Codec.Lz4, frame, 64 * MiB)), /1099511627776/);
});

test('lz4 frames without a content size are measured block by block when their worst case passes the limit', (t) => {
  if (!hasCommand('lz4')) return t.skip('lz4 command not installed');
  const input = Buffer.from('{"user":"ada","action":"login","ok":true}\n'.repeat(30000)); // about 1.2 MiB
  for (const flags of [['-B4', '-BD'], ['-B4', '-BI'], ['-B7']]) {
    const packed = execFileSync('lz4', ['-c', '-q', ...flags], { input });
    // Linked blocks (-BD) need the earlier output as a dictionary to decode exactly.
    assert.ok(decompress(Codec.Lz4, packed, input.length).equals(input), `${flags.join(' ')} at exactly its size`);
    // Refused while measuring: a refusal after a full decode would name the full size.
    assert.doesNotMatch(refused(() => decompress(Codec.Lz4, packed, input.length - 1)), new RegExp(`${input.length}`));
    assert.doesNotMatch(refused(() => decompress(Codec.Lz4, packed, 100 * 1024)), new RegExp(`${input.length}`));
  }
});

test('lz4 reports a corrupt block as corrupt when measuring', () => {
  const input = Buffer.alloc(300 * 1024, 0x61);
  const packed = Buffer.from(compress(Codec.Lz4, input));
  // First block's data starts after the 7-byte header and 4-byte size: break its first token.
  packed.fill(0xff, 11, 20);
  assert.throws(() => decompress(Codec.Lz4, packed, 100 * 1024), (err: unknown) => err instanceof DecompressionError && !err.tooLarge);
});

test('zstd refuses a frame whose declared content size is over the limit', () => {
  const frame = zstdFrame([{ raw: Buffer.from('tiny') }], { contentSize: 1n << 40n });
  assert.match(refused(() => decompress(Codec.Zstd, frame, 64 * MiB)), /1099511627776/);
});

test('lz4 and zstd refuse a declared content size their blocks cannot produce, before sizing a buffer from it', () => {
  // Each declares 60 MiB, under the limit, over a few bytes of blocks.
  const lz4 = Buffer.alloc(4 + 2 + 8 + 1 + 4);
  lz4.writeUInt32LE(0x184d2204, 0);
  lz4[4] = 0x68;
  lz4[5] = 0x40;
  lz4.writeBigUInt64LE(60n * BigInt(MiB), 6); // then header checksum, then the end mark: no blocks
  const zstd = zstdFrame([{ raw: Buffer.from('tiny') }], { contentSize: 60n * BigInt(MiB) });
  for (const [codec, bytes] of [[Codec.Lz4, lz4], [Codec.Zstd, zstd]] as const) {
    assert.throws(
      () => decompress(codec, bytes, 64 * MiB),
      (err: unknown) => err instanceof DecompressionError && !err.tooLarge && /content size/.test(err.message),
    );
  }
});

test('zstd refuses an RLE bomb without a content size from its block headers', () => {
  // 10,000 RLE blocks of 128 KiB: 40 KB that would regenerate 1.2 GiB.
  const blocks = Array.from({ length: 10000 }, () => ({ rle: 0x41, size: 128 * 1024 }));
  const bomb = zstdFrame(blocks);
  assert.ok(bomb.length < 50000);
  assert.match(refused(() => decompress(Codec.Zstd, bomb, 64 * MiB)), /at least/);
});

test('zstd frames without a content size are decoded into a buffer no larger than the limit', (t) => {
  if (!hasCommand('zstd')) return t.skip('zstd command not installed');
  const input = Buffer.alloc(8 * MiB, 0x42);
  const streamed = execFileSync('zstd', ['-c', '-q'], { input });
  assert.equal(streamed[4] >> 6, 0, 'no content size field');
  // Refused by the decoder running out of room: a refusal after a full decode would name the full size.
  assert.doesNotMatch(refused(() => decompress(Codec.Zstd, streamed, input.length - 1)), new RegExp(`${input.length}`));
  assert.doesNotMatch(refused(() => decompress(Codec.Zstd, streamed, MiB)), new RegExp(`${input.length}`));
  assert.ok(decompress(Codec.Zstd, streamed, input.length).equals(input));
});

test('the limit counts every frame of a multi-frame input', () => {
  const part = Buffer.alloc(600 * 1024, 0x43);
  for (const codec of [Codec.Gzip, Codec.Lz4, Codec.Zstd]) {
    const packed = Buffer.concat([compress(codec, part), compress(codec, part)]);
    refused(() => decompress(codec, packed, MiB));
    assert.equal(decompress(codec, packed, 2 * part.length).length, 2 * part.length);
  }
});
