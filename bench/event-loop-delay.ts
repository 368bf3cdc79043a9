// A broker's event-loop delay over one stretch of load, read from its /metrics.
// prom-client resets its perf_hooks.monitorEventLoopDelay histogram at every
// scrape, so one scrape right before the load and one right after it give the
// delay during the load alone. The histogram samples the loop every 10 ms
// (prom-client's default resolution): about 100 samples per second of load.
// Each sample is the time between two timer callbacks 10 ms apart, so an idle
// loop reads 10 ms: the delay is what lies beyond those 10 ms.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** prom-client's sampling interval of the event loop (its `eventLoopMonitoringPrecision` default). */
export const EVENT_LOOP_SAMPLE_MS = 10;

export interface EventLoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Scrapes the broker's event-loop delay since its previous scrape (and starts a new interval). */
export async function scrapeEventLoopDelay(httpPort: number): Promise<EventLoopDelay> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const gauge = (name: string) => {
    const value = new RegExp(`^sluice_nodejs_eventloop_lag_${name}_seconds(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
    if (value === undefined) throw new Error(`/metrics has no sluice_nodejs_eventloop_lag_${name}_seconds`);
    return Math.max(0, Number(value) * 1000 - EVENT_LOOP_SAMPLE_MS);
  };
  return { p50Ms: gauge('p50'), p99Ms: gauge('p99'), maxMs: gauge('max') };
}

/**
 * A Node process that does nothing but watch its own event loop, the same way and
 * at the same resolution as the broker's metric: what the machine alone does to a
 * loop next to the load (a loop that waits for the CPU is late too). Its delay is
 * the reference the broker's is read against, as the mock broker is for throughput.
 */
export interface IdleLoopProbe {
  /** Starts a new interval (as a scrape does for the broker). */
  reset(): Promise<void>;
  /** The delay since the last reset. */
  read(): Promise<EventLoopDelay>;
  stop(): void;
}

export async function startIdleLoopProbe(): Promise<IdleLoopProbe> {
  const child = fork(fileURLToPath(new URL('./idle-loop.js', import.meta.url)), [String(EVENT_LOOP_SAMPLE_MS)], { stdio: 'inherit' });
  const ask = <T>(command: 'reset' | 'read'): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the idle-loop probe exited (${code}) before answering ${command}`));
      child.once('exit', onExit);
      child.once('message', (answer) => {
        child.off('exit', onExit);
        resolve(answer as T);
      });
      child.send(command);
    });
  await ask('reset');
  return {
    reset: () => ask<void>('reset'),
    read: () => ask<EventLoopDelay>('read'),
    stop: () => child.kill(),
  };
}
