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
  pid: number;
  bootstrap: string;
  stop(): Promise<void>;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
}

export async function startBrokerProcess(dataDir: string, args: string[]): Promise<BenchBroker> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--http-port', '0', '--data-dir', dataDir, '--log-level', 'info', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`broker exited with code ${code} before it started`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'broker started') resolve(entry.port);
      } catch {
        // not a log line
      }
    });
  });
  return {
    port,
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
