// partition.metadata names a partition directory's topic by id, in Kafka's
// layout; a missing file and an unreadable one are told apart from a topic id,
// never thrown.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PARTITION_METADATA_FILE, readPartitionMetadata, writePartitionMetadata } from '../../src/storage/partition-metadata.js';
import { tempDir } from './log-test-helpers.js';

const TOPIC_ID = Buffer.from('ddadbeef000040008000000000000001', 'hex');

test('a written topic id reads back, in Kafka’s layout (base64url without padding)', (t) => {
  const dir = tempDir(t);
  writePartitionMetadata(dir, TOPIC_ID);
  assert.equal(fs.readFileSync(path.join(dir, PARTITION_METADATA_FILE), 'utf8'), 'version: 0\ntopic_id: 3a2-7wAAQACAAAAAAAAAAQ\n');
  assert.deepEqual(readPartitionMetadata(dir), { kind: 'topic', topicId: TOPIC_ID });
});

test('no file reads as none; a wrong version, a bad id or a torn file as unreadable, with the reason', (t) => {
  const dir = tempDir(t);
  assert.deepEqual(readPartitionMetadata(dir), { kind: 'none' });
  const file = path.join(dir, PARTITION_METADATA_FILE);
  const cases: [string, RegExp][] = [
    ['version: 1\ntopic_id: 3a2-7wAAQACAAAAAAAAAAQ\n', /version "1", expected 0/],
    ['version: 0\ntopic_id: 3a2-7wAAQACAAAAAAAA\n', /is not a base64url topic id/],
    ['version: 0\ntopic_id: 3a2+7wAAQACAAAAAAAAAAQ\n', /is not a base64url topic id/],
    ['version: 0\n', /topic_id "" is not/],
    ['', /version null, expected 0/],
  ];
  for (const [content, reason] of cases) {
    fs.writeFileSync(file, content);
    const read = readPartitionMetadata(dir);
    assert.equal(read.kind, 'unreadable', JSON.stringify(content));
    assert.match((read as { reason: string }).reason, reason);
  }
});
