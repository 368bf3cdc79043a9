// Proves what the fuzzer relies on from its mutator: a frame is the same for
// the same seed and index whatever ran before it, seeds differ, the size
// prefix is right whenever the frame says so, and the correlation id carries
// the frame's index so answers can be matched to frames.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiVersionsRequest } from '../../src/protocol/messages/api-versions.js';
import { MetadataRequest } from '../../src/protocol/messages/metadata.js';
import { encodeRequest } from '../helpers/raw-socket.js';
import { mutateFrame } from './mutator.js';

const corpus = [
  encodeRequest(ApiVersionsRequest, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' }, 1),
  encodeRequest(MetadataRequest, 9, { topics: [{ name: 'some-topic' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 2),
];

test('frame i of a seed is the same whichever frames were made before it', () => {
  const forward = Array.from({ length: 200 }, (_, i) => mutateFrame(corpus, 42, i));
  for (let i = 199; i >= 0; i--) assert.deepEqual(mutateFrame(corpus, 42, i), forward[i]);
  const other = Array.from({ length: 200 }, (_, i) => mutateFrame(corpus, 43, i));
  assert.ok(other.some((f, i) => !f.bytes.equals(forward[i].bytes)), 'another seed gives other frames');
});

test('a frame marked sizeValid has its true size, the others do not, and frames long enough carry their index as correlation id', () => {
  let bad = 0;
  for (let i = 0; i < 2000; i++) {
    const f = mutateFrame(corpus, 7, i);
    assert.equal(f.bytes.readInt32BE(0) === f.bytes.length - 4, f.sizeValid, `frame ${i}: ${f.mutation}`);
    if (!f.sizeValid) bad++;
    if (f.bytes.length >= 12) assert.equal(f.bytes.readInt32BE(8), i);
    assert.ok(!f.bytes.equals(corpus[f.source]), `frame ${i} is mutated`);
  }
  assert.ok(bad > 20 && bad < 120, `${bad} of 2000 frames with a bad size prefix`);
});
