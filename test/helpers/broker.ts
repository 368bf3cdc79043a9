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

import { KafkaClient } from '../../src/client/index.js';
import type { RunningBroker, StartOptions } from '../../src/start-broker.js';
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
