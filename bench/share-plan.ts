// `npm run bench:share-plan`: what a share group pays to look inside the
// batches it reads for the first time (coordinator/share/delivery-plan.ts):
// the sluice-deliver-at header and a share.filter.
//
// Per batch of BENCH_SHARE_RECORDS records (100-byte JSON-like values, a `type`
// header each), per codec:
//   search only      planBatch, no filter, no record carries the header: decompress + one byte search
//   deliver-at       planBatch, no filter, one record carries the header: + a walk of the records
//   header filter    planBatch with `header.type == "created"`: every record walked, one header decoded
//   value filter     planBatch with `value.order > 10`: + JSON.parse of every value
//   decodeBatch      the alternative to the walk: record objects (decodeBatch) for the batch
//
// Each figure is the best of BENCH_SHARE_ROUNDS runs (the machine is shared). Prints a
// table and appends a summary to bench/RESULTS.md.
// Options (env): BENCH_SHARE_RECORDS (default 100), BENCH_SHARE_MS (time per run, default 500),
// BENCH_SHARE_ROUNDS (default 5).

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DELIVER_AT_HEADER, planBatch } from '../src/coordinator/share/delivery-plan.js';
import { parseShareFilter } from '../src/metadata/share-filter.js';
import { Codec } from '../src/protocol/record-batch.js';
import { decodeBatch, encodeBatch } from '../src/protocol/records.js';
import { jsonLikeValue, timeCalls } from './micro.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RECORDS = Number(process.env.BENCH_SHARE_RECORDS ?? 100);
const CASE_MS = Number(process.env.BENCH_SHARE_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_SHARE_ROUNDS ?? 5);
const CODECS: [string, Codec][] = [
  ['none', Codec.None],
  ['lz4', Codec.Lz4],
  ['zstd', Codec.Zstd],
  ['gzip', Codec.Gzip],
];
const HEADER_FILTER = parseShareFilter('header.type == "created"');
const VALUE_FILTER = parseShareFilter('value.order > 10');

/** Microseconds per call: the best of ROUNDS runs. */
function best(inputs: Buffer[], fn: (b: Buffer) => void): number {
  return Math.min(...Array.from({ length: ROUNDS }, () => timeCalls(inputs, fn, CASE_MS)));
}

function batchOf(codec: Codec, deliverAt: boolean): Buffer {
  return encodeBatch(
    Array.from({ length: RECORDS }, (_, i) => ({
      value: jsonLikeValue(i),
      headers: [{ key: 'type', value: Buffer.from(i % 2 ? 'created' : 'updated') }, ...(deliverAt && i === RECORDS >> 1 ? [{ key: DELIVER_AT_HEADER, value: Buffer.from('1900000000000') }] : [])],
    })),
    { codec },
  );
}

const rows = CODECS.map(([name, codec]) => {
  const plain = [batchOf(codec, false)];
  const timed = [batchOf(codec, true)];
  const plan = (filter: typeof HEADER_FILTER | null) => (b: Buffer) => void planBatch(b, 0, 0, RECORDS - 1, 0, filter);
  return {
    codec: name,
    batchBytes: plain[0].length,
    searchUs: best(plain, plan(null)),
    deliverAtUs: best(timed, plan(null)),
    headerFilterUs: best(plain, plan(HEADER_FILTER)),
    valueFilterUs: best(plain, plan(VALUE_FILTER)),
    decodeUs: best(plain, (b) => void decodeBatch(b, 0)),
  };
});
console.table(rows);

const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
const line = (r: (typeof rows)[number]) =>
  `- ${r.codec} (${r.batchBytes} B): search only ${r.searchUs.toFixed(1)} µs, deliver-at ${r.deliverAtUs.toFixed(1)} µs, header filter ${r.headerFilterUs.toFixed(1)} µs, value filter ${r.valueFilterUs.toFixed(1)} µs, decodeBatch ${r.decodeUs.toFixed(1)} µs`;
fs.appendFileSync(
  path.join(ROOT, 'bench/RESULTS.md'),
  `\n## ${new Date().toISOString().slice(0, 10)} ${commit} share groups looking inside batches (${process.version}, ${os.cpus().length} cores)\n` +
    `Per batch of ${RECORDS} records (100-byte values, one header each), first read by a share group:\n` +
    rows.map(line).join('\n') +
    '\n',
);
