// Proves every Kafka codec round-trips, interoperates with independent
// implementations (kafkajs's gzip codec, @platformatic/kafka's WASM snappy and
// lz4, the reference lz4 and zstd command-line tools), and reports garbage as
// DecompressionError. Output limits (bombs) are in compression-limits.test.ts.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { DecompressionError, UnsupportedCodecError, compress, decompress } from '../../src/protocol/compression.js';
import { Codec } from '../../src/protocol/record-batch.js';
import { xerialFrame, zstdFrame } from './compressed-frames.js';

const require = createRequire(import.meta.url);
const kafkajsGzip = require('kafkajs/src/protocol/message/compression/gzip.js') as {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
};

const LIMIT = 64 * 1024 * 1024;
const CODECS = [Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd] as const;
const NAMES: Record<number, string> = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };

const INPUTS: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'one byte': Buffer.from([0x2a]),
  text: Buffer.from('{"user":"ada","action":"login","ok":true}\n'.repeat(500)),
  // Incompressible and larger than one lz4 block (64-256 KiB) and one zstd block (128 KiB).
  random: randomBytes(600 * 1024),
  zeros: Buffer.alloc(2 * 1024 * 1024),
};

function hasCommand(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

const run = (cmd: string, args: string[], input: Buffer): Buffer => execFileSync(cmd, args, { input, maxBuffer: 1 << 28 });

test('every codec round-trips every input', () => {
  for (const codec of CODECS) {
    for (const [name, input] of Object.entries(INPUTS)) {
      const packed = compress(codec, input);
      assert.ok(decompress(codec, packed, LIMIT).equals(input), `${NAMES[codec]} ${name}`);
    }
  }
});

test('output of exactly maxBytes is accepted', () => {
  const input = INPUTS.text;
  for (const codec of CODECS) {
    assert.ok(decompress(codec, compress(codec, input), input.length).equals(input), NAMES[codec]);
  }
});

test('codec none passes bytes through', () => {
  const input = Buffer.from('plain');
  assert.equal(compress(Codec.None, input), input);
  assert.equal(decompress(Codec.None, input, LIMIT), input);
});

test('codecs 5-7 are unsupported, both ways', () => {
  for (const codec of [5, 6, 7] as unknown as Codec[]) {
    assert.throws(() => compress(codec, Buffer.from('x')), UnsupportedCodecError);
    assert.throws(() => decompress(codec, Buffer.from('x'), LIMIT), UnsupportedCodecError);
  }
});

test('gzip interoperates with kafkajs and GNU gzip', async (t) => {
  const input = INPUTS.text;
  assert.ok((await kafkajsGzip.decompress(compress(Codec.Gzip, input))).equals(input));
  assert.ok(decompress(Codec.Gzip, await kafkajsGzip.compress({ buffer: input }), LIMIT).equals(input));
  if (!hasCommand('gzip')) return t.skip('gzip command not installed');
  assert.ok(decompress(Codec.Gzip, run('gzip', ['-c', '-9'], input), LIMIT).equals(input));
  assert.ok(run('gzip', ['-d', '-c'], compress(Codec.Gzip, input)).equals(input));
});

test('gzip decodes several concatenated members, as RFC 1952 allows', () => {
  const a = Buffer.from('first member ');
  const b = Buffer.from('second member');
  const packed = Buffer.concat([compress(Codec.Gzip, a), compress(Codec.Gzip, b)]);
  assert.ok(decompress(Codec.Gzip, packed, LIMIT).equals(Buffer.concat([a, b])));
  assert.ok(gunzipSync(packed).equals(Buffer.concat([a, b])), 'oracle agrees');
});

test('snappy interoperates with the WASM snappy of @platformatic/kafka', () => {
  const wasm = compressionsAlgorithms.snappy;
  for (const [name, input] of Object.entries(INPUTS)) {
    assert.ok(wasm.decompressSync(compress(Codec.Snappy, input)).equals(input), `ours -> wasm, ${name}`);
    assert.ok(decompress(Codec.Snappy, wasm.compressSync(input), LIMIT).equals(input), `wasm -> ours, ${name}`);
  }
});

test('snappy writes a raw block, whose first bytes are the uncompressed length varint', () => {
  const packed = compress(Codec.Snappy, Buffer.alloc(300, 1));
  assert.deepEqual([...packed.subarray(0, 2)], [0xac, 0x02]); // 300 = 0b10_0101100
});

test('snappy decodes the xerial framing of the Java client and kafkajs-snappy', () => {
  const wasm = compressionsAlgorithms.snappy;
  const input = Buffer.concat([INPUTS.text, INPUTS.random]);
  // snappy-java cuts its input into 32 KiB chunks, each compressed on its own.
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += 32 * 1024) chunks.push(wasm.compressSync(input.subarray(i, i + 32 * 1024)));
  assert.ok(decompress(Codec.Snappy, xerialFrame(chunks), LIMIT).equals(input));
  assert.equal(decompress(Codec.Snappy, xerialFrame([]), LIMIT).length, 0, 'header only: no chunks');
});

test('lz4 interoperates with the WASM lz4 of @platformatic/kafka', () => {
  const wasm = compressionsAlgorithms.lz4;
  for (const [name, input] of Object.entries(INPUTS)) {
    assert.ok(wasm.decompressSync(compress(Codec.Lz4, input)).equals(input), `ours -> wasm, ${name}`);
    assert.ok(decompress(Codec.Lz4, wasm.compressSync(input), LIMIT).equals(input), `wasm -> ours, ${name}`);
  }
});

test('lz4 writes the frame format (magic 04 22 4D 18), not a raw block', () => {
  assert.deepEqual([...compress(Codec.Lz4, INPUTS.text).subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18]);
});

test('lz4 decodes the reference lz4 tool in each frame option', (t) => {
  if (!hasCommand('lz4')) return t.skip('lz4 command not installed');
  const input = Buffer.concat([INPUTS.text, INPUTS.random, INPUTS.text]);
  const variants: [string, string[]][] = [
    ['64 KiB blocks, as the Java client writes', ['-B4']],
    ['linked blocks', ['-BD']],
    ['block checksums', ['-BX']],
    ['no content checksum', ['--no-frame-crc']],
    ['4 MiB blocks', ['-B7']],
  ];
  for (const [name, flags] of variants) {
    const packed = run('lz4', ['-c', '-q', ...flags], input);
    assert.ok(decompress(Codec.Lz4, packed, LIMIT).equals(input), name);
  }
  assert.ok(run('lz4', ['-d', '-c', '-q'], compress(Codec.Lz4, input)).equals(input), 'lz4 tool decodes ours');
});

test('lz4 decodes every frame of a multi-frame input, not only the first', () => {
  const a = INPUTS.text;
  const b = INPUTS.random;
  const packed = Buffer.concat([compress(Codec.Lz4, a), compress(Codec.Lz4, b)]);
  assert.ok(decompress(Codec.Lz4, packed, LIMIT).equals(Buffer.concat([a, b])));
});

test('zstd writes frames with the content size, which the reference zstd tool decodes', (t) => {
  const input = INPUTS.text;
  const packed = compress(Codec.Zstd, input);
  assert.deepEqual([...packed.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
  assert.ok(packed[4] >> 6 !== 0 || (packed[4] & 0x20) !== 0, 'frame header declares the content size');
  if (!hasCommand('zstd')) return t.skip('zstd command not installed');
  assert.ok(run('zstd', ['-d', '-c', '-q'], packed).equals(input));
});

test('zstd decodes frames without a content size, as streaming compressors write them', (t) => {
  // Built by hand: raw, RLE and raw blocks under a header with no content size field.
  const hand = zstdFrame([{ raw: Buffer.from('hello, ') }, { rle: 0x2d, size: 5 }, { raw: Buffer.from(' world') }]);
  assert.ok(decompress(Codec.Zstd, hand, LIMIT).equals(Buffer.from('hello, ----- world')));
  // A frame of raw blocks larger than any single block (128 KiB).
  const big = randomBytes(300 * 1024);
  const blocks = [];
  for (let i = 0; i < big.length; i += 128 * 1024) blocks.push({ raw: big.subarray(i, i + 128 * 1024) });
  assert.ok(decompress(Codec.Zstd, zstdFrame(blocks), LIMIT).equals(big));

  if (!hasCommand('zstd')) return t.skip('zstd command not installed');
  // zstd reading a pipe does not know the size, so its frames carry none; they use compressed blocks.
  for (const [name, input] of Object.entries(INPUTS)) {
    const streamed = run('zstd', ['-c', '-q', '-3'], input);
    if (input.length > 0) assert.equal(streamed[4] >> 6, 0, `${name}: no content size field`);
    assert.ok(decompress(Codec.Zstd, streamed, LIMIT).equals(input), name);
  }
});

test('zstd decodes several frames, skipping skippable frames', () => {
  const a = INPUTS.text;
  const b = Buffer.from('second');
  const skippable = Buffer.alloc(8 + 5);
  skippable.writeUInt32LE(0x184d2a53, 0);
  skippable.writeUInt32LE(5, 4);
  const packed = Buffer.concat([compress(Codec.Zstd, a), skippable, zstdFrame([{ raw: b }])]);
  assert.ok(decompress(Codec.Zstd, packed, LIMIT).equals(Buffer.concat([a, b])));
});

test('garbage, empty and truncated input raise DecompressionError for every codec', () => {
  // Fixed bytes, not random ones: snappy has no checksum, so some random inputs are valid snappy.
  const noise = Buffer.concat(Array.from({ length: 32 }, (_, i) => createHash('sha256').update(`noise ${i}`).digest()));
  const garbage = [Buffer.alloc(0), Buffer.from('not compressed at all, just text'), noise];
  for (const codec of CODECS) {
    const valid = compress(codec, INPUTS.text);
    const cases = [...garbage, valid.subarray(0, valid.length - 5), valid.subarray(0, 3), Buffer.concat([valid, Buffer.from('trailing')])];
    // Snappy's raw format ignores nothing after the block it declares, so trailing bytes are its own case below.
    if (codec === Codec.Snappy) cases.pop();
    for (const [i, input] of cases.entries()) {
      assert.throws(
        () => decompress(codec, input, LIMIT),
        (err: unknown) => err instanceof DecompressionError && err.code === 'SLUICE_ERR_DECOMPRESS' && !err.tooLarge,
        `${NAMES[codec]} case ${i}`,
      );
    }
  }
});

test('snappy rejects a block longer or shorter than its declared length', () => {
  const valid = compress(Codec.Snappy, INPUTS.text);
  assert.throws(() => decompress(Codec.Snappy, Buffer.concat([valid, Buffer.from([0])]), LIMIT), DecompressionError);
  assert.throws(() => decompress(Codec.Snappy, valid.subarray(0, valid.length - 1), LIMIT), DecompressionError);
});

test('xerial chunks whose length overruns the input are corrupt, not allocated', () => {
  const chunk = compress(Codec.Snappy, INPUTS.text);
  const framed = xerialFrame([chunk]);
  framed.writeUInt32BE(0x7fffffff, 16);
  assert.throws(() => decompress(Codec.Snappy, framed, LIMIT), (err: unknown) => err instanceof DecompressionError && !err.tooLarge);
  assert.throws(() => decompress(Codec.Snappy, framed.subarray(0, 18), LIMIT), DecompressionError, 'truncated chunk length');
});

test('a flipped byte is caught by gzip\'s CRC-32 and by the lz4 content checksum', (t) => {
  const input = INPUTS.text;
  const gzip = Buffer.from(compress(Codec.Gzip, input));
  gzip[gzip.length - 6] ^= 0x01; // inside the CRC-32 trailer
  assert.throws(() => decompress(Codec.Gzip, gzip, LIMIT), DecompressionError);
  if (!hasCommand('lz4')) return t.skip('lz4 command not installed');
  const lz4 = Buffer.from(run('lz4', ['-c', '-q', '-BI'], Buffer.concat([input, INPUTS.random]))); // -BI: block independence
  const middle = lz4.length >> 1;
  lz4[middle] ^= 0x01;
  assert.throws(() => decompress(Codec.Lz4, lz4, LIMIT), DecompressionError);
});

test('decompress refuses a maxBytes that is not a non-negative integer', () => {
  for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => decompress(Codec.Gzip, compress(Codec.Gzip, Buffer.from('x')), bad), RangeError);
  }
});
