// `startTestBroker(t)`: a broker in this process on a free port and a fresh
// data directory, closed and removed when the test ends. The name STYLE.md
// uses; the implementation is shared with startInProcessBroker.
//
//   const broker = await startTestBroker(t);
//   await runCli(['topic', 'list', '-b', broker.bootstrap]);
//
// `startTestBrokerWithClient` adds a Sluice client of it, closed first:
//
//   const { broker, client } = await startTestBrokerWithClient({ after });

import type { TestContext } from 'node:test';
import { KafkaClient } from '../../src/client/index.js';
import type { RunningBroker, StartOptions } from '../../src/start-broker.js';
import { defer } from './broker-process.js';
import { startInProcessBroker } from './in-process-broker.js';

export { startInProcessBroker as startTestBroker } from './in-process-broker.js';

/** Where cleanup is registered: a TestContext (`t`), or `{ after }` from node:test for a whole file. */
interface CleanupScope {
  after(fn: () => Promise<void>): void;
}

export async function startTestBrokerWithClient(scope: CleanupScope, options: StartOptions = {}): Promise<{ broker: RunningBroker; client: KafkaClient }> {
  let client: KafkaClient | undefined;
  // Registered before the broker's own cleanup: cleanups run in that order, so the client leaves first.
  scope.after(async () => {
    await client?.close();
  });
  const broker = await startInProcessBroker(scope, options);
  client = new KafkaClient({ bootstrap: broker.bootstrap });
  return { broker, client };
}

/**
 * startTestBroker, with every client the test registers through `defer`
 * (broker-process.ts) closed before the broker: defer's hooks share one
 * t.after, registered here first, and node:test runs t.after hooks in
 * registration order. (A client whose broker is gone keeps reconnecting and
 * holds the process.)
 */
export async function startTestBrokerBeforeClients(t: TestContext, options: StartOptions = {}): Promise<RunningBroker> {
  defer(t, () => {});
  return startInProcessBroker(t, options);
}
