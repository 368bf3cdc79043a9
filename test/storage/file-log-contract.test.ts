import path from 'node:path';
import { openFileLog, tempDir } from './log-test-helpers.js';
import { describeLogContract } from './partition-log-contract.js';

describeLogContract('FileLog', (t, config) => openFileLog(t, path.join(tempDir(t), 'topic-0'), config));
