// Records that exercise every field of the record format: null and empty keys
// and values, a negative timestamp delta, repeated, empty, null and non-ASCII
// headers, and a value past the Writer's zero-copy threshold (4 KiB).

import type { NewRecord } from '../../src/protocol/records.js';

export const T0 = 1_700_000_000_000;

export const SAMPLE_RECORDS: NewRecord[] = [
  { key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), timestamp: T0 },
  { key: null, value: Buffer.from('no key'), timestamp: T0 + 5 },
  { key: Buffer.from('tombstone'), value: null, timestamp: T0 + 7 },
  // Earlier than the first record: a negative timestamp delta.
  { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: T0 - 1000 },
  {
    key: Buffer.from('with-headers'),
    value: Buffer.from('h'),
    timestamp: T0 + 2,
    headers: [
      { key: 'trace-id', value: Buffer.from('abc') },
      { key: 'trace-id', value: Buffer.from('second value, same key') },
      { key: 'empty', value: Buffer.alloc(0) },
      { key: 'null', value: null },
      { key: 'clé-ünïcode', value: Buffer.from([0, 1, 2, 255]) },
    ],
  },
  { key: Buffer.from('big'), value: Buffer.alloc(10_000, 0x5a), timestamp: T0 + 9 },
];
