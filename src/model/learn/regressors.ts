/**
 * The regressor registry: one entry per model, holding its CLI name, what it is,
 * its hyper-parameters (declared once, with defaults and ranges), how to build
 * it and how to reload it. Adding a model = one entry here. The CLI's `--model`
 * choices, the help text and the model-file loader all read this table.
 */
import type { Regressor, RegressorJSON } from './estimator.ts';
import { resolveParams, type ParamDefs, type ParamValues } from '../../util/params.ts';
import { DNN_PARAMS, LGDCNN_PARAMS, MHAR_PARAMS, RF_PARAMS, SVR_PARAMS } from './regressorParams.ts';
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
  /** What its rows may be: aggregated CE vectors, token sequences (src/features/tokens.ts), or either. */
  reads: readonly ('vectors' | 'tokens')[];
  params: D;
  /**
   * The small grid `--search` and `train --select` try (values of declared params; others keep
   * their defaults), by grouped CV inside the training data: a few points, so that even the
   * networks can be tuned in minutes.
   */
  grid: { readonly [K in keyof D]?: readonly number[] };
  /** Cheap enough that a family that is this regressor on one vector is searched on its rows by successive halving. */
  rowSearch?: true;
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
    reads: ['vectors'],
    params: SVR_PARAMS,
    // around the site family's defaults (C = 100, γ·d = 0.3, ε = 0.01); searched by successive halving
    grid: { C: [10, 30, 100], gammaScale: [0.3, 0.6, 1.2], epsilon: [0.01, 0.02, 0.05] },
    rowSearch: true,
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
    reads: ['vectors'],
    params: RF_PARAMS,
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
    reads: ['vectors'],
    params: DNN_PARAMS,
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
    reads: ['vectors', 'tokens'],
    params: MHAR_PARAMS,
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
    reads: ['tokens'],
    params: LGDCNN_PARAMS,
    // width and step size only: each fit takes 40–60 s, so 4 points × 3 folds is already ~10 min
    grid: { hidden: [16, 24], learningRate: [2e-3, 4e-3] },
    async create(p, o) {
      const { LGDCNNRegressor } = await import('./lgdcnn.ts');
      return new LGDCNNRegressor(o.layout!, { ...p, seed: o.seed });
    },
    fromJSON: async (j) => (await import('./lgdcnn.ts')).LGDCNNRegressor.fromJSON(j),
  }),
];

/** The regressor a family built on one uses when none is named. */
export const DEFAULT_REGRESSOR = 'svr';

export function regressorEntry(name: string): RegressorEntry {
  const e = REGRESSORS.find((r) => r.name === name.toLowerCase() || r.kind === name);
  if (!e) throw new InputError(`--model ${name}: expected one of ${REGRESSORS.map((r) => r.name).join(', ')}`);
  return e;
}

/** Build an unfitted model with checked hyper-parameters (missing ones take the declared defaults). */
export async function createRegressor(name: string, params: Record<string, unknown>, o: CreateOptions): Promise<Regressor> {
  const e = regressorEntry(name);
  const input = o.layout ? 'tokens' : 'vectors';
  if (!e.reads.includes(input)) throw new InputError(`--model ${e.name} reads ${e.reads.join(' or ')}, not ${input}`);
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
