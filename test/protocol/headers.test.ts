// Proves request and response headers are read as written, including the
// tagged-field section that ends flexible headers (KIP-482): its count is a
// plain uvarint, and every field in it must be skipped, not just counted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRequestHeader, readResponseHeader, skipHeaderTags, writeRequestHeader, writeResponseHeader } from '../../src/protocol/headers.js';
import { MalformedFrameError } from '../../src/protocol/malformed-frame-error.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');

test('request header v1 and v2 round-trip', () => {
  const h = { apiKey: 3, apiVersion: 12, correlationId: 77, clientId: 'cli' };
  for (const flexible of [false, true]) {
    const w = new Writer();
    writeRequestHeader(w, h, flexible);
    const r = new Reader(w.toBuffer());
    assert.deepEqual(readRequestHeader(r), h);
    if (flexible) skipHeaderTags(r);
    assert.equal(r.remaining, 0);
  }
});

test('request header v2 by hand: client id keeps its int16 length, then tagged fields', () => {
  const w = new Writer();
  writeRequestHeader(w, { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: null }, true);
  assert.deepEqual(w.toBuffer(), hex('0012 0003 00000001 ffff 00'));
});

test('tagged fields in a request header are skipped, leaving the reader at the body', () => {
  // Header v2, then 2 tagged fields (tag 0 of 2 bytes, tag 5 of 1 byte), then a body byte 0x2a.
  const r = new Reader(hex('0012 0003 00000001 0001 61 | 02 | 00 02 aabb | 05 01 cc | 2a'));
  assert.equal(readRequestHeader(r).clientId, 'a');
  skipHeaderTags(r);
  assert.equal(r.int8(), 0x2a);
});

test('a huge tagged-field count in a header is refused before looping', () => {
  assert.throws(() => skipHeaderTags(new Reader(hex('ffffffff07 00'))), MalformedFrameError);
});

test('response header v0 has no tagged fields; v1 ends with them', () => {
  for (const flexible of [false, true]) {
    const w = new Writer();
    writeResponseHeader(w, 9, flexible);
    w.int8(0x2a);
    const r = new Reader(w.toBuffer());
    assert.equal(readResponseHeader(r, flexible), 9);
    assert.equal(r.int8(), 0x2a);
  }
  const r = new Reader(hex('00000009 | 01 | 03 02 0000 | 2a'));
  assert.equal(readResponseHeader(r, true), 9);
  assert.equal(r.int8(), 0x2a);
});
