/**
 * Seeded pseudo-random numbers. Every stochastic step in src/model draws from
 * an Rng built from a user seed, so a seed reproduces a model bit for bit.
 * Generator: mulberry32 (32-bit state, passes PractRand to 2^32, tiny, fast).
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A fresh 32-bit seed, to hand to a sub-component (e.g. a library's own RNG). */
  seed(): number;
}

export function createRng(seed: number): Rng {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // 1 - u avoids log(0)
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    seed: () => Math.floor(next() * 2147483647),
  };
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** A random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng);
}

/**
 * The seed of one purpose of a seeded run (a split, a subsample, an ensemble member …),
 * derived from the run's seed and the purpose's name: different purposes draw
 * independent streams, and no purpose collides with another's by arithmetic.
 */
export function childSeed(seed: number, purpose: string): number {
  let h = (Math.trunc(seed) ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  return createRng(h).seed();
}
