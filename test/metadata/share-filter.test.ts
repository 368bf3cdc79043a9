// The share.filter language: what parses to what (precedence, paths, literals)
// and where a bad expression is reported as wrong.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterSyntaxError, MAX_FILTER_LENGTH, parseShareFilter, shareFilterProblem } from '../../src/metadata/share-filter.js';

test('and binds tighter than or; not, exists and parentheses nest', () => {
  assert.deepEqual(parseShareFilter('header.type == "created" or value.total > 10 and not exists key'), {
    op: 'or',
    left: { op: '==', field: { kind: 'header', name: 'type' }, literal: 'created' },
    right: {
      op: 'and',
      left: { op: '>', field: { kind: 'value', path: ['total'] }, literal: 10 },
      right: { op: 'not', operand: { op: 'exists', field: { kind: 'key' } } },
    },
  });
  assert.deepEqual(parseShareFilter('(key == "a" or key == "b") and key != null'), {
    op: 'and',
    left: { op: 'or', left: { op: '==', field: { kind: 'key' }, literal: 'a' }, right: { op: '==', field: { kind: 'key' }, literal: 'b' } },
    right: { op: '!=', field: { kind: 'key' }, literal: null },
  });
});

test('fields: header names with dashes or quoted, value paths with names, quoted names and indexes', () => {
  assert.deepEqual(parseShareFilter('header.trace-id startsWith "ab\\"c\\\\"'), { op: 'startsWith', field: { kind: 'header', name: 'trace-id' }, literal: 'ab"c\\' });
  assert.deepEqual(parseShareFilter('header["content.kind"] == true'), { op: '==', field: { kind: 'header', name: 'content.kind' }, literal: true });
  assert.deepEqual(parseShareFilter('value.items[0]["unit price"] <= -2.5e1'), { op: '<=', field: { kind: 'value', path: ['items', 0, 'unit price'] }, literal: -25 });
  assert.deepEqual(parseShareFilter('value == false'), { op: '==', field: { kind: 'value', path: [] }, literal: false });
});

test('a bad expression is refused with the column where it goes wrong', () => {
  const problems: [string, number, RegExp][] = [
    ['header.type = "x"', 13, /expected ==, !=/],
    ['header.type == ', 16, /expected a string, a number/],
    ['value.total > "ten"', 15, /> compares numbers/],
    ['header.type startsWith 3', 24, /expected a string after startsWith/],
    ['(key == "a"', 12, /expected "\)"/],
    ['key == "a" key == "b"', 12, /expected "and", "or" or the end/],
    ['body.x == 1', 1, /expected key, header.<name> or value.<path>/],
    ['header[0] == "x"', 8, /expected a quoted header name/],
    ['key == "open', 8, /not closed/],
    ['key == "\\n"', 9, /may be escaped/],
  ];
  for (const [text, column, message] of problems) {
    assert.throws(() => parseShareFilter(text), (err: unknown) => err instanceof FilterSyntaxError && err.column === column && message.test(err.message), text);
  }
  assert.throws(() => parseShareFilter(`${'not '.repeat(100)}exists key`), /nested deeper than 64/);
  assert.throws(() => parseShareFilter(`key == "${'x'.repeat(MAX_FILTER_LENGTH)}"`), /longer than/);
});

test('the config validator accepts empty (no filter) and says where a bad one is wrong', () => {
  assert.equal(shareFilterProblem(''), null);
  assert.equal(shareFilterProblem('exists header.type'), null);
  assert.equal(shareFilterProblem('header.type =='), 'is not a valid filter at column 15: expected a string, a number, true, false or null, found the end');
});
