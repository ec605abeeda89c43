/**
 * Cross-validation splitters, scikit-learn style: each returns index lists
 * into the rows of X. Group-aware splitters never put one group (e.g. one
 * host structure or one substitution pair) in train and test at once, so the
 * score measures transfer to unseen groups rather than memorisation.
 */
import { createRng, permutation, shuffleInPlace } from './random.ts';

export interface Split {
  train: number[];
  test: number[];
  /** Fold number within a k-fold pass. */
  fold?: number;
  /** Repeat number when produced by `repeated`. */
  repeat?: number;
  /** Held-out tag for leave-group-out splits. */
  tag?: string;
}

export type GroupKey = string | number;

function checkK(k: number, available: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k must be an integer ≥ 2, got ${k}`);
  if (k > available) throw new Error(`k = ${k} exceeds the number of ${what} (${available})`);
}

/** Complement of `test` within 0..n-1, ascending. */
function complement(n: number, test: readonly number[]): number[] {
  const inTest = new Uint8Array(n);
  for (const i of test) inTest[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (!inTest[i]) train.push(i);
  return train;
}

/** Shuffled k-fold: every index lands in exactly one test fold; fold sizes differ by ≤ 1. */
export function kFold(n: number, k: number, seed = 0): Split[] {
  checkK(k, n, 'samples');
  const order = permutation(n, createRng(seed));
  const splits: Split[] = [];
  for (let f = 0; f < k; f++) {
    const lo = Math.floor((f * n) / k);
    const hi = Math.floor(((f + 1) * n) / k);
    const test = order.slice(lo, hi).sort((a, b) => a - b);
    splits.push({ train: complement(n, test), test, fold: f });
  }
  return splits;
}

/** Row indices of each distinct group, groups in first-seen order. */
export function groupRows(groups: readonly GroupKey[]): Map<GroupKey, number[]> {
  const map = new Map<GroupKey, number[]>();
  groups.forEach((g, i) => {
    const rows = map.get(g);
    if (rows) rows.push(i);
    else map.set(g, [i]);
  });
  return map;
}

/**
 * Group k-fold: groups are visited in a seeded random order and each goes to
 * the fold with the fewest rows so far, so folds stay balanced while a new
 * seed gives a genuinely different partition (needed for repeated CV).
 */
export function groupKFold(groups: readonly GroupKey[], k: number, seed = 0): Split[] {
  const byGroup = groupRows(groups);
  checkK(k, byGroup.size, 'groups');
  const keys = shuffleInPlace([...byGroup.keys()], createRng(seed));
  const folds: number[][] = Array.from({ length: k }, () => []);
  for (const key of keys) {
    let best = 0;
    for (let f = 1; f < k; f++) if (folds[f].length < folds[best].length) best = f;
    folds[best].push(...byGroup.get(key)!);
  }
  return folds.map((rows, f) => {
    const test = rows.sort((a, b) => a - b);
    return { train: complement(groups.length, test), test, fold: f };
  });
}

function checkFraction(testFraction: number): void {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${testFraction}`);
}

/** Random hold-out of round(testFraction·n) rows (at least 1, at most n−1). */
export function trainTestSplit(n: number, testFraction: number, seed = 0): Split {
  checkFraction(testFraction);
  if (n < 2) throw new Error('need at least 2 samples to split');
  const nTest = Math.min(n - 1, Math.max(1, Math.round(testFraction * n)));
  const test = permutation(n, createRng(seed)).slice(0, nTest).sort((a, b) => a - b);
  return { train: complement(n, test), test };
}

/**
 * Hold out whole groups, in seeded random order, until the test set is as
 * close as possible to testFraction of the rows (at least one group in each side).
 */
export function groupTrainTestSplit(groups: readonly GroupKey[], testFraction: number, seed = 0): Split {
  checkFraction(testFraction);
  const byGroup = groupRows(groups);
  if (byGroup.size < 2) throw new Error('need at least 2 groups to split');
  const target = testFraction * groups.length;
  const keys = shuffleInPlace([...byGroup.keys()], createRng(seed));
  const test: number[] = [];
  for (let g = 0; g < keys.length - 1; g++) {
    const rows = byGroup.get(keys[g])!;
    // take the group if that brings the test size closer to the target
    if (test.length > 0 && Math.abs(test.length + rows.length - target) >= Math.abs(test.length - target)) continue;
    test.push(...rows);
  }
  test.sort((a, b) => a - b);
  return { train: complement(groups.length, test), test };
}

/**
 * Repeat a seeded splitter with derived seeds, e.g. 20×5 CV:
 * `repeated((s) => groupKFold(groups, 5, s), 20, seed)`.
 */
export function repeated(makeSplits: (seed: number) => Split[], repeats: number, seed = 0): Split[] {
  const rng = createRng(seed);
  const out: Split[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const s of makeSplits(rng.seed())) out.push({ ...s, repeat: r });
  }
  return out;
}

export function repeatedKFold(n: number, k: number, repeats: number, seed = 0): Split[] {
  return repeated((s) => kFold(n, k, s), repeats, seed);
}

export function repeatedGroupKFold(groups: readonly GroupKey[], k: number, repeats: number, seed = 0): Split[] {
  return repeated((s) => groupKFold(groups, k, s), repeats, seed);
}

/**
 * Leave-one-tag-out: for every tag, test = all rows carrying that tag and
 * train = all rows that do not. A row may carry several tags (e.g. the two
 * substituting elements, or the two site types of a double substitution), so
 * a row is in the test set of each of its tags and a tag never leaks into its
 * own training set. `only` restricts which tags are held out (default: all,
 * sorted). Tags whose complement is empty are skipped.
 */
export function leaveGroupOut(
  tagsPerRow: readonly (readonly string[] | string)[],
  only?: readonly string[],
): Split[] {
  const rowsByTag = new Map<string, number[]>();
  tagsPerRow.forEach((tags, i) => {
    const list = typeof tags === 'string' ? [tags] : [...new Set(tags)];
    for (const t of list) {
      const rows = rowsByTag.get(t);
      if (rows) rows.push(i);
      else rowsByTag.set(t, [i]);
    }
  });
  const tags = only ? [...only] : [...rowsByTag.keys()].sort();
  const out: Split[] = [];
  for (const tag of tags) {
    const test = rowsByTag.get(tag);
    if (!test) throw new Error(`tag "${tag}" occurs in no row`);
    const train = complement(tagsPerRow.length, test);
    if (train.length === 0) continue;
    out.push({ train, test: [...test], tag });
  }
  return out;
}

/** Rows of a matrix / entries of a vector by index. */
export function take<T>(a: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => a[i]);
}
