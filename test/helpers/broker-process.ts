// A broker running as a real child process (`node bin/sluice.js serve`), for
// tests that must crash it with `kill -9` and start it again on the same data
// directory. The port is picked by the OS (--port 0) and read back from the
// "broker started" log line, so parallel runs never collide on a port. The
// HTTP API is off (--http-port 0) unless `args` give it a port.
//
//   const dataDir = await makeDataDir(t);
//   const first = await spawnBroker(t, { dataDir });
//   ...produce to first.bootstrap...
//   await first.kill9();
//   const second = await spawnBroker(t, { dataDir });
//
// Every process, broker and data directory is cleaned up after the test,
// last created first (see `defer`). Also here: `waitFor` for condition-based
// waits, and readers of the segment files a partition leaves in the data
// directory. For a broker in this process, see in-process-broker.ts.

import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** The repository root (this file runs from dist/test/helpers). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SLUICE_BIN = path.join(REPO_ROOT, 'bin', 'sluice.js');

/** How long a broker may take to print "broker started" (ms). */
const START_TIMEOUT_MS = 20_000;
/** Log lines kept to explain a failure. */
const KEPT_LINES = 50;

export interface BrokerProcess {
  readonly port: number;
  /** The HTTP API's port, null when it is off. */
  readonly httpPort: number | null;
  /** "127.0.0.1:port" for clients. */
  readonly bootstrap: string;
  readonly dataDir: string;
  readonly pid: number;
  /** The last log lines (stdout and stderr), for assertion messages. */
  recentOutput(): string;
  /** SIGKILL (no shutdown code runs); resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (clean shutdown); resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  dataDir: string;
  /** Extra `sluice serve` flags, e.g. ['--segment-bytes', '4096']. */
  args?: string[];
  /** Largest file the broker may write (KiB), set with `ulimit -f`: writes past it fail as on a full disk. */
  fileSizeLimitKiB?: number;
  /** Most files and sockets the broker may have open, set with `ulimit -n`. */
  openFilesLimit?: number;
  /** Sees every line the broker prints, e.g. to count errors a test watches for. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

const cleanups = new WeakMap<TestContext, (() => Promise<unknown> | unknown)[]>();

/**
 * Runs `fn` after the test, last registered first (node:test runs `t.after`
 * hooks first registered first, which would delete a data directory under a
 * broker that is still running).
 */
export function defer(t: TestContext, fn: () => Promise<unknown> | unknown): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const created: (() => Promise<unknown> | unknown)[] = [];
    cleanups.set(t, created);
    t.after(async () => {
      while (created.length > 0) await created.pop()!();
    });
    stack = created;
  }
  stack.push(fn);
}

/** A fresh temporary data directory, removed after the test. */
export async function makeDataDir(t: TestContext, prefix = 'sluice-test-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  defer(t, () => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts `sluice serve` on a free port with `dataDir`; resolves once it accepts connections. */
export async function spawnBroker(t: TestContext, options: SpawnOptions): Promise<BrokerProcess> {
  // At info level, because "broker started" is an info line.
  const argv = [process.execPath, SLUICE_BIN, 'serve', '--port', '0', '--http-port', '0', '--data-dir', options.dataDir, '--log-level', 'info', ...(options.args ?? [])];
  // bash's `ulimit -f` counts KiB; `exec` keeps the broker's pid the child's pid.
  const limits = [
    ...(options.fileSizeLimitKiB === undefined ? [] : [`ulimit -f ${options.fileSizeLimitKiB}`]),
    ...(options.openFilesLimit === undefined ? [] : [`ulimit -n ${options.openFilesLimit}`]),
  ];
  const [command, ...args] = limits.length === 0 ? argv : ['bash', '-c', `${limits.join(' && ')} && exec "$@"`, 'bash', ...argv];
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  const recentOutput = () => lines.join('\n');
  const gone = exited(child);
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await gone;
    }
  });

  // Both streams are always drained, so a chatty broker never blocks on a full pipe.
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    keep(line);
    options.onLine?.(line, 'stderr');
  });
  const stdout = readline.createInterface({ input: child.stdout! });
  if (options.onLine) stdout.on('line', (line) => options.onLine!(line, 'stdout'));
  const { port, httpPort } = await new Promise<{ port: number; httpPort: number | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start within ${START_TIMEOUT_MS} ms:\n${recentOutput()}`)), START_TIMEOUT_MS);
    stdout.on('line', (line) => {
      keep(line);
      let entry: { msg?: unknown; port?: unknown; httpPort?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === 'broker started' && typeof entry.port === 'number') {
        clearTimeout(timer);
        resolve({ port: entry.port, httpPort: typeof entry.httpPort === 'number' ? entry.httpPort : null });
      }
    });
    void gone.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (code ${code}, signal ${child.signalCode}) before it started:\n${recentOutput()}`));
    });
  });

  return {
    port,
    httpPort,
    bootstrap: `127.0.0.1:${port}`,
    dataDir: options.dataDir,
    pid: child.pid!,
    recentOutput,
    async kill9() {
      child.kill('SIGKILL');
      await gone;
    },
    async stop() {
      child.kill('SIGTERM');
      return gone;
    },
  };
}

/** Polls `condition` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A segment file of a partition, named by its base offset. */
export interface SegmentFile {
  path: string;
  baseOffset: number;
  sizeBytes: number;
}

/** The `.log` segment files of `<dataDir>/<topic>-<partition>/`, oldest first. */
export async function segmentFiles(dataDir: string, topic: string, partition: number): Promise<SegmentFile[]> {
  const dir = path.join(dataDir, `${topic}-${partition}`);
  const names = (await fs.readdir(dir)).filter((n) => /^\d{20}\.log$/.test(n));
  const out: SegmentFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      out.push({ path: file, baseOffset: Number(name.slice(0, 20)), sizeBytes: (await fs.stat(file)).size });
    } catch (err) {
      // Deleted by retention between readdir and stat: it is no longer part of the log.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out.sort((a, b) => a.baseOffset - b.baseOffset);
}

/** Where one RecordBatch lies in a segment file, read straight from its header. */
export interface SegmentBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  /** Attributes bits 0-2: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  codec: number;
}

/**
 * Walks the batches of a segment file by their length fields (RecordBatch v2:
 * baseOffset int64 @0, batchLength int32 @8, attributes int16 @21,
 * lastOffsetDelta int32 @23). A trailing partial batch is not listed.
 */
export async function segmentBatches(file: string): Promise<SegmentBatch[]> {
  const bytes = await fs.readFile(file);
  const out: SegmentBatch[] = [];
  let pos = 0;
  while (pos + 61 <= bytes.length) {
    const size = 12 + bytes.readInt32BE(pos + 8);
    if (pos + size > bytes.length) break;
    const baseOffset = Number(bytes.readBigInt64BE(pos));
    out.push({ position: pos, size, baseOffset, lastOffset: baseOffset + bytes.readInt32BE(pos + 23), codec: bytes.readInt16BE(pos + 21) & 7 });
    pos += size;
  }
  return out;
}
