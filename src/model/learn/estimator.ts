/**
 * The estimator contract shared by every model in src/model (the registry that
 * builds and reloads them by name is src/model/learn/regressors.ts).
 *
 * Conventions:
 * - `fit` is async (libsvm-wasm and tfjs initialise asynchronously);
 *   `predict` is synchronous and pure, so interpretation code can call it in loops.
 * - Every model takes a `seed` option; the same seed and data give the same model.
 * - `toJSON()` returns plain JSON (numbers, arrays, strings) tagged with `kind`;
 *   the registry dispatches on that tag and the model predicts identically afterwards.
 * - `dispose()` frees what garbage collection cannot (tfjs tensors); CV loops call it.
 */

export interface Regressor {
  fit(X: number[][], y: number[]): Promise<void>;
  predict(X: number[][]): number[];
  toJSON(): RegressorJSON;
  dispose(): void;
}

export interface RegressorJSON {
  kind: string;
  [key: string]: unknown;
}

/** Shared input validation: rectangular, finite, matching lengths. */
export function checkXy(X: readonly (readonly number[])[], y?: readonly number[], nFeatures?: number): void {
  if (X.length === 0) throw new Error('empty feature matrix');
  const d = nFeatures ?? X[0].length;
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (row.length !== d) throw new Error(`row ${i} has ${row.length} features, expected ${d}`);
    for (let j = 0; j < d; j++) if (!Number.isFinite(row[j])) throw new Error(`X[${i}][${j}] is not finite`);
  }
  if (y) {
    if (y.length !== X.length) throw new Error(`X has ${X.length} rows but y has ${y.length}`);
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) throw new Error(`y[${i}] is not finite`);
  }
}

/** A saved model's numbers must be what they claim: finite, of the right count. Throws otherwise. */
export function finiteNumbers(value: unknown, what: string, length?: number): number[] {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length) || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`${what}: expected ${length ?? 'an array of'} finite numbers`);
  }
  return value as number[];
}

export function finiteNumber(value: unknown, what: string, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && !(value > 0))) throw new Error(`${what}: expected a finite${positive ? ' positive' : ''} number`);
  return value;
}
