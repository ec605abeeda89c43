/**
 * The regressor registry: one entry per model, holding its CLI name, what it is,
 * its hyper-parameters (declared once, with defaults and ranges), how to build
 * it and how to reload it. Adding a model = one entry here. The CLI's `--model`
 * choices, the help text and the model-file loader all read this table.
 */
import type { Regressor, RegressorJSON } from './estimator.ts';
import { number, resolveParams, type ParamDefs, type ParamValues } from '../../util/params.ts';
import { InputError } from '../../util/errors.ts';
import type { TokenLayout } from '../../features/tokens.ts';

export interface CreateOptions {
  nFeatures: number;
  seed: number;
  layout?: TokenLayout;
}

export interface RegressorEntry<D extends ParamDefs = ParamDefs> {
  /** CLI name (`--model svr`). */
  name: string;
  /** Tag of the saved JSON and the label in tables. */
  kind: string;
  description: string;
  params: D;
  /**
   * The small grid `--search` and `train --select` try (values of declared params; others keep
   * their defaults), by grouped CV inside the training data: a few points, so that even the
   * networks can be tuned in minutes.
   */
  grid: { readonly [K in keyof D]?: readonly number[] };
  /** `layout`: the rows are token sequences (src/features/tokens.ts), for models that read them as such. */
  create(params: ParamValues<D>, o: CreateOptions): Promise<Regressor>;
  fromJSON(json: RegressorJSON): Promise<Regressor>;
}

const entry = <D extends ParamDefs>(e: RegressorEntry<D>): RegressorEntry => e as unknown as RegressorEntry;

// Models are imported lazily so that, e.g., loading an SVR never pays for tfjs start-up.
export const REGRESSORS: readonly RegressorEntry[] = [
  entry({
    name: 'svr',
    kind: 'SVR',
    description: 'ε-support-vector regression, RBF kernel on standardised features',
    params: {
      C: number('penalty C of the ε-insensitive loss', 10, { min: 0, minExclusive: true }),
      epsilon: number('half-width ε of the insensitive tube', 0.05, { min: 0, unit: 'eV' }),
      gammaScale: number('RBF width as γ·d: γ = gammaScale / (number of features), so it carries over between feature sets', 1, { min: 0, minExclusive: true }),
    },
    // around the site family's defaults (C = 100, γ·d = 0.3, ε = 0.01); searched by successive halving
    grid: { C: [10, 30, 100], gammaScale: [0.3, 0.6, 1.2], epsilon: [0.01, 0.02, 0.05] },
    async create(p, o) {
      const { SVR } = await import('./svr.ts');
      return new SVR({ C: p.C, epsilon: p.epsilon, gamma: p.gammaScale / o.nFeatures, seed: o.seed });
    },
    fromJSON: async (j) => (await import('./svr.ts')).SVR.fromJSON(j),
  }),
  entry({
    name: 'rf',
    kind: 'RandomForest',
    description: 'bagged regression trees with binned splits',
    params: {
      nEstimators: number('trees', 100, { min: 1, max: 5000, integer: true }),
      maxFeatures: number('candidate features per split: a fraction of d in (0, 1], or a count > 1', 1, { min: 0, minExclusive: true }),
      maxDepth: number('largest tree depth', 1000, { min: 1, integer: true }),
      minSamplesLeaf: number('fewest samples in a leaf', 1, { min: 1, integer: true }),
    },
    grid: { maxFeatures: [0.33, 1], minSamplesLeaf: [1, 3] },
    async create(p, o) {
      const { RandomForest } = await import('./forest.ts');
      return new RandomForest({ ...p, seed: o.seed });
    },
    fromJSON: async (j) => (await import('./forest.ts')).RandomForest.fromJSON(j),
  }),
  entry({
    name: 'dnn',
    kind: 'DNN',
    description: 'dense neural network (ReLU layers 128-64, Adam, MAE loss, early stopping)',
    params: {
      epochs: number('largest number of training epochs', 300, { min: 1, integer: true }),
      learningRate: number('Adam learning rate', 1e-3, { min: 0, minExclusive: true }),
      patience: number('epochs without validation gain before stopping', 25, { min: 1, integer: true }),
      weightDecay: number('L2 penalty on the weights', 0, { min: 0 }),
    },
    grid: { learningRate: [1e-3, 3e-3], weightDecay: [0, 1e-4] },
    async create(p, o) {
      const { DNNRegressor } = await import('./dnn.ts');
      return new DNNRegressor({ ...p, seed: o.seed });
    },
    fromJSON: async (j) => (await import('./dnn.ts')).DNNRegressor.fromJSON(j),
  }),
  entry({
    name: 'mhar',
    kind: 'MHAR',
    description: 'multi-head attention regression (features as tokens, or the real tokens with --features tokens; attention maps)',
    params: {
      embedDim: number('token embedding width (divisible by heads)', 16, { min: 2, integer: true }),
      heads: number('attention heads', 2, { min: 1, max: 8, integer: true }),
      epochs: number('largest number of training epochs', 60, { min: 1, integer: true }),
      learningRate: number('Adam learning rate', 2e-3, { min: 0, minExclusive: true }),
      patience: number('epochs without validation gain before stopping', 10, { min: 1, integer: true }),
    },
    // the embedding width and step size move MHAR's error most; h stays 2 (same cost, d_h = e/2)
    grid: { embedDim: [8, 16], learningRate: [2e-3, 5e-3] },
    async create(p, o) {
      const { MHARegressor } = await import('./mhar.ts');
      return new MHARegressor({ ...p, seed: o.seed }, o.layout ?? null);
    },
    fromJSON: async (j) => (await import('./mhar.ts')).MHARegressor.fromJSON(j),
  }),
  entry({
    name: 'lgdcnn',
    kind: 'LGDCNN',
    description: 'token sequences (--features tokens): embedding → LSTM → GRU → dilated CNN, gated fusion, masked pooling',
    params: {
      embedDim: number('token embedding width', 16, { min: 2, max: 256, integer: true }),
      hidden: number('LSTM, GRU and convolution width', 16, { min: 2, max: 256, integer: true }),
      convLayers: number('dilated convolution layers (dilations 1, 2, 4, …)', 2, { min: 0, max: 6, integer: true }),
      epochs: number('largest number of training epochs', 40, { min: 1, integer: true }),
      learningRate: number('Adam learning rate', 4e-3, { min: 0, minExclusive: true }),
      patience: number('epochs without validation gain before stopping', 8, { min: 1, integer: true }),
      weightDecay: number('L2 penalty on the weights', 0, { min: 0 }),
      members: number('ensemble members (consecutive seeds, predictions averaged)', 1, { min: 1, max: 10, integer: true }),
      anchorRepeat: number('repetitions per epoch of the pristine anchors (rows with target exactly 0)', 10, { min: 1, max: 100, integer: true }),
    },
    // width and step size only: each fit takes 40–60 s, so 4 points × 3 folds is already ~10 min
    grid: { hidden: [16, 24], learningRate: [2e-3, 4e-3] },
    async create(p, o) {
      if (!o.layout) throw new InputError('--model lgdcnn reads token sequences: use it with --features tokens');
      const { LGDCNNRegressor } = await import('./lgdcnn.ts');
      return new LGDCNNRegressor(o.layout, { ...p, seed: o.seed });
    },
    fromJSON: async (j) => (await import('./lgdcnn.ts')).LGDCNNRegressor.fromJSON(j),
  }),
];

export function regressorEntry(name: string): RegressorEntry {
  const e = REGRESSORS.find((r) => r.name === name.toLowerCase() || r.kind === name);
  if (!e) throw new InputError(`--model ${name}: expected one of ${REGRESSORS.map((r) => r.name).join(', ')}`);
  return e;
}

/** Build an unfitted model with checked hyper-parameters (missing ones take the declared defaults). */
export async function createRegressor(name: string, params: Record<string, unknown>, o: CreateOptions): Promise<Regressor> {
  const e = regressorEntry(name);
  return e.create(resolveParams(e.params, params, `${e.name} parameter`), o);
}

/** Rebuild a fitted model from its `toJSON()` output. */
export async function regressorFromJSON(json: unknown): Promise<Regressor> {
  if (typeof json !== 'object' || json === null || typeof (json as RegressorJSON).kind !== 'string') {
    throw new Error('regressorFromJSON: not a serialised model (missing "kind")');
  }
  const j = json as RegressorJSON;
  const e = REGRESSORS.find((r) => r.kind === j.kind);
  if (!e) throw new Error(`regressorFromJSON: unknown model kind "${j.kind}"`);
  return e.fromJSON(j);
}
