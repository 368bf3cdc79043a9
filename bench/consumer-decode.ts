// `npm run bench:consumer-decode`: the client's cost of turning one fetched
// partition's batches (about 1 MiB) into the records handed to the application,
// in this process:
//   eager   decodeBatch per batch (an array of records per batch), then a copy
//           of each record spread into a new object with topic and partition:
//           how the consumer decoded before FetchedRecords
//   lazy    FetchedRecords.take(): one object per record, built where the
//           record is read; keys and values are views of the response
// Records of 100 bytes and 1 KiB, uncompressed and lz4, 500 per batch. Prints
// records/s and MB/s of each and their ratio, the best of BENCH_CD_ROUNDS
// runs of BENCH_CD_MS (the machine is shared).

import { FetchedRecords, type ConsumedRecord } from '../src/client/fetched-records.js';
import { Codec, isControlBatch } from '../src/protocol/record-batch.js';
import { decodeBatch, encodeBatch, forEachBatch } from '../src/protocol/records.js';
import { jsonLikeValue, timeCalls } from './micro.js';

const env = (name: string, def: number) => Number(process.env[name] ?? def);
const CASE_MS = env('BENCH_CD_MS', 400);
const ROUNDS = env('BENCH_CD_ROUNDS', 5);
const PER_BATCH = 500;
const FETCH_BYTES = 1024 * 1024;

function fetchedBytes(valueSize: number, codec: Codec): { data: Buffer; records: number } {
  const batches: Buffer[] = [];
  let records = 0;
  let size = 0;
  while (size < FETCH_BYTES) {
    const batch = encodeBatch(
      Array.from({ length: PER_BATCH }, (_, i) => ({ key: Buffer.from(`key-${(records + i) % 1000}`), value: Buffer.concat(Array.from({ length: valueSize / 100 }, () => jsonLikeValue(records + i))) })),
      { codec, baseOffset: records },
    );
    batches.push(batch);
    records += PER_BATCH;
    size += valueSize * PER_BATCH;
  }
  return { data: Buffer.concat(batches), records };
}

function eager(data: Buffer): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  forEachBatch(data, (pos) => {
    const { records } = decodeBatch(data, pos);
    if (isControlBatch(data, pos)) return;
    for (const r of records) if (r.offset >= 0) out.push({ ...r, topic: 't', partition: 0 });
  });
  return out;
}

function lazy(data: Buffer): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  const fetched = new FetchedRecords('t', 0, data, 0);
  for (let r = fetched.take(); r !== null; r = fetched.take()) out.push(r);
  return out;
}

const best = (fn: () => number) => Math.min(...Array.from({ length: ROUNDS }, fn));

console.log('records  codec  eager rec/s    lazy rec/s     lazy MB/s  lazy/eager');
for (const valueSize of [100, 1000]) {
  for (const codec of [Codec.None, Codec.Lz4]) {
    const { data, records } = fetchedBytes(valueSize, codec);
    if (lazy(data).length !== records || eager(data).length !== records) throw new Error('a decoder lost records');
    const eagerUs = best(() => timeCalls([data], eager, CASE_MS));
    const lazyUs = best(() => timeCalls([data], lazy, CASE_MS));
    const rate = (us: number) => (records / us) * 1e6;
    console.log(
      `${String(valueSize).padEnd(8)} ${(codec === Codec.None ? 'none' : 'lz4').padEnd(6)} ${rate(eagerUs).toFixed(0).padStart(12)}  ${rate(lazyUs).toFixed(0).padStart(12)}  ${((rate(lazyUs) * valueSize) / 1e6).toFixed(0).padStart(10)}  ${(eagerUs / lazyUs).toFixed(2).padStart(10)}`,
    );
  }
}
