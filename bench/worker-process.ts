// Runs a benchmark worker as a child process that reports JSON lines on stdout:
// {"event":"start"} when its measured part begins, {"event":"done",
// wallSeconds, cpuSeconds, ...} at its end, and any events of its own. The
// brokers' CPU time is read at start and done, so each row gives the worker's
// and the brokers' CPU shares apart.

import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { cpuSeconds } from './broker-process.js';

export interface Done {
  wallSeconds: number;
  cpuSeconds: number;
  /** CPU seconds the brokers used between the worker's start and done. */
  brokerCpuSeconds: number;
  [extra: string]: unknown;
}

export interface Worker {
  child: ChildProcess;
  /** Resolves with the done event once the worker exits successfully (rejects if it reported none). */
  done: Promise<Done>;
  /** Resolves once the worker has exited successfully, done event or not. */
  exited: Promise<void>;
  /** Resolves with the first event named `name`. */
  event(name: string): Promise<Record<string, unknown>>;
}

export function startWorker(script: string, argv: string[], brokerPids: number[]): Worker {
  const child = spawn(process.execPath, [script, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const brokerCpu = () => brokerPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const seen = new Map<string, Record<string, unknown>>();
  const waiting = new Map<string, ((event: Record<string, unknown>) => void)[]>();
  let brokerAtStart = 0;
  lines.on('line', (line) => {
    if (!line.startsWith('{"event"')) return;
    const event = JSON.parse(line) as Record<string, unknown>;
    const name = String(event.event);
    if (name === 'start') brokerAtStart = brokerCpu();
    if (name === 'done') event.brokerCpuSeconds = brokerCpu() - brokerAtStart;
    if (!seen.has(name)) seen.set(name, event);
    for (const resolve of waiting.get(name) ?? []) resolve(event);
    waiting.delete(name);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`worker ${argv.slice(0, 2).join(' ')} exited with ${signal ?? `code ${code}`}`));
    });
  });
  const done = exited.then(() => {
    const event = seen.get('done');
    if (!event) throw new Error(`worker ${argv.slice(0, 2).join(' ')} ended without reporting done`);
    return event as unknown as Done;
  });
  // A worker killed by design is awaited through neither.
  done.catch(() => {});
  return {
    child,
    done,
    exited,
    event: (name) => {
      const event = seen.get(name);
      if (event) return Promise.resolve(event);
      return new Promise((resolve) => waiting.set(name, [...(waiting.get(name) ?? []), resolve]));
    },
  };
}
