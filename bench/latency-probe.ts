// Runs bench/latency-probe.c (compiled at bench time against the librdkafka
// that `npm run setup:librdkafka` builds) and reduces its samples.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileLibrdkafkaProgram, librdkafkaBuilt } from '../test/helpers/interop-tools.js';
import type { LatencyResult } from './latency.js';
import { tailOf } from './stats.js';

const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/latency-probe.c');

/** The probe's executable, or why there is none. */
export function buildLatencyProbe(): { program: string } | { missing: string } {
  if (!librdkafkaBuilt()) return { missing: 'librdkafka 2.15 is not built: run `npm run setup:librdkafka` (about 5 minutes, once), then the bench again' };
  return { program: compileLibrdkafkaProgram(SOURCE) };
}

export interface ProbeResult extends Omit<LatencyResult, 'deliveredPerSec'> {
  /** How far the sender fell behind its schedule at most: when large, the machine could not keep the rate. */
  maxSendLagMs: number;
}

/** Sends 100 B records at `rate` for `seconds` after a warm-up second; latencies of the records after it. */
export function runLatencyProbe(program: string, bootstrap: string, topic: string, rate: number, seconds: number): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [bootstrap, topic, String(rate), String(seconds), '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`latency probe exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const samples = Buffer.concat(out).toString().trim().split('\n').map((line) => Number(line) / 1000);
      const maxSendLagMs = Number(/max send lag ([\d.]+) us/.exec(stderr)?.[1]) / 1000;
      resolve({ rate, records: samples.length, ...tailOf(samples), maxSendLagMs });
    });
  });
}
