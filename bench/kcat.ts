// kcat (librdkafka) as the load generator: it reads a prepared file, so the
// generator spends its CPU on the protocol, not on making data.

import { spawn } from 'node:child_process';

/** Producer settings of the throughput runs: batches of up to 10,000 records, a queue deep enough for kcat never to wait on it. */
export const KCAT_PRODUCER_PROPS = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=2097151'];

export interface KcatRun {
  wallSeconds: number;
  /** CPU seconds kcat itself used (user + system). */
  cpuSeconds: number;
  /** Lines kcat printed (one per consumed record with a '%o\\n' format). */
  stdoutLines: number;
  /** What kcat wrote to stderr (its errors, and its debug log with `-d`). */
  stderr: string;
}

/**
 * Runs kcat under `sh`, which prints its children's CPU times from
 * /proc/self/stat (cutime, cstime) once kcat has been reaped.
 */
export function runKcat(args: string[]): Promise<KcatRun> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `kcat ${quoted} || exit $?; cat /proc/$$/stat >&2`;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdoutLines = 0;
    child.stdout.on('data', (c: Buffer) => {
      for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) stdoutLines++;
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) {
        reject(new Error(`kcat exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const lines = stderr.trim().split('\n');
      const statLine = lines.pop() ?? '';
      const fields = statLine.split(') ')[1]?.split(' ') ?? [];
      // cutime and cstime are fields 16 and 17 of stat; after the ") " split they are at 13 and 14.
      const cpuSeconds = (Number(fields[13]) + Number(fields[14])) / 100;
      resolve({ wallSeconds, cpuSeconds, stdoutLines, stderr: lines.join('\n') });
    });
  });
}
