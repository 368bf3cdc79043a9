// Helpers shared by the micro-benchmarks (bench/dedup.ts, bench/produce-validation.ts):
// a round-robin timer over prepared inputs and record values shaped like real payloads.

import { performance } from 'node:perf_hooks';

/** Runs `fn` over `inputs` round robin for about `caseMs`, after a warm-up; microseconds per call. */
export function timeCalls<T>(inputs: T[], fn: (input: T) => void, caseMs: number): number {
  for (let i = 0; i < 200; i++) fn(inputs[i % inputs.length]);
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < caseMs) {
    for (let i = 0; i < 50; i++) fn(inputs[(calls + i) % inputs.length]);
    calls += 50;
    now = performance.now();
  }
  return ((now - start) * 1000) / calls;
}

/** A 100-byte value that compresses about as well as JSON does. */
export function jsonLikeValue(i: number): Buffer {
  return Buffer.from(`{"order":${i},"customer":"c-${i % 977}","items":[${i % 7},${i % 11}],"note":"${'x'.repeat(40)}"}`.padEnd(100, ' ').slice(0, 100));
}
