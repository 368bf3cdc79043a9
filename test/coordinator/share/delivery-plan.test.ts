// The delivery plan of a batch: records with a well-formed sluice-deliver-at
// header get its time and the others their batch's, in compressed batches
// too; a group's filter marks the records it does not pass; a batch without
// the header and no filter is one run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DELIVER_AT_HEADER, planBatch } from '../../../src/coordinator/share/delivery-plan.js';
import { parseShareFilter } from '../../../src/metadata/share-filter.js';
import { Codec } from '../../../src/protocol/record-batch.js';
import { type NewRecord, encodeBatch } from '../../../src/protocol/records.js';

const at = (value: string | null, type = 'x'): NewRecord => ({
  value: Buffer.from('v'),
  headers: value === null ? [{ key: 'type', value: Buffer.from(type) }] : [{ key: 'type', value: Buffer.from(type) }, { key: DELIVER_AT_HEADER, value: Buffer.from(value) }],
});
const due = (first: number, last: number, notBefore: number, filteredOut = false) => ({ first, last, notBefore, filteredOut });

for (const codec of [Codec.None, Codec.Gzip, Codec.Lz4]) {
  test(`records with a deliver-at header get its time and the others their batch's (codec ${Codec[codec]})`, () => {
    const batch = encodeBatch([at(null), at('1700000060000'), at('1700000060000'), at(null), at('2000000000000')], { codec, baseOffset: 40 });
    assert.deepEqual(planBatch(batch, 0, 40, 44, 7, null), [due(40, 40, 7), due(41, 42, 1_700_000_060_000), due(43, 43, 7), due(44, 44, 2_000_000_000_000)]);
  });
}

test('a batch without the header and no filter is due with its batch, as one run', () => {
  const batch = encodeBatch([at(null), at(null)], { baseOffset: 5 });
  assert.deepEqual(planBatch(batch, 0, 5, 6, 0, null), [due(5, 6, 0)]);
});

test('a malformed deliver-at value is no time: that record is due with its batch', () => {
  const batch = encodeBatch([at('soon'), at('-5'), at(''), at('12345678901234567'), at(' 10'), at('10')]);
  assert.deepEqual(planBatch(batch, 0, 0, 5, 0, null), [due(0, 4, 0), due(5, 5, 10)]);
});

test('records the filter does not pass are filtered out, whatever their time', () => {
  const batch = encodeBatch([at(null, 'created'), at(null, 'deleted'), at('99', 'deleted'), at('99', 'created'), at(null, 'created')], { codec: Codec.Gzip });
  assert.deepEqual(planBatch(batch, 0, 0, 4, 0, parseShareFilter('header.type == "created"')), [due(0, 0, 0), due(1, 1, 0, true), due(2, 2, 99, true), due(3, 3, 99), due(4, 4, 0)]);
});
