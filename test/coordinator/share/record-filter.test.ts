// share.filter applied to records as stored: equality, prefix, numeric
// comparison, exists, and/or/not over the key, headers and JSON value fields,
// and what a missing field or a value that is not JSON does.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordPasses } from '../../../src/coordinator/share/record-filter.js';
import { parseShareFilter } from '../../../src/metadata/share-filter.js';
import { type NewRecord, batchRecordBytes, encodeBatch, sliceRecords } from '../../../src/protocol/records.js';

const RECORDS: NewRecord[] = [
  { key: Buffer.from('order-1'), value: Buffer.from(JSON.stringify({ total: 25, customer: { id: 'c1', vip: true }, items: [{ sku: 'a' }] })), headers: [{ key: 'type', value: Buffer.from('created') }, { key: 'n', value: Buffer.from('12') }] },
  { key: Buffer.from('order-2'), value: Buffer.from(JSON.stringify({ total: 5, customer: { id: null } })), headers: [{ key: 'type', value: Buffer.from('cancelled') }] },
  { key: null, value: Buffer.from('not json'), headers: [{ key: 'type', value: null }] },
  { key: Buffer.from('order-3'), value: null },
];

/** Which of RECORDS pass `filter`, by index. */
function passing(filter: string): number[] {
  const body = batchRecordBytes(encodeBatch(RECORDS));
  const parsed = parseShareFilter(filter);
  return sliceRecords(body).flatMap((r, i) => (recordPasses(body, r.start, r.end, parsed) ? [i] : []));
}

test('equality and inequality on headers, keys and JSON fields', () => {
  assert.deepEqual(passing('header.type == "created"'), [0]);
  assert.deepEqual(passing('header.type != "created"'), [1, 2, 3], 'a missing header is not equal');
  assert.deepEqual(passing('header.type == null'), [2]);
  assert.deepEqual(passing('key == null'), [2]);
  assert.deepEqual(passing('value.customer.vip == true'), [0]);
  assert.deepEqual(passing('value.customer.id == null'), [1]);
  assert.deepEqual(passing('value.items[0].sku == "a"'), [0]);
  assert.deepEqual(passing('value.total == 25'), [0]);
});

test('prefix and numeric comparisons; header text that is a number compares as one', () => {
  assert.deepEqual(passing('key startsWith "order-"'), [0, 1, 3]);
  assert.deepEqual(passing('value.total > 10'), [0]);
  assert.deepEqual(passing('value.total <= 5'), [1]);
  assert.deepEqual(passing('header.n >= 12'), [0]);
  assert.deepEqual(passing('header.type > 1'), [], 'text that is not a number compares with no number');
});

test('exists, and, or, not; a value that is not JSON has no fields', () => {
  assert.deepEqual(passing('exists value.customer.id'), [0, 1], 'a null field exists');
  assert.deepEqual(passing('exists header.type'), [0, 1, 2]);
  assert.deepEqual(passing('exists value'), [0, 1], 'not JSON, or null: no value');
  assert.deepEqual(passing('header.type == "created" and value.total > 10'), [0]);
  assert.deepEqual(passing('header.type == "cancelled" or not exists header.type'), [1, 3]);
  assert.deepEqual(passing('not (value.total > 10 or key == null)'), [1, 3]);
});
