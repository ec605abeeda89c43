/**
 * The estimator contract shared by every model in src/model, and the JSON
 * registry that rebuilds a fitted model from its `toJSON()` output.
 *
 * Conventions:
 * - `fit` is async (libsvm-wasm and tfjs initialise asynchronously);
 *   `predict` is synchronous and pure, so interpretation code can call it in loops.
 * - Every model takes a `seed` option; the same seed and data give the same model.
 * - `toJSON()` returns plain JSON (numbers, arrays, strings) tagged with `kind`;
 *   `regressorFromJSON` dispatches on that tag and predicts identically afterwards.
 */

export interface Regressor {
  fit(X: number[][], y: number[]): Promise<void>;
  predict(X: number[][]): number[];
  toJSON(): RegressorJSON;
}

export interface RegressorJSON {
  kind: string;
  [key: string]: unknown;
}

/** Kinds known to `regressorFromJSON` / `createRegressor`. */
export type RegressorKind = 'SVR' | 'RandomForest' | 'DNN' | 'MHAR';

export const REGRESSOR_KINDS: readonly RegressorKind[] = ['SVR', 'RandomForest', 'DNN', 'MHAR'];

// Models are imported lazily so that, e.g., loading an SVR never pays for tfjs start-up.
export async function regressorFromJSON(json: unknown): Promise<Regressor> {
  if (typeof json !== 'object' || json === null || typeof (json as RegressorJSON).kind !== 'string') {
    throw new Error('regressorFromJSON: not a serialised model (missing "kind")');
  }
  const j = json as RegressorJSON;
  switch (j.kind) {
    case 'SVR':
      return (await import('./svr.ts')).SVR.fromJSON(j);
    case 'RandomForest':
      return (await import('./forest.ts')).RandomForest.fromJSON(j);
    case 'DNN':
      return (await import('./dnn.ts')).DNNRegressor.fromJSON(j);
    case 'MHAR':
      return (await import('./mhar.ts')).MHARegressor.fromJSON(j);
    default:
      throw new Error(`regressorFromJSON: unknown model kind "${j.kind}"`);
  }
}

/** Build an unfitted model by kind name, with that model's options object. */
export async function createRegressor(kind: RegressorKind, options: Record<string, unknown> = {}): Promise<Regressor> {
  switch (kind) {
    case 'SVR':
      return new (await import('./svr.ts')).SVR(options);
    case 'RandomForest':
      return new (await import('./forest.ts')).RandomForest(options);
    case 'DNN':
      return new (await import('./dnn.ts')).DNNRegressor(options);
    case 'MHAR':
      return new (await import('./mhar.ts')).MHARegressor(options);
    default:
      throw new Error(`createRegressor: unknown model kind "${kind as string}"`);
  }
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
