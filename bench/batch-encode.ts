// Records/s of encoding 100-byte records into RecordBatch v2 (uncompressed),
// in batches of about 16 KiB (the producer's default batchBytes): `encodeBatch`
// (which callers with a ready record array use) and the BatchBuilder the
// producer's accumulator appends to one record at a time. Rates are per
// second of this process's CPU time (not wall time), so other load on the
// machine matters less. Best of BENCH_ENCODE_ROUNDS (5) runs of
// BENCH_ENCODE_MS (1000) ms of CPU each.

import { BatchBuilder } from '../src/protocol/batch-builder.js';
import { type NewRecord, encodeBatch } from '../src/protocol/records.js';
import { jsonLikeValue } from './micro.js';

const ROUNDS = Number(process.env.BENCH_ENCODE_ROUNDS ?? 5);
const CASE_MS = Number(process.env.BENCH_ENCODE_MS ?? 1000);
const RECORDS_PER_BATCH = 150;
const BATCH_BYTES = 16384;
const T0 = Date.now();

const records: NewRecord[] = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: null, value: jsonLikeValue(i), timestamp: T0 + i }));

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function recordsPerSecond(encodeOne: () => void): number {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let batches = 0;
    const start = cpuMs();
    let used = 0;
    while (used < CASE_MS) {
      for (let i = 0; i < 20; i++) encodeOne();
      batches += 20;
      used = cpuMs() - start;
    }
    best = Math.max(best, (batches * RECORDS_PER_BATCH * 1000) / used);
  }
  return best;
}

const results = {
  encodeBatch: recordsPerSecond(() => encodeBatch(records)),
  batchBuilder: recordsPerSecond(() => {
    const builder = new BatchBuilder(BATCH_BYTES);
    for (const r of records) builder.tryAppend(r, r.timestamp as number, BATCH_BYTES);
    builder.build();
  }),
};
for (const [name, rate] of Object.entries(results)) console.log(`${name.padEnd(14)} ${Math.round(rate).toLocaleString('en')} records/s`);
