// `npm run bench:produce-validation`: what the topic-level produce rules cost, in
// this process, per batch of BENCH_PV_RECORDS records (100-byte values, keyed).
//
// Validation, per codec (validateProducedBatches):
//   count          no per-record rules: CRC32C + record count (decompressing), the yardstick
//   timestamps     with timestamp bounds: what every CreateTime topic now pays, since
//                  message.timestamp.after.max.ms defaults to 1 hour
//   keys+ts        a compacted topic: timestamp bounds and a key on every record
// and the record walk alone on a records section (countRecords against
// checkRecords with keys and bounds), which is all the rules add.
// Recompression, per codec pair (source -> compression.type): validation with
// timestamp bounds plus recompressBatches, against the same validation alone.
//
// Prints a table, writes bench/results/produce-validation.json and appends a
// summary to bench/RESULTS.md. Each figure is the best of BENCH_PV_ROUNDS runs
// of BENCH_PV_MS, since the machine is shared. Options (env): BENCH_PV_RECORDS
// (default 100), BENCH_PV_MS (default 300), BENCH_PV_ROUNDS (default 7).

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateProducedBatches } from '../src/broker/batch-validation.js';
import { recompressBatches } from '../src/broker/recompress.js';
import { recordRulesFor } from '../src/broker/record-rules.js';
import { resolveConfig } from '../src/config.js';
import { BrokerConfigs } from '../src/metadata/broker-configs.js';
import { Codec } from '../src/protocol/record-batch.js';
import { checkRecords } from '../src/protocol/record-scan.js';
import { batchRecordBytes, countRecords, encodeBatch } from '../src/protocol/records.js';
import { jsonLikeValue, timeCalls } from './micro.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, def: number) => Number(process.env[name] ?? def);
const RECORDS = env('BENCH_PV_RECORDS', 100);
const CASE_MS = env('BENCH_PV_MS', 300);
const ROUNDS = env('BENCH_PV_ROUNDS', 7);
const NAMES: Record<Codec, string> = { [Codec.None]: 'none', [Codec.Gzip]: 'gzip', [Codec.Snappy]: 'snappy', [Codec.Lz4]: 'lz4', [Codec.Zstd]: 'zstd' };
const CODECS = [Codec.None, Codec.Gzip, Codec.Snappy, Codec.Lz4, Codec.Zstd];
/** Source codec -> topic codec: uncompressed producers (kafkajs's default) and the common codec changes. */
const PAIRS: [Codec, Codec][] = [
  [Codec.None, Codec.Lz4],
  [Codec.None, Codec.Zstd],
  [Codec.None, Codec.Gzip],
  [Codec.Gzip, Codec.Zstd],
  [Codec.Gzip, Codec.Lz4],
  [Codec.Snappy, Codec.Lz4],
  [Codec.Lz4, Codec.Zstd],
  [Codec.Zstd, Codec.Lz4],
  [Codec.Zstd, Codec.None],
];
const MAX = 1 << 30;

let next = 0;
function batches(codec: Codec): Buffer[] {
  return Array.from({ length: 32 }, () =>
    encodeBatch(
      Array.from({ length: RECORDS }, () => ({ key: Buffer.from(`key-${next % 1000}`), value: jsonLikeValue(next++) })),
      { codec },
    ),
  );
}

/** The best of ROUNDS timings: other load on the machine only ever adds time. */
function time(inputs: Buffer[], fn: (b: Buffer) => void): number {
  return Math.min(...Array.from({ length: ROUNDS }, () => timeCalls(inputs, fn, CASE_MS)));
}

interface ValidationRow {
  codec: string;
  batchBytes: number;
  countUs: number;
  timestampsUs: number;
  keysAndTimestampsUs: number;
}

interface RecompressionRow {
  from: string;
  to: string;
  validateUs: number;
  withRecompressionUs: number;
  ratio: number;
}

function main(): void {
  const now = Date.now();
  // A broker started with no options and no dynamic configs.
  const defaults = new BrokerConfigs(resolveConfig({}), { brokerConfigs: () => ({}) });
  const bounded = recordRulesFor({}, defaults, now);
  const compacted = recordRulesFor({ 'cleanup.policy': 'compact' }, defaults, now);
  const byCodec = new Map(CODECS.map((c) => [c, batches(c)]));

  const validation: ValidationRow[] = CODECS.map((codec) => {
    const inputs = byCodec.get(codec)!;
    return {
      codec: NAMES[codec],
      batchBytes: inputs[0].length,
      countUs: time(inputs, (b) => validateProducedBatches(b, MAX, null)),
      timestampsUs: time(inputs, (b) => validateProducedBatches(b, MAX, bounded)),
      keysAndTimestampsUs: time(inputs, (b) => validateProducedBatches(b, MAX, compacted)),
    };
  });

  const bodies = byCodec.get(Codec.None)!.map((b) => batchRecordBytes(b));
  const walk = {
    countUs: time(bodies, (body) => countRecords(body)),
    rulesUs: time(bodies, (body) => checkRecords(body, now, false, compacted!, () => {})),
  };

  const recompression: RecompressionRow[] = PAIRS.map(([from, to]) => {
    const inputs = byCodec.get(from)!;
    const validateUs = validation[CODECS.indexOf(from)].timestampsUs;
    const withRecompressionUs = time(inputs, (b) => {
      validateProducedBatches(b, MAX, bounded);
      recompressBatches(b, { codec: to });
    });
    return { from: NAMES[from], to: NAMES[to], validateUs, withRecompressionUs, ratio: withRecompressionUs / validateUs };
  });

  const f = (us: number) => us.toFixed(1).padStart(8);
  console.log(`\nvalidation per batch of ${RECORDS} keyed records (100-byte values), µs:`);
  console.log('codec   bytes     count  timestamps  keys+ts');
  for (const r of validation) console.log(`${r.codec.padEnd(6)} ${String(r.batchBytes).padStart(6)} ${f(r.countUs)} ${f(r.timestampsUs)}    ${f(r.keysAndTimestampsUs)}`);
  console.log(`record walk alone: countRecords ${walk.countUs.toFixed(2)} µs, checkRecords (keys and bounds) ${walk.rulesUs.toFixed(2)} µs`);
  console.log('\nrecompression (validate with timestamp bounds + recompress), µs per batch:');
  console.log('from -> to       validate  +recompress  ratio');
  for (const r of recompression) console.log(`${`${r.from} -> ${r.to}`.padEnd(15)} ${f(r.validateUs)}    ${f(r.withRecompressionUs)}  ${r.ratio.toFixed(1).padStart(5)}x`);

  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  const meta = { date: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, records: RECORDS };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/produce-validation.json'), JSON.stringify({ meta, validation, walk, recompression }, null, 2));
  fs.appendFileSync(
    path.join(ROOT, 'bench/RESULTS.md'),
    `\n## ${meta.date.slice(0, 10)} ${commit} produce validation and recompression (${process.version}, ${meta.cpus} cores)\n` +
      `Per batch of ${RECORDS} keyed records (100-byte values), µs: count / with timestamp bounds / with keys and bounds:\n` +
      validation.map((r) => `- ${r.codec}: ${r.countUs.toFixed(1)} / ${r.timestampsUs.toFixed(1)} / ${r.keysAndTimestampsUs.toFixed(1)}`).join('\n') +
      `\n- record walk alone: countRecords ${walk.countUs.toFixed(2)} µs, checkRecords ${walk.rulesUs.toFixed(2)} µs` +
      `\nValidation plus recompression, against validation alone:\n` +
      recompression.map((r) => `- ${r.from} -> ${r.to}: ${r.withRecompressionUs.toFixed(1)} µs (${r.ratio.toFixed(1)}x)`).join('\n') +
      '\n',
  );
}

main();
