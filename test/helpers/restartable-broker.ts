// An in-process broker on a given data dir and port, closed after the test
// (after anything registered later, see `defer`), whose close() may also be
// called by the test itself to restart it on the same directory.

import type { TestContext } from 'node:test';
import type { FaultHooks } from '../../src/server/fault-hook.js';
import { type RunningBroker, type StartOptions, startBroker } from '../../src/start-broker.js';
import { defer } from './broker-process.js';

export async function startRestartableBroker(
  t: TestContext,
  dataDir: string,
  port: number,
  faults?: FaultHooks,
  config: StartOptions = {},
): Promise<RunningBroker> {
  const broker = await startBroker({ port, dataDir, logLevel: 'silent', faults, ...config });
  let closed = false;
  const close = broker.close.bind(broker);
  broker.close = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  defer(t, () => broker.close());
  return broker;
}

/** Fault hooks that count the Produce requests to `topic` and let `decide` pick each one's fate. */
export function produceFaultsOn(topic: string, decide: (n: number) => 'send' | 'close' | 'withhold'): FaultHooks & { seen: () => number } {
  let n = 0;
  return {
    produceResponse: (_all, topics) => (topics.includes(topic) ? decide(++n) : 'send'),
    seen: () => n,
  };
}
