// Proves the BatchBuilder writes byte for byte what kafkajs's RecordBatch
// encoder writes for the same records (uncompressed and gzip), that its
// batches decode with decodeBatch and with kafkajs's decoder, that int64 and
// varlong fields are exact up to 2^53 without BigInt, and that tryAppend
// keeps a batch under its byte limit.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { BatchBuilder } from '../../src/protocol/batch-builder.js';
import { Attr, Codec, checkBatch } from '../../src/protocol/record-batch.js';
import { Reader } from '../../src/protocol/reader.js';
import { type NewRecord, decodeBatch, encodeBatch } from '../../src/protocol/records.js';
import { writeInt64, writeVarint } from '../../src/protocol/varint.js';
import { SAMPLE_RECORDS, T0 } from '../helpers/sample-records.js';

const require = createRequire(import.meta.url);
type KafkajsEncoder = { buffer: Buffer };
const { RecordBatch: kafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(opts: object): Promise<KafkajsEncoder>;
};
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (opts: object) => KafkajsEncoder;
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{ firstOffset: string; producerId: string; maxTimestamp: string; records: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]> }[] }>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;

const RECORDS: NewRecord[] = [
  ...SAMPLE_RECORDS,
  // Key and value lengths that need 3 varint bytes, and a timestamp delta past 2^32.
  { key: Buffer.alloc(300, 1), value: Buffer.alloc(70_000, 2), timestamp: T0 + 2 ** 33 + 17 },
];

function built(records: NewRecord[], codec: Codec): Buffer {
  const builder = new BatchBuilder(64);
  for (const r of records) assert.ok(builder.tryAppend(r, r.timestamp as number));
  return builder.build({ codec, baseOffset: 100, producerId: 55, producerEpoch: 1, baseSequence: 0 });
}

async function kafkajsBuilt(records: NewRecord[], codec: Codec): Promise<Buffer> {
  const headersOf = (r: NewRecord): Record<string, Buffer[]> => {
    const out: Record<string, Buffer[]> = {};
    for (const h of r.headers ?? []) (out[h.key] ??= []).push(h.value as Buffer);
    return out;
  };
  const timestamps = records.map((r) => r.timestamp as number);
  const encoder = await kafkajsRecordBatch({
    compression: codec,
    firstOffset: 100,
    firstTimestamp: timestamps[0],
    maxTimestamp: Math.max(...timestamps),
    partitionLeaderEpoch: -1,
    lastOffsetDelta: records.length - 1,
    producerId: 55,
    producerEpoch: 1,
    firstSequence: 0,
    records: records.map((r, i) => kafkajsRecord({ offsetDelta: i, timestampDelta: timestamps[i] - timestamps[0], key: r.key ?? null, value: r.value, headers: headersOf(r) })),
  });
  return encoder.buffer;
}

test('BatchBuilder writes the same bytes as kafkajs for the same records, uncompressed and gzip', async () => {
  // kafkajs cannot encode a null header value; everything else goes as is.
  const records = RECORDS.map((r) => (r.headers ? { ...r, headers: r.headers.filter((h) => h.value !== null) } : r));
  for (const codec of [Codec.None, Codec.Gzip]) {
    assert.deepEqual(built(records, codec), await kafkajsBuilt(records, codec), `codec ${codec}`);
  }
});

test('BatchBuilder batches decode exactly with decodeBatch and kafkajs, with every codec', async () => {
  for (const codec of [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
    const batch = built(RECORDS, codec);
    assert.equal(checkBatch(batch, 0, batch.length), null);
    const { header, records } = decodeBatch(batch);
    assert.equal(header.attributes & Attr.CodecMask, codec);
    assert.equal(header.maxTimestamp, T0 + 2 ** 33 + 17);
    assert.deepEqual(
      records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
      RECORDS.map((r, i) => ({ offset: 100 + i, timestamp: r.timestamp, key: r.key ?? null, value: r.value, headers: r.headers ?? [] })),
    );
    if (codec === Codec.None || codec === Codec.Gzip) {
      const decoded = await kafkajsDecodeBatch(new KafkajsDecoder(batch));
      assert.equal(decoded.records.length, RECORDS.length);
      decoded.records.forEach((r, i) => {
        assert.equal(r.timestamp, String(RECORDS[i].timestamp));
        assert.deepEqual(r.value, RECORDS[i].value);
      });
    }
  }
});

test('int64 header fields are exact up to 2^53 and negative one', () => {
  const builder = new BatchBuilder();
  builder.tryAppend({ value: Buffer.from('x') }, 2 ** 53 - 1);
  const batch = builder.build({ baseOffset: 2 ** 53 - 2, producerId: 2 ** 40 + 3, producerEpoch: 7 });
  assert.equal(batch.readBigInt64BE(0), 2n ** 53n - 2n);
  assert.equal(batch.readBigInt64BE(27), 2n ** 53n - 1n);
  assert.equal(batch.readBigInt64BE(43), 2n ** 40n + 3n);
  const plain = new BatchBuilder();
  plain.tryAppend({ value: null }, T0);
  assert.equal(plain.build().readBigInt64BE(43), -1n, 'no producer id');
  const scratch = Buffer.alloc(8);
  for (const v of [0, 1, -1, -(2 ** 31), 2 ** 32, -(2 ** 32) - 5, 2 ** 53 - 1, -(2 ** 53) + 1]) {
    writeInt64(scratch, 0, v);
    assert.equal(scratch.readBigInt64BE(0), BigInt(v), `int64 ${v}`);
  }
});

test('varints round-trip through the Reader at every length boundary, negative and positive', () => {
  const scratch = Buffer.alloc(16);
  for (let bits = 0; bits <= 52; bits++) {
    for (const v of [2 ** bits - 1, 2 ** bits, -(2 ** bits), -(2 ** bits) + 1]) {
      const end = writeVarint(scratch, 0, v);
      const r = new Reader(scratch.subarray(0, end));
      assert.equal(r.varlong(), v, `varlong ${v}`);
      assert.equal(r.remaining, 0);
    }
  }
});

test('tryAppend refuses a record past the limit once the batch holds one, and takes any first record', () => {
  const value = Buffer.alloc(100);
  const builder = new BatchBuilder(32);
  assert.ok(builder.tryAppend({ value: Buffer.alloc(5000) }, T0, 1000), 'a first record larger than the limit');
  assert.equal(builder.tryAppend({ value }, T0, 1000), false);
  const small = new BatchBuilder(32);
  let appended = 0;
  while (small.tryAppend({ value }, T0, 1000)) appended++;
  assert.ok(small.sizeInBytes <= 1000 && small.sizeInBytes + 110 > 1000, `${small.sizeInBytes} bytes`);
  const batch = small.build();
  assert.equal(batch.length, small.sizeInBytes, 'an uncompressed batch is as large as counted');
  assert.equal(decodeBatch(batch).records.length, appended);
  assert.equal(small.recordCount, appended);
});

test('encodeBatch gives records without a timestamp the first record\'s', () => {
  const { header, records } = decodeBatch(encodeBatch([{ value: Buffer.from('a'), timestamp: T0 }, { value: Buffer.from('b') }]));
  assert.deepEqual(records.map((r) => r.timestamp), [T0, T0]);
  assert.equal(header.maxTimestamp, T0);
});
