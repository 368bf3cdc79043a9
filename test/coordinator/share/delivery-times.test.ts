// Per-record delivery times from the sluice-deliver-at header: records with a
// well-formed value get it, the others their batch's time, in compressed
// batches too; a batch without the header is one run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DELIVER_AT_HEADER, batchDeliveryTimes } from '../../../src/coordinator/share/delivery-times.js';
import { Codec } from '../../../src/protocol/record-batch.js';
import { type NewRecord, encodeBatch } from '../../../src/protocol/records.js';

const at = (value: string | null): NewRecord => ({
  value: Buffer.from('v'),
  headers: value === null ? [{ key: 'other', value: Buffer.from('1') }] : [{ key: 'other', value: Buffer.from('x') }, { key: DELIVER_AT_HEADER, value: Buffer.from(value) }],
});

for (const codec of [Codec.None, Codec.Gzip, Codec.Lz4]) {
  test(`records with a deliver-at header get its time and the others their batch's (codec ${Codec[codec]})`, () => {
    const batch = encodeBatch([at(null), at('1700000060000'), at('1700000060000'), at(null), at('2000000000000')], { codec, baseOffset: 40 });
    assert.deepEqual(batchDeliveryTimes(batch, 0, 40, 44, 7), [
      { first: 40, last: 40, notBefore: 7 },
      { first: 41, last: 42, notBefore: 1_700_000_060_000 },
      { first: 43, last: 43, notBefore: 7 },
      { first: 44, last: 44, notBefore: 2_000_000_000_000 },
    ]);
  });
}

test('a batch without the header is due with its batch, as one run', () => {
  const batch = encodeBatch([at(null), at(null)], { baseOffset: 5 });
  assert.deepEqual(batchDeliveryTimes(batch, 0, 5, 6, 0), [{ first: 5, last: 6, notBefore: 0 }]);
});

test('a malformed deliver-at value is no time: that record is due with its batch', () => {
  const batch = encodeBatch([at('soon'), at('-5'), at(''), at('12345678901234567'), at(' 10'), at('10')]);
  assert.deepEqual(batchDeliveryTimes(batch, 0, 0, 5, 0), [
    { first: 0, last: 4, notBefore: 0 },
    { first: 5, last: 5, notBefore: 10 },
  ]);
});
