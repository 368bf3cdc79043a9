// Runs a broker as a child process so its CPU time can be read apart from the
// load generator's (from /proc/<pid>/stat).

import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/sluice.js');

export interface BenchBroker {
  port: number;
  /** The port of its HTTP API (`/metrics`); null unless `--http-port` was given. */
  httpPort: number | null;
  pid: number;
  bootstrap: string;
  stop(): Promise<void>;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
}

/**
 * Starts `sluice serve` on free ports. `entry` is the command's script: this checkout's by
 * default, or another build's `dist/src/cli/main.js` to compare with; `nodeArgs` are options
 * of node itself, such as --cpu-prof.
 */
export async function startBrokerProcess(dataDir: string, args: string[], options: { entry?: string; nodeArgs?: string[] } = {}): Promise<BenchBroker> {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? BIN, 'serve', '--port', '0', '--http-port', '0', '--data-dir', dataDir, '--log-level', 'info', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const { port, httpPort } = await new Promise<{ port: number; httpPort: number | null }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`broker exited with code ${code} before it started`)));
    lines.on('line', (line) => {
      try {
        const logged = JSON.parse(line);
        if (logged.msg === 'broker started') resolve(logged);
      } catch {
        // not a log line
      }
    });
  });
  return {
    port,
    httpPort,
    pid: child.pid!,
    bootstrap: `127.0.0.1:${port}`,
    stop: () => signal(child, 'SIGTERM'),
    kill9: () => signal(child, 'SIGKILL'),
  };
}

function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(name);
  });
}

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat; after the ") " split they are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
