// `npm run bench:fetch-crc`: what checking the CRC32C of every batch a fetch
// reads from disk costs (FileLog.read verifies; Segment.read is the same read
// without the check). A partition of BENCH_CRC_MB MiB is written once, then read
// front to back in 1 MiB fetches (page cache warm, as for a consumer keeping up)
// both ways, for two batch shapes: 16 KiB batches of 1 KiB records (what a
// batching producer sends) and one 100-byte record per batch (the per-batch
// overhead at its worst). Prints GB/s both ways and the ratio, and appends a
// summary to bench/RESULTS.md. Each figure is the best of BENCH_CRC_ROUNDS.

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { encodeBatch } from '../src/protocol/records.js';
import { FileLog } from '../src/storage/file-log.js';
import { recoverSegment } from '../src/storage/log-recovery.js';
import { Segment } from '../src/storage/segment.js';
import { silentStorageLogger } from '../src/storage/storage-logger.js';
import { jsonLikeValue } from './micro.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: number) => Number(process.env[name] ?? def);
const MB = env('BENCH_CRC_MB', 64);
const ROUNDS = env('BENCH_CRC_ROUNDS', 5);
const FETCH_BYTES = 1 << 20;
const CONFIG = {
  segmentBytes: 1 << 30,
  segmentMs: Number.MAX_SAFE_INTEGER,
  retentionMs: -1,
  retentionBytes: -1,
  flushPolicy: 'os' as const,
  flushIntervalMs: 1000,
  indexIntervalBytes: 4096,
};

interface Shape {
  name: string;
  recordsPerBatch: number;
  valueBytes: number;
}
const SHAPES: Shape[] = [
  { name: '16 KiB batches (16 x 1 KiB)', recordsPerBatch: 16, valueBytes: 1024 },
  { name: '1 record of 100 B per batch', recordsPerBatch: 1, valueBytes: 100 },
];

function value(i: number, bytes: number): Buffer {
  return Buffer.concat([jsonLikeValue(i), Buffer.alloc(Math.max(0, bytes - 100), 'v')]).subarray(0, bytes);
}

/** Reads offsets [0, end) in FETCH_BYTES reads; bytes read per second. */
function readThroughput(read: (offset: number) => Buffer, end: number, lastOffsetOf: (buf: Buffer) => number): number {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let bytes = 0;
    const start = performance.now();
    for (let offset = 0; offset < end; ) {
      const data = read(offset);
      bytes += data.length;
      offset = lastOffsetOf(data) + 1;
    }
    best = Math.max(best, bytes / ((performance.now() - start) / 1000));
  }
  return best;
}

/** Offset after the last batch of a read result. */
function lastOffsetOf(buf: Buffer): number {
  let pos = 0;
  let last = -1;
  while (pos < buf.length) {
    last = Number(buf.readBigInt64BE(pos)) + buf.readInt32BE(pos + 23);
    pos += 12 + buf.readInt32BE(pos + 8);
  }
  return last;
}

async function measure(shape: Shape): Promise<{ shape: string; plainGBs: number; verifiedGBs: number; ratio: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-crc-'));
  try {
    const writer = await FileLog.open(dir, CONFIG);
    const batch = encodeBatch(Array.from({ length: shape.recordsPerBatch }, (_, i) => ({ value: value(i, shape.valueBytes), timestamp: Date.now() })));
    while (writer.sizeBytes < MB * (1 << 20)) writer.append(Buffer.from(batch), 0);
    const end = writer.logEndOffset;
    await writer.close();

    const verifiedLog = await FileLog.open(dir, CONFIG);
    const segment = Segment.open(dir, 0, CONFIG.indexIntervalBytes);
    recoverSegment(segment, false, { indexIntervalBytes: CONFIG.indexIntervalBytes, cleanShutdown: true, logger: silentStorageLogger, now: Date.now() });
    try {
      // Interleaved, so both ways see the same page cache and CPU contention.
      const plain = readThroughput((o) => segment.read(o, FETCH_BYTES, end, true)!, end, lastOffsetOf);
      const verified = readThroughput((o) => verifiedLog.read(o, FETCH_BYTES, end), end, lastOffsetOf);
      return { shape: shape.name, plainGBs: plain / 1e9, verifiedGBs: verified / 1e9, ratio: plain / verified };
    } finally {
      segment.close();
      await verifiedLog.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = [];
  for (const shape of SHAPES) rows.push(await measure(shape));
  const lines = rows.map((r) => `| ${r.shape} | ${r.plainGBs.toFixed(2)} | ${r.verifiedGBs.toFixed(2)} | ${r.ratio.toFixed(2)} |`);
  const table = ['| batches | read GB/s | read + CRC32C GB/s | time ratio |', '|---|---|---|---|', ...lines].join('\n');
  console.log(table);
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  } catch {
    // not a git checkout
  }
  const header = `\n## Fetch CRC32C check (${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version})\n\n${MB} MiB read in 1 MiB fetches from the page cache, best of ${ROUNDS}.\n\n`;
  fs.appendFileSync(path.join(ROOT, 'bench/RESULTS.md'), header + table + '\n');
}

await main();
