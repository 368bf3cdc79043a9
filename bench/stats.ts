// Order statistics the benchmarks report.

/** The value at quantile `p` (0..1) of an ascending array: the sample below which a share p lies. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The tail of a latency distribution, in milliseconds. */
export interface Tail {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** p50, p99, p99.9 and max of samples in milliseconds (sorts them in place). */
export function tailOf(samplesMs: number[]): Tail {
  samplesMs.sort((a, b) => a - b);
  return { p50Ms: percentile(samplesMs, 0.5), p99Ms: percentile(samplesMs, 0.99), p999Ms: percentile(samplesMs, 0.999), maxMs: samplesMs[samplesMs.length - 1] };
}
