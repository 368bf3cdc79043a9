// Runs the real `sluice` CLI (bin/sluice.js, which loads dist/) as a child
// process. runCli waits for it to exit; startCli returns a running process
// whose output can be awaited line by line, for commands that follow new
// records until stopped. Time limits are safety nets that fail the test,
// never stand-ins for synchronisation.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Compiled to dist/test/helpers/, so the repository root is three levels up. */
const BIN = fileURLToPath(new URL('../../../bin/sluice.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Buffer;
  /** Added to the environment; SLUICE_BOOTSTRAP and the client security settings (SLUICE_COMMAND_CONFIG, SLUICE_SASL_*, ...) are removed unless given here, so the developer's shell cannot leak in. */
  env?: Record<string, string>;
  /** Kill the process and fail after this long (ms). Default 20000. */
  timeoutMs?: number;
}

export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches; rejects if the process exits first. */
  waitForStderr(pattern: RegExp): Promise<void>;
  /** Resolves once stdout matches; rejects if the process exits first. */
  waitForStdout(pattern: RegExp): Promise<void>;
  /** Resolves when the process has exited and its output is complete. */
  readonly exited: Promise<CliResult>;
}

/** Where cleanup is registered: a TestContext (`t`). */
interface CleanupScope {
  after(fn: () => void | Promise<void>): void;
}

export function startCli(scope: CleanupScope | null, args: string[], options: CliOptions = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^SLUICE_(BOOTSTRAP|COMMAND_CONFIG|SECURITY_PROTOCOL|SASL_|SSL_)/.test(name)) delete env[name];
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, ...options.env } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();

  const timeoutMs = options.timeoutMs ?? 20_000;
  const exited = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close' (not 'exit') fires after stdout and stderr have ended, so the output is complete.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  scope?.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const waitFor = (stream: NodeJS.ReadableStream, text: () => string, pattern: RegExp, name: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(text())) return;
        stream.off('data', onData);
        resolve();
      };
      // Listens after the accumulating listener, so text() already holds the new chunk.
      const onData = () => check();
      stream.on('data', onData);
      exited.then(
        (r) => reject(new Error(`sluice exited (code ${r.code}) before ${name} matched ${pattern}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)),
        reject,
      );
      check();
    });

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStderr: (pattern) => waitFor(child.stderr, () => err, pattern, 'stderr'),
    waitForStdout: (pattern) => waitFor(child.stdout, () => out, pattern, 'stdout'),
    exited,
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(null, args, options).exited;
}
