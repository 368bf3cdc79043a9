import path from 'node:path';
import { TailCache } from '../../src/storage/tail-cache.js';
import { openFileLog, tempDir } from './log-test-helpers.js';
import { describeLogContract } from './partition-log-contract.js';

describeLogContract('FileLog', (t, config) => openFileLog(t, path.join(tempDir(t), 'topic-0'), config));
// Every read the contract makes at the tail is served from memory here: it must answer as the segments do.
describeLogContract('FileLog with a tail cache', (t, config) => openFileLog(t, path.join(tempDir(t), 'topic-0'), config, undefined, new TailCache(64 << 20).forLog()));
