// Registers with kafkajs the codecs it does not ship (it has gzip only):
// snappy from the kafkajs-snappy plugin (snappyjs, pure JS), lz4 and zstd
// through small adapters on lz4js (pure JS) and @bokuweb/zstd-wasm. None of
// them is Sluice's compression module, so what kafkajs reads or writes with
// them is checked against an independent implementation.
//
//   await registerKafkajsCodecs();   // once, before a kafkajs client compresses or decompresses

import { createRequire } from 'node:module';
import { compress as zstdCompress, decompress as zstdDecompress, init as zstdInit } from '@bokuweb/zstd-wasm';
import kafkajs from 'kafkajs';

const { CompressionTypes, CompressionCodecs } = kafkajs;
const require = createRequire(import.meta.url);

interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

export async function registerKafkajsCodecs(): Promise<void> {
  const lz4js = require('lz4js') as { compress(src: Uint8Array): Uint8Array; decompress(src: Uint8Array): Uint8Array };
  await zstdInit();
  CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy') as () => KafkajsCodec;
  CompressionCodecs[CompressionTypes.LZ4] = (): KafkajsCodec => ({
    compress: async (encoder) => Buffer.from(lz4js.compress(encoder.buffer)),
    decompress: async (buffer) => Buffer.from(lz4js.decompress(buffer)),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = (): KafkajsCodec => ({
    compress: async (encoder) => Buffer.from(zstdCompress(encoder.buffer, 3)),
    decompress: async (buffer) => Buffer.from(zstdDecompress(buffer)),
  });
}
