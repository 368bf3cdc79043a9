// The record scanner and batch rebuilds (src/protocol/record-scan.ts): headers
// found by exact key (dedup.header), records kept byte for byte with their
// offsets and the batch's sequence range, every codec re-applied, empty batches
// header-only, and malformed records refused; the key and timestamp rules
// walk (record-rules.ts); recompression into another codec (recompress.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedFrameError } from '../../src/protocol/malformed-frame-error.js';
import { type RecordRules, checkRecords, rebuildBatch, recodeBatch, scanRecords } from '../../src/protocol/record-scan.js';
import { Attr, Codec, batchCodec, checkBatch, readBatchHeader } from '../../src/protocol/record-batch.js';
import { type NewRecord, batchRecordBytes, decodeBatch, encodeBatch } from '../../src/protocol/records.js';

const KEY = Buffer.from('message-id');

function records(): NewRecord[] {
  return [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [{ key: 'message-id', value: Buffer.from('a') }], timestamp: 1000 },
    // Similar keys that must not match, a null value, then the real one.
    { value: null, headers: [{ key: 'message-i', value: Buffer.from('no') }, { key: 'message-idx', value: Buffer.from('no') }, { key: 'message-id', value: null }, { key: 'message-id', value: Buffer.from('b') }], timestamp: 1005 },
    { value: Buffer.from('v2'), timestamp: 1010 },
    { value: Buffer.from('v3'), headers: [{ key: 'message-id', value: Buffer.from([0xff, 0x00, 0xc3]) }], timestamp: 999 },
  ];
}

test('scanRecords reports each record span, offset delta, timestamp delta and the first non-null value of the header', () => {
  const batch = encodeBatch(records());
  const body = batchRecordBytes(batch, 0);
  const seen: [number, number, string | null][] = [];
  let end = 0;
  scanRecords(body, KEY, (start, stop, offsetDelta, timestampDelta, valueStart, valueEnd) => {
    assert.equal(start, end, 'records are contiguous');
    end = stop;
    seen.push([offsetDelta, timestampDelta, valueStart < 0 ? null : body.toString('latin1', valueStart, valueEnd)]);
  });
  assert.equal(end, body.length);
  assert.deepEqual(seen, [
    [0, 0, 'a'],
    [1, 5, 'b'],
    [2, 10, null],
    [3, -1, '\u00ff\u0000\u00c3'],
  ]);
});

for (const [name, codec] of [
  ['none', Codec.None],
  ['gzip', Codec.Gzip],
  ['snappy', Codec.Snappy],
  ['lz4', Codec.Lz4],
  ['zstd', Codec.Zstd],
] as const) {
  test(`rebuildBatch (${name}) keeps the chosen records at their offsets, the sequence range and the codec, with a valid CRC`, () => {
    const batch = encodeBatch(records(), { codec, producerId: 12, producerEpoch: 3, baseSequence: 40, baseOffset: 100 });
    const body = batchRecordBytes(batch, 0);
    const starts: number[] = [];
    const ends: number[] = [];
    scanRecords(body, KEY, (start, end, offsetDelta) => {
      if (offsetDelta % 2 === 1) {
        starts.push(start);
        ends.push(end);
      }
    });
    const rebuilt = rebuildBatch(batch, 0, body, starts, ends);
    assert.equal(checkBatch(rebuilt, 0, rebuilt.length), null);
    assert.equal(batchCodec(rebuilt), codec);
    const { header, records: kept } = decodeBatch(rebuilt);
    assert.deepEqual(
      [header.baseOffset, header.lastOffsetDelta, header.recordCount, header.producerId, header.producerEpoch, header.baseSequence, header.baseTimestamp],
      [100, 3, 2, 12, 3, 40, 1000],
    );
    assert.deepEqual(
      kept.map((r) => [r.offset, r.timestamp, r.value?.toString() ?? null]),
      [
        [101, 1005, null],
        [103, 999, 'v3'],
      ],
    );
  });
}

test('rebuildBatch with no record left writes a header-only, uncompressed batch that still spans its offsets', () => {
  const batch = encodeBatch(records(), { codec: Codec.Gzip, producerId: 5, producerEpoch: 0, baseSequence: 8 });
  const empty = rebuildBatch(batch, 0, batchRecordBytes(batch, 0), [], []);
  assert.equal(empty.length, 61);
  assert.equal(checkBatch(empty, 0, empty.length), null);
  assert.equal(batchCodec(empty), Codec.None);
  const { header, records: none } = decodeBatch(empty);
  assert.deepEqual([header.recordCount, header.lastOffsetDelta, header.baseSequence], [0, 3, 8]);
  assert.deepEqual(none, []);
});

test('a header or record length that overruns its record is refused', () => {
  const body = batchRecordBytes(encodeBatch([{ value: Buffer.from('abc'), headers: [{ key: 'message-id', value: Buffer.from('x') }] }]), 0);
  const truncated = body.subarray(0, body.length - 2);
  assert.throws(() => scanRecords(truncated, KEY, () => {}), MalformedFrameError);
  const lying = Buffer.from(body);
  lying[lying.length - 2] = 0x7e; // the header value's length: 63 bytes that are not there
  assert.throws(() => scanRecords(lying, KEY, () => {}), MalformedFrameError);
});

/** The breaches checkRecords reports, as [index, 'key' | timestamp]. */
function breaches(body: Buffer, baseTimestamp: number, sameTimestamp: boolean, rules: RecordRules): { count: number; found: [number, string | number][] } {
  const found: [number, string | number][] = [];
  const count = checkRecords(body, baseTimestamp, sameTimestamp, rules, (index, keyMissing, timestamp) => found.push([index, keyMissing ? 'key' : timestamp]));
  return { count, found };
}

test('checkRecords counts the records and reports a missing key before a timestamp out of bounds; -1 is no timestamp', () => {
  const body = batchRecordBytes(encodeBatch(records()), 0); // keys only on record 0; timestamps 1000, 1005, 1010, 999
  const off = { minTimestamp: -Infinity, maxTimestamp: Infinity };
  assert.deepEqual(breaches(body, 1000, false, { requireKey: false, ...off }), { count: 4, found: [] });
  assert.deepEqual(breaches(body, 1000, false, { requireKey: true, ...off }).found, [
    [1, 'key'],
    [2, 'key'],
    [3, 'key'],
  ]);
  assert.deepEqual(breaches(body, 1000, false, { requireKey: false, minTimestamp: 1000, maxTimestamp: 1005 }).found, [
    [2, 1010],
    [3, 999],
  ]);
  // Records 2 and 3 break both rules: the key is reported.
  assert.deepEqual(breaches(body, 1000, false, { requireKey: true, minTimestamp: 1000, maxTimestamp: 1005 }).found, [
    [1, 'key'],
    [2, 'key'],
    [3, 'key'],
  ]);
  // A LogAppendTime batch: every record carries the one timestamp given.
  assert.deepEqual(breaches(body, 2000, true, { requireKey: false, minTimestamp: 0, maxTimestamp: 1500 }).found.map(([i]) => i), [0, 1, 2, 3]);
  const untimed = batchRecordBytes(encodeBatch([{ key: Buffer.from('k'), value: null, timestamp: -1 }]), 0);
  assert.deepEqual(breaches(untimed, -1, false, { requireKey: true, minTimestamp: 0, maxTimestamp: 10 }), { count: 1, found: [] });
  assert.throws(() => checkRecords(body.subarray(0, body.length - 1), 1000, false, { requireKey: true, ...off }, () => {}), MalformedFrameError);
});

for (const [from, to] of [
  [Codec.None, Codec.Lz4],
  [Codec.Gzip, Codec.Zstd],
  [Codec.Snappy, Codec.Gzip],
  [Codec.Zstd, Codec.None],
] as const) {
  test(`recodeBatch from codec ${from} to ${to} keeps every header field but length, codec and CRC, and every record`, () => {
    const batch = encodeBatch(records(), { codec: from, producerId: 12, producerEpoch: 3, baseSequence: 40, baseOffset: 100, transactional: true });
    const recoded = recodeBatch(batch, 0, batchRecordBytes(batch, 0), to);
    assert.equal(checkBatch(recoded, 0, recoded.length), null, 'valid CRC and length');
    assert.equal(batchCodec(recoded), to);
    const { crc: _c, batchLength: _l, attributes, ...header } = readBatchHeader(recoded);
    const { crc: _oc, batchLength: _ol, attributes: originalAttributes, ...original } = readBatchHeader(batch);
    assert.deepEqual(header, original);
    assert.equal(attributes & ~Attr.CodecMask, originalAttributes & ~Attr.CodecMask, 'transactional and timestamp-type bits kept');
    assert.deepEqual(decodeBatch(recoded).records, decodeBatch(batch).records);
  });
}
