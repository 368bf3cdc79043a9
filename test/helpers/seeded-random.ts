// A small seeded PRNG for tests that draw random cases and must replay a
// failing run from its seed.
//
//   const rng = prng(seed);
//   const n = Math.floor(rng() * 10);   // 0..9, the same sequence for the same seed

/** mulberry32: fast, 32 bits of state, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}
