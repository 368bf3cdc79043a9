// Proves encodeBatch/decodeBatch round-trip records with every codec, that
// checkBatch accepts what encodeBatch builds and catches corruption, and that
// batches interoperate both ways with two independent encoders/decoders:
// kafkajs's RecordBatch v0 and @platformatic/kafka's records module.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Reader as PlatformaticReader, createRecordsBatch, readRecordsBatch } from '@platformatic/kafka';
import { DecompressionError, compress } from '../../src/protocol/compression.js';
import { MalformedFrameError } from '../../src/protocol/malformed-frame-error.js';
import { Attr, BATCH_HEADER_SIZE, Codec, checkBatch, writeCrc } from '../../src/protocol/record-batch.js';
import { type NewRecord, type Record, decodeBatch, encodeBatch, forEachBatch } from '../../src/protocol/records.js';
import { SAMPLE_RECORDS, T0 } from '../helpers/sample-records.js';

const require = createRequire(import.meta.url);

interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: { [key: string]: Buffer | Buffer[] };
}
type KafkajsEncoder = { buffer: Buffer };
const { RecordBatch: kafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(opts: object): Promise<KafkajsEncoder>;
};
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (opts: object) => KafkajsEncoder;
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{ firstOffset: string; producerId: string; inTransaction: boolean; records: KafkajsRecord[] }>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;

const CODECS = [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd];
const RECORDS = SAMPLE_RECORDS;

function expectRecords(records: Record[], baseOffset: number): void {
  assert.equal(records.length, RECORDS.length);
  records.forEach((r, i) => {
    const want = RECORDS[i];
    assert.equal(r.offset, baseOffset + i, `offset of ${i}`);
    assert.equal(r.timestamp, want.timestamp, `timestamp of ${i}`);
    assert.deepEqual(r.key, want.key ?? null, `key of ${i}`);
    assert.deepEqual(r.value, want.value, `value of ${i}`);
    assert.deepEqual(r.headers, want.headers ?? [], `headers of ${i}`);
  });
}

test('encodeBatch and decodeBatch round-trip records with every codec', () => {
  for (const codec of CODECS) {
    const batch = encodeBatch(RECORDS, { codec, baseOffset: 42, producerId: 7001, producerEpoch: 3, baseSequence: 17 });
    const { header, records } = decodeBatch(batch);
    assert.equal(header.attributes & Attr.CodecMask, codec);
    assert.equal(header.magic, 2);
    assert.equal(header.baseOffset, 42);
    assert.equal(header.recordCount, RECORDS.length);
    assert.equal(header.lastOffsetDelta, RECORDS.length - 1);
    assert.equal(header.baseTimestamp, T0);
    assert.equal(header.maxTimestamp, T0 + 9);
    assert.equal(header.producerId, 7001);
    assert.equal(header.producerEpoch, 3);
    assert.equal(header.baseSequence, 17);
    assert.equal(header.batchLength, batch.length - 12);
    expectRecords(records, 42);
    if (codec !== Codec.None) assert.ok(batch.length < encodeBatch(RECORDS).length, `codec ${codec} shrinks the batch`);
  }
});

test('encodeBatch marks transactional batches and defaults to no producer id', () => {
  const plain = decodeBatch(encodeBatch([{ value: Buffer.from('x') }])).header;
  assert.equal(plain.producerId, -1);
  assert.equal(plain.producerEpoch, -1);
  assert.equal(plain.baseSequence, -1);
  assert.equal(plain.attributes & Attr.Transactional, 0);
  const txn = decodeBatch(encodeBatch([{ value: Buffer.from('x') }], { transactional: true, producerId: 5, producerEpoch: 0 })).header;
  assert.equal(txn.attributes & Attr.Transactional, Attr.Transactional);
});

test('decodeBatch reports LogAppendTime batches at the batch max timestamp', () => {
  const batch = encodeBatch(RECORDS);
  batch.writeInt16BE(batch.readInt16BE(21) | Attr.LogAppendTime, 21);
  batch.writeBigInt64BE(BigInt(T0 + 99_999), 35);
  for (const r of decodeBatch(batch).records) assert.equal(r.timestamp, T0 + 99_999);
});

test('checkBatch accepts every batch encodeBatch builds', () => {
  for (const codec of CODECS) {
    const batch = encodeBatch(RECORDS, { codec });
    assert.equal(checkBatch(batch, 0, batch.length), null, `codec ${codec}`);
  }
});

test('checkBatch catches a flipped byte anywhere the CRC covers', () => {
  const batch = encodeBatch(RECORDS, { codec: Codec.Lz4 });
  for (let pos = 21; pos < batch.length; pos += 7) {
    const copy = Buffer.from(batch);
    copy[pos] ^= 0x10;
    assert.equal(checkBatch(copy, 0, copy.length)?.kind, 'corrupt', `byte ${pos}`);
  }
  const crc = Buffer.from(batch);
  crc[18] ^= 0x01;
  assert.match(checkBatch(crc, 0, crc.length)?.message ?? '', /CRC/);
});

test('checkBatch ignores baseOffset and partitionLeaderEpoch, which the broker rewrites outside the CRC', () => {
  const batch = encodeBatch(RECORDS);
  batch.writeBigInt64BE(123456789n, 0);
  batch.writeInt32BE(9, 12);
  assert.equal(checkBatch(batch, 0, batch.length), null);
});

test('checkBatch rejects truncated batches', () => {
  const batch = encodeBatch(RECORDS, { codec: Codec.Gzip });
  for (const cut of [1, 100, batch.length - BATCH_HEADER_SIZE, batch.length - BATCH_HEADER_SIZE + 1, batch.length - 1]) {
    const short = batch.subarray(0, batch.length - cut);
    assert.equal(checkBatch(short, 0, short.length)?.kind, 'corrupt', `cut ${cut}`);
  }
});

test('checkBatch reports magic other than 2 as unsupported', () => {
  const batch = encodeBatch(RECORDS);
  batch[16] = 1;
  assert.equal(checkBatch(batch, 0, batch.length)?.kind, 'unsupported');
});

test('decodeBatch throws MalformedFrameError on a truncated batch', () => {
  const batch = encodeBatch(RECORDS);
  for (const size of [0, 11, 12, 60, BATCH_HEADER_SIZE, batch.length - 1]) {
    assert.throws(() => decodeBatch(batch.subarray(0, size)), MalformedFrameError, `${size} bytes`);
  }
});

test('decodeBatch throws MalformedFrameError when a record length overruns the batch', () => {
  const batch = encodeBatch([{ value: Buffer.from('abc') }]);
  batch[BATCH_HEADER_SIZE] = 0x7e; // record length varint: 63, far more than the bytes left
  writeCrc(batch);
  assert.throws(() => decodeBatch(batch), MalformedFrameError);
});

test('decodeBatch refuses a compression bomb with DecompressionError', () => {
  // 128 gzip members of 1 MiB of zeros each: 128 MiB, twice MAX_DECOMPRESSED_BYTES.
  const member = compress(Codec.Gzip, Buffer.alloc(1024 * 1024));
  const bomb = Buffer.concat(Array.from({ length: 128 }, () => member));
  const batch = encodeBatch([{ value: Buffer.from('x') }]);
  const forged = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), bomb]);
  forged.writeInt32BE(forged.length - 12, 8);
  forged.writeInt16BE(Codec.Gzip, 21);
  writeCrc(forged);
  assert.throws(() => decodeBatch(forged), (err: unknown) => err instanceof DecompressionError && err.tooLarge);
});

test('forEachBatch walks batches laid end to end and stops at a partial one', () => {
  const a = encodeBatch(RECORDS.slice(0, 2), { baseOffset: 0 });
  const b = encodeBatch(RECORDS.slice(2), { baseOffset: 2, codec: Codec.Zstd });
  const seen: number[] = [];
  forEachBatch(Buffer.concat([a, b, b.subarray(0, 30)]), (pos, size) => {
    seen.push(pos, size);
  });
  assert.deepEqual(seen, [0, a.length, a.length, b.length]);
});

// ---- kafkajs ----------------------------------------------------------------

async function kafkajsBatch(compression: number): Promise<Buffer> {
  const records = RECORDS.map((r, i) =>
    kafkajsRecord({
      offsetDelta: i,
      timestampDelta: (r.timestamp as number) - T0,
      key: r.key ?? null,
      value: r.value,
      headers: Object.fromEntries((r.headers ?? []).filter((h) => h.value !== null).map((h) => [h.key, h.value])),
    }),
  );
  const encoder = await kafkajsRecordBatch({
    compression,
    firstOffset: 100,
    firstTimestamp: T0,
    maxTimestamp: T0 + 9,
    lastOffsetDelta: RECORDS.length - 1,
    producerId: 55,
    producerEpoch: 1,
    firstSequence: 0,
    records,
  });
  return encoder.buffer;
}

test('a batch built by kafkajs passes checkBatch and decodes with decodeBatch', async () => {
  for (const codec of [Codec.None, Codec.Gzip]) {
    const batch = await kafkajsBatch(codec);
    assert.equal(checkBatch(batch, 0, batch.length), null, 'kafkajs computes the same CRC32C');
    const { header, records } = decodeBatch(batch);
    assert.equal(header.producerId, 55);
    assert.equal(records.length, RECORDS.length);
    records.forEach((r, i) => {
      assert.equal(r.offset, 100 + i);
      assert.equal(r.timestamp, RECORDS[i].timestamp);
      assert.deepEqual(r.key, RECORDS[i].key ?? null);
      assert.deepEqual(r.value, RECORDS[i].value);
    });
    // kafkajs's headers are an object, so it keeps the last value per key and cannot send null values.
    assert.deepEqual(
      records[4].headers.map((h) => h.key),
      ['trace-id', 'empty', 'clé-ünïcode'],
    );
    assert.deepEqual(records[4].headers[0].value, Buffer.from('second value, same key'));
  }
});

test('kafkajs decodes batches built by encodeBatch', async () => {
  for (const codec of [Codec.None, Codec.Gzip]) {
    const batch = encodeBatch(RECORDS, { codec, baseOffset: 9, producerId: 77, transactional: true });
    const decoded = await kafkajsDecodeBatch(new KafkajsDecoder(batch));
    assert.equal(decoded.firstOffset, '9');
    assert.equal(decoded.producerId, '77');
    assert.equal(decoded.inTransaction, true);
    decoded.records.forEach((r, i) => {
      assert.equal(r.offset, String(9 + i));
      assert.equal(r.timestamp, String(RECORDS[i].timestamp));
      assert.deepEqual(r.key, RECORDS[i].key ?? null);
      assert.deepEqual(r.value, RECORDS[i].value);
    });
    assert.deepEqual(decoded.records[4].headers['trace-id'], [Buffer.from('abc'), Buffer.from('second value, same key')]);
  }
});

// ---- @platformatic/kafka ----------------------------------------------------

// Node 20 has no zstd in node:zlib, so @platformatic/kafka cannot do zstd here.
const PLATFORMATIC_CODECS: [Codec, 'none' | 'gzip' | 'snappy' | 'lz4'][] = [
  [Codec.None, 'none'],
  [Codec.Gzip, 'gzip'],
  [Codec.Snappy, 'snappy'],
  [Codec.Lz4, 'lz4'],
];

function platformaticHeaders(r: NewRecord): Map<Buffer, Buffer> {
  // Its header map drops duplicate keys and null values; keep the representable ones.
  return new Map((r.headers ?? []).filter((h) => h.value !== null && h.key !== 'trace-id').map((h) => [Buffer.from(h.key), h.value as Buffer]));
}

test('a batch built by @platformatic/kafka passes checkBatch and decodes with decodeBatch', () => {
  for (const [codec, name] of PLATFORMATIC_CODECS) {
    const messages = RECORDS.map((r) => ({
      topic: 't',
      key: r.key ?? undefined,
      value: r.value as Buffer,
      timestamp: BigInt(r.timestamp as number),
      headers: platformaticHeaders(r),
    }));
    const batch = createRecordsBatch(messages, { compression: name, producerId: 12n, producerEpoch: 2 }).buffer;
    assert.equal(checkBatch(batch, 0, batch.length), null, name);
    const { header, records } = decodeBatch(batch);
    assert.equal(header.attributes & Attr.CodecMask, codec);
    records.forEach((r, i) => {
      assert.equal(r.timestamp, RECORDS[i].timestamp, `${name} timestamp ${i}`);
      assert.deepEqual(r.key, RECORDS[i].key ?? null, `${name} key ${i}`);
      assert.deepEqual(r.value, RECORDS[i].value, `${name} value ${i}`);
    });
    assert.deepEqual(
      records[4].headers.map((h) => h.key),
      ['empty', 'clé-ünïcode'],
    );
  }
});

test('@platformatic/kafka decodes batches built by encodeBatch', () => {
  for (const [codec, name] of PLATFORMATIC_CODECS) {
    const batch = encodeBatch(RECORDS, { codec, baseOffset: 3 });
    const decoded = readRecordsBatch(PlatformaticReader.from(batch));
    assert.equal(decoded.firstOffset, 3n, name);
    assert.equal(decoded.records.length, RECORDS.length, name);
    decoded.records.forEach((r, i) => {
      assert.equal(r.offsetDelta, i);
      assert.equal(BigInt(T0) + r.timestampDelta, BigInt(RECORDS[i].timestamp as number));
      assert.deepEqual(r.key, RECORDS[i].key ?? null);
      assert.deepEqual(r.value, RECORDS[i].value);
    });
    assert.deepEqual(
      decoded.records[4].headers.map(([k, v]) => [k?.toString(), v]),
      (RECORDS[4].headers ?? []).map((h) => [h.key, h.value]),
    );
  }
});

test('rewriteBatch keeps the chosen records at their offsets, with the header and codec of the original', async () => {
  const { rewriteBatch, sliceRecords, batchRecordBytes } = await import('../../src/protocol/records.js');
  for (const codec of [Codec.None, Codec.Gzip]) {
    const records: NewRecord[] = ['a', 'b', 'a', 'c'].map((k, i) => ({ key: Buffer.from(k), value: i === 3 ? null : Buffer.from(`v${i}`), timestamp: 5_000 + i }));
    const batch = encodeBatch(records, { codec, baseOffset: 100, producerId: 9, producerEpoch: 2, baseSequence: 40 });
    const body = batchRecordBytes(batch);
    const slices = sliceRecords(body);
    assert.deepEqual(slices.map((s) => [s.offsetDelta, s.key?.toString(), s.valueIsNull]), [[0, 'a', false], [1, 'b', false], [2, 'a', false], [3, 'c', true]]);
    const out = rewriteBatch(batch, 0, body, [slices[1], slices[3]]);
    assert.equal(checkBatch(out, 0, out.length), null);
    const { header, records: kept } = decodeBatch(out);
    assert.deepEqual(kept.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null, r.timestamp]), [[101, 'b', 'v1', 5001], [103, 'c', null, 5003]]);
    const original = decodeBatch(batch).header;
    assert.deepEqual({ ...header, batchLength: 0, crc: 0, recordCount: 0 }, { ...original, batchLength: 0, crc: 0, recordCount: 0 });
    assert.equal(header.recordCount, 2);
    assert.equal(header.lastOffsetDelta, 3, 'lastOffsetDelta is kept, leaving a gap');
  }
});

test('trimBatch cuts an uncompressed batch to a span of offsets, header kept, and returns a compressed or fully covered one as it is', async () => {
  const { trimBatch } = await import('../../src/protocol/records.js');
  const records: NewRecord[] = Array.from({ length: 200 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 7_000 + i }));
  const batch = encodeBatch(records, { baseOffset: 1_000, producerId: 5, producerEpoch: 1, baseSequence: 10 });
  // Offset deltas past 63 take two varint bytes: the span crosses that boundary.
  const out = trimBatch(batch, 0, 1_060, 1_069);
  assert.equal(checkBatch(out, 0, out.length), null);
  const { header, records: kept } = decodeBatch(out);
  assert.deepEqual(kept.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.timestamp]), Array.from({ length: 10 }, (_, i) => [1_060 + i, `k${60 + i}`, `v${60 + i}`, 7_060 + i]));
  const original = decodeBatch(batch).header;
  assert.deepEqual({ ...header, batchLength: 0, crc: 0, recordCount: 0 }, { ...original, batchLength: 0, crc: 0, recordCount: 0 });
  assert.equal(header.recordCount, 10);
  assert.ok(out.length < batch.length / 10, `${out.length} bytes of ${batch.length}`);
  // Beside another batch in one buffer, as a log read returns them.
  const two = Buffer.concat([encodeBatch(records.slice(0, 3), { baseOffset: 990 }), batch]);
  assert.deepEqual(decodeBatch(trimBatch(two, two.length - batch.length, 1_199, 1_199)).records.map((r) => r.offset), [1_199]);
  const whole = trimBatch(batch, 0, 1_000, 1_199);
  assert.ok(whole.buffer === batch.buffer && whole.byteOffset === batch.byteOffset && whole.length === batch.length, 'a span over every record is a view of the batch');
  const gzip = encodeBatch(records, { codec: Codec.Gzip, baseOffset: 1_000 });
  assert.equal(trimBatch(gzip, 0, 1_060, 1_069).length, gzip.length, 'a compressed batch goes whole');
});
