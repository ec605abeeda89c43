/**
 * Chemical environment classification vectors (CECV; Du & Wang, JCTC 2024): what a
 * sequence model learned about each element, read from its hidden states. Every
 * token of an element (as a substituted centre, a shell atom, a partner) has a state
 * in the context of its centre and shell; the element's CECV is their mean over all
 * substitutions of a structure. Elements whose vectors point the same way play the
 * same role for the model; single linkage on 1 − similarity groups them.
 */

export type SimilarityKind = 'cosine' | 'js';

/** The threshold ladder of the groupings: distances 1 − similarity of 0.05 … 0.40. */
export const CECV_THRESHOLDS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4];

/** Mean state of each element over its tokens (elements without a token are left out). */
export function elementVectors<K>(tokens: readonly { key: K; state: readonly number[] }[]): Map<K, { vector: number[]; tokens: number }> {
  const acc = new Map<K, { vector: number[]; tokens: number }>();
  for (const t of tokens) {
    let a = acc.get(t.key);
    if (!a) acc.set(t.key, (a = { vector: new Array<number>(t.state.length).fill(0), tokens: 0 }));
    t.state.forEach((v, k) => (a!.vector[k] += v));
    a.tokens++;
  }
  for (const a of acc.values()) a.vector = a.vector.map((v) => v / a.tokens);
  return acc;
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) (ab += a[k] * b[k]), (aa += a[k] * a[k]), (bb += b[k] * b[k]);
  return aa > 0 && bb > 0 ? Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb))) : aa === bb ? 1 : 0;
}

export function softmax(v: readonly number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** 1 − Jensen–Shannon divergence (base 2, in [0, 1]) of the softmax-normalised vectors. */
export function jsSimilarity(a: readonly number[], b: readonly number[]): number {
  const p = softmax(a);
  const q = softmax(b);
  let d = 0;
  for (let k = 0; k < p.length; k++) {
    const m = (p[k] + q[k]) / 2;
    if (p[k] > 0) d += 0.5 * p[k] * Math.log2(p[k] / m);
    if (q[k] > 0) d += 0.5 * q[k] * Math.log2(q[k] / m);
  }
  return 1 - Math.max(0, Math.min(1, d));
}

export function similarityMatrix(vectors: readonly (readonly number[])[], kind: SimilarityKind): number[][] {
  const f = kind === 'cosine' ? cosineSimilarity : jsSimilarity;
  const n = vectors.length;
  const s = Array.from({ length: n }, () => new Array<number>(n).fill(1));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s[i][j] = s[j][i] = f(vectors[i], vectors[j]);
  return s;
}

export interface Merge {
  /** Clusters joined, as lists of item indices. */
  a: number[];
  b: number[];
  distance: number;
}

/**
 * Single-linkage clustering on a distance matrix: the merges in order of distance
 * (Kruskal on the complete graph) and a leaf order that keeps every cluster contiguous.
 */
export function singleLinkage(dist: readonly (readonly number[])[]): { merges: Merge[]; order: number[] } {
  const n = dist.length;
  const edges: [number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([dist[i][j], i, j]);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const members = new Map<number, number[]>(Array.from({ length: n }, (_, i) => [i, [i]]));
  const root = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i])));
  const merges: Merge[] = [];
  for (const [d, i, j] of edges) {
    const [ri, rj] = [find(i), find(j)];
    if (ri === rj) continue;
    const a = members.get(ri)!;
    const b = members.get(rj)!;
    merges.push({ a: [...a], b: [...b], distance: d });
    root[rj] = ri;
    members.set(ri, [...a, ...b]);
    members.delete(rj);
  }
  return { merges, order: n ? members.get(find(0))! : [] };
}

/** Groups at a threshold: items joined by any chain of distances ≤ threshold (the single-linkage cut), each group in leaf order. */
export function groupsAt(dist: readonly (readonly number[])[], threshold: number, order: readonly number[]): number[][] {
  const n = dist.length;
  const root = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i])));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (dist[i][j] <= threshold + 1e-12) root[find(j)] = find(i);
  const groups = new Map<number, number[]>();
  for (const i of order) {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  }
  return [...groups.values()];
}

export interface Cecv {
  elements: string[];
  /** Tokens averaged per element. */
  tokens: number[];
  vectors: number[][];
  cosine: number[][];
  js: number[][];
  /** The similarity the grouping used. */
  similarity: SimilarityKind;
  /** Leaf order of the single-linkage tree (indices into elements). */
  order: number[];
  merges: Merge[];
  levels: { threshold: number; groups: string[][] }[];
}

/** CECVs, both similarities and the grouping ladder of elements with their vectors. */
export function cecvAnalysis(elements: readonly string[], vectors: readonly number[][], tokens: readonly number[], similarity: SimilarityKind = 'cosine', thresholds = CECV_THRESHOLDS): Cecv {
  const cosine = similarityMatrix(vectors, 'cosine');
  const js = similarityMatrix(vectors, 'js');
  const dist = (similarity === 'cosine' ? cosine : js).map((r) => r.map((s) => 1 - s));
  const { merges, order } = singleLinkage(dist);
  return {
    elements: [...elements],
    tokens: [...tokens],
    vectors: vectors.map((v) => [...v]),
    cosine,
    js,
    similarity,
    order,
    merges,
    levels: thresholds.map((t) => ({ threshold: t, groups: groupsAt(dist, t, order).map((g) => g.map((i) => elements[i])) })),
  };
}
