// Runs an external program (kcat, /usr/bin/python3) to completion and
// collects its output. A time limit guards against a hung peer; it is a
// safety net that fails the test, never a stand-in for synchronisation.

import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: Buffer | string;
  /** Kill the program and fail after this long (ms). Default 30000. */
  timeoutMs?: number;
}

export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstderr: ${Buffer.concat(err).toString()}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => {
      // the program may exit without reading all of stdin; its exit code tells what happened
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs and throws (with stderr) unless the program exits 0. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  const r = await runCommand(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.code ?? r.signal}\nstderr: ${r.stderr}\nstdout: ${r.stdout.toString().slice(0, 2000)}`);
  return r;
}
