// The record scanner and batch rebuild behind dedup.header
// (src/protocol/record-scan.ts): headers found by exact key, records kept byte
// for byte with their offsets and the batch's sequence range, every codec
// re-applied, empty batches header-only, and malformed records refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedFrameError } from '../../src/protocol/malformed-frame-error.js';
import { rebuildBatch, scanRecords } from '../../src/protocol/record-scan.js';
import { Codec, batchCodec, checkBatch } from '../../src/protocol/record-batch.js';
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
