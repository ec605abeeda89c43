/**
 * What the sequence models (L-G-DCNN, MHAR on tokens) read of a token row
 * (src/features/tokens.ts): the numeric columns standardised over the real tokens
 * of the training rows, a one-hot of the element for a learned embedding (elements
 * seen in training only: an unseen element is read from its properties alone),
 * and a constant 1 that is both the biases' input and the mask (0 on padding).
 */
import type { TokenLayout } from '../../features/tokens.ts';
import { finiteNumbers } from './estimator.ts';
import { InputError } from '../../util/errors.ts';

export interface TokenEncoding {
  /** Token columns read as numbers. */
  columns: number[];
  mean: number[];
  sd: number[];
  /** Element indices (Z) with an embedding row, in row order. */
  vocabulary: number[];
}

/** Columns the models read as numbers: properties, w, r, centre, partner, and `side` if asked. */
export function numericColumns(layout: TokenLayout, side = false): number[] {
  const cols = Array.from({ length: layout.properties }, (_, q) => q);
  for (const name of ['w', 'r', 'centre', 'partner', ...(side ? ['side'] : [])]) cols.push(layout.columns.indexOf(name));
  return cols;
}

export function fitTokenEncoding(layout: TokenLayout, X: readonly (readonly number[])[], columns: number[]): TokenEncoding {
  const zs = new Set<number>();
  const sum = new Array<number>(columns.length).fill(0);
  const sq = new Array<number>(columns.length).fill(0);
  let count = 0;
  for (const row of X)
    for (let t = 0; t < layout.tokens; t++) {
      const b = t * layout.width;
      if (row[b + layout.maskColumn] !== 1) continue;
      zs.add(row[b + layout.elementColumn]);
      columns.forEach((col, q) => ((sum[q] += row[b + col]), (sq[q] += row[b + col] ** 2)));
      count++;
    }
  if (count === 0) throw new InputError('the token rows hold no tokens');
  const mean = sum.map((s) => s / count);
  return { columns, mean, sd: sq.map((s, q) => Math.sqrt(Math.max(s / count - mean[q] ** 2, 0)) || 1), vocabulary: [...zs].sort((a, b) => a - b) };
}

/** Columns per encoded token: numbers, element one-hot, constant 1 (the mask). */
export const encodedWidth = (e: TokenEncoding) => e.columns.length + e.vocabulary.length + 1;

/**
 * One row encoded as segments × L tokens (the first L of each segment: trailing
 * padding can be dropped by models it cannot affect), `encodedWidth` columns each.
 */
export function encodeTokenRow(layout: TokenLayout, e: TokenEncoding, row: readonly number[], L = layout.segmentLength): Float32Array {
  const c = encodedWidth(e);
  const index = new Map(e.vocabulary.map((z, k) => [z, k]));
  const v = new Float32Array(layout.segments * L * c);
  for (let s = 0; s < layout.segments; s++)
    for (let t = 0; t < L; t++) {
      const src = (s * layout.segmentLength + t) * layout.width;
      if (row[src + layout.maskColumn] !== 1) continue;
      const dst = (s * L + t) * c;
      e.columns.forEach((col, q) => (v[dst + q] = (row[src + col] - e.mean[q]) / e.sd[q]));
      const k = index.get(row[src + layout.elementColumn]);
      if (k !== undefined) v[dst + e.columns.length + k] = 1;
      v[dst + c - 1] = 1;
    }
  return v;
}

export function tokenEncodingFromJSON(j: unknown, what: string): TokenEncoding {
  const e = j as TokenEncoding;
  const n = finiteNumbers(e?.columns, `${what} token columns`).length;
  return { columns: e.columns, mean: finiteNumbers(e.mean, `${what} token means`, n), sd: finiteNumbers(e.sd, `${what} token scales`, n), vocabulary: finiteNumbers(e.vocabulary, `${what} vocabulary`) };
}
