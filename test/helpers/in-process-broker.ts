// A broker in this process on a free port and a fresh data directory, both
// removed when the test (or suite) that started it ends:
//
//   const broker = await startInProcessBroker(t, { socketRequestMaxBytes: 1024 * 1024 });
//   const client = new KafkaClient({ bootstrap: broker.bootstrap });

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type RunningBroker, type StartOptions, startBroker } from '../../src/start-broker.js';

/** Where cleanup is registered: a TestContext (`t`), or `{ after }` from node:test for a whole file. */
interface CleanupScope {
  after(fn: () => Promise<void>): void;
}

export async function startInProcessBroker(scope: CleanupScope, options: StartOptions = {}): Promise<RunningBroker> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-test-'));
  let broker: RunningBroker;
  try {
    broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', ...options });
  } catch (err) {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  scope.after(async () => {
    await broker.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  return broker;
}
