import assert from 'node:assert/strict';
import test from 'node:test';
import { MalformedFrameError } from '../../src/protocol/malformed-frame-error.js';
import { Codec } from '../../src/protocol/record-batch.js';
import { batchRecordBytes, countRecords, encodeBatch } from '../../src/protocol/records.js';

test('countRecords counts the records of plain and compressed batches', () => {
  for (const codec of [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd]) {
    for (const n of [1, 2, 300]) {
      const batch = encodeBatch(
        Array.from({ length: n }, (_, i) => ({ key: i % 2 ? Buffer.from(`k${i}`) : null, value: Buffer.alloc(i % 200, 7) })),
        { codec },
      );
      assert.equal(countRecords(batchRecordBytes(batch)), n, `codec ${codec}, ${n} records`);
    }
  }
});

test('countRecords rejects a length that overruns the records section', () => {
  const body = batchRecordBytes(encodeBatch([{ value: Buffer.from('hello') }]));
  assert.throws(() => countRecords(body.subarray(0, body.length - 1)), MalformedFrameError);
  assert.throws(() => countRecords(Buffer.from([0x01])), MalformedFrameError, 'zigzag -1 is a negative length');
  assert.throws(() => countRecords(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), MalformedFrameError, 'varint too long');
});
