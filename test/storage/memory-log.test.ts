import { MemoryLog } from '../../src/storage/memory-log.js';
import { describeLogContract } from './partition-log-contract.js';

describeLogContract('MemoryLog', async (t, config) => {
  const log = new MemoryLog(config);
  t.after(() => log.close());
  return log;
});
