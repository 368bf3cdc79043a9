// Compression codecs of Kafka record batches (attributes bits 0-2).
// Placeholder until the codec module lands: only "none" is supported.

import { Codec } from './record-batch.js';

export class UnsupportedCodecError extends Error {
  readonly code = 'SLUICE_ERR_CODEC';
}

export function compress(codec: Codec, data: Buffer): Buffer {
  if (codec === Codec.None) return data;
  throw new UnsupportedCodecError(`codec ${codec} is not supported`);
}

export function decompress(codec: Codec, data: Buffer, _maxBytes: number): Buffer {
  if (codec === Codec.None) return data;
  throw new UnsupportedCodecError(`codec ${codec} is not supported`);
}
