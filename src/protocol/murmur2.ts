// Kafka's default partitioner for keyed records: MurmurHash2 (32-bit) of the
// key bytes with seed 0x9747b28c, as in the Java client's Utils.murmur2, then
// the sign bit masked off and reduced modulo the partition count. Clients that
// share this hash (the Java client, librdkafka's murmur2_random, kafkajs's
// default) place the same key in the same partition, so Sluice's client must
// too. Java ints overflow silently; Math.imul and `| 0` reproduce that.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** MurmurHash2 of `key` as a signed 32-bit integer, bit-identical to Kafka's `Utils.murmur2`. */
export function murmur2(key: Buffer): number {
  const length = key.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;

  for (let i = 0; i < whole; i += 4) {
    // Little-endian 4-byte word, regardless of platform.
    let k = key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }

  // The 1-3 trailing bytes, folded as Java's fall-through switch does.
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= key[whole + 2] << 16;
    if (rest >= 2) h ^= key[whole + 1] << 8;
    h ^= key[whole];
    h = Math.imul(h, M);
  }

  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Partition for a keyed record: `toPositive(murmur2(key)) % numPartitions`.
 * toPositive masks the sign bit rather than taking Math.abs, so that
 * murmur2 = -2^31 still maps to a valid partition (Kafka does the same).
 */
export function partitionForKey(key: Buffer, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
