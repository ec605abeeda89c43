/**
 * Dense neural-network regressor (DNNR): standardised inputs → ReLU hidden
 * layers → linear output, trained with Adam on the MAE loss (robust to the
 * few large substitution energies), early stopping on a seeded validation
 * split with best-weight restore. Inputs and target are standardised inside
 * the estimator; predictions are returned in target units.
 *
 * Reproducibility: weights are drawn from our seeded Rng (He-uniform), batch
 * order and the validation split likewise, and the wasm backend is
 * single-threaded here, so a seed reproduces the model exactly.
 */
import { checkXy, type Regressor, type RegressorJSON } from './estimator.ts';
import { createRng } from './random.ts';
import { StandardScaler, fitTargetScale, type StandardScalerJSON, type TargetScale } from './scaler.ts';
import {
  constant,
  disposeParams,
  heUniform,
  initTf,
  paramsFromJSON,
  paramsToJSON,
  predictBatched,
  tf,
  trainLoop,
  type ParamJSON,
  type ParamMap,
  type NetworkOptions,
  type TrainReport,
} from './tfutil.ts';
import { DNN_PARAMS } from './regressorParams.ts';
import { defaults } from '../../util/params.ts';

export interface DNNOptions extends NetworkOptions {
  hidden?: number[];
}

const DEFAULTS: Required<DNNOptions> = {
  ...defaults(DNN_PARAMS),
  hidden: [128, 64],
  batchSize: 64,
  validationFraction: 0.1,
  seed: 0,
};

export interface DNNJSON extends RegressorJSON {
  kind: 'DNN';
  options: Required<DNNOptions>;
  scaler: StandardScalerJSON;
  target: TargetScale;
  params: Record<string, ParamJSON>;
}

export class DNNRegressor implements Regressor {
  readonly options: Required<DNNOptions>;
  private params: ParamMap | null = null;
  private scaler = new StandardScaler();
  private target: TargetScale = { mean: 0, scale: 1 };
  report: TrainReport | null = null;

  constructor(options: DNNOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  private nLayers(): number {
    return this.options.hidden.length + 1;
  }

  private forward = (x: tf.Tensor2D): tf.Tensor1D => {
    const p = this.params!;
    let h: tf.Tensor2D = x;
    const L = this.nLayers();
    for (let l = 0; l < L; l++) {
      h = tf.add(tf.matMul(h, p[`W${l}`]), p[`b${l}`]);
      if (l < L - 1) h = tf.relu(h);
    }
    return tf.reshape(h, [-1]) as tf.Tensor1D;
  };

  async fit(X: number[][], y: number[]): Promise<void> {
    checkXy(X, y);
    await initTf();
    if (this.params) disposeParams(this.params);
    const rng = createRng(this.options.seed);
    const Xs = this.scaler.fitTransform(X);
    this.target = fitTargetScale(y);
    const ys = y.map((v) => (v - this.target.mean) / this.target.scale);
    const sizes = [X[0].length, ...this.options.hidden, 1];
    const params: ParamMap = {};
    for (let l = 0; l + 1 < sizes.length; l++) {
      params[`W${l}`] = heUniform(rng, sizes[l], sizes[l + 1]);
      params[`b${l}`] = constant([sizes[l + 1]], 0);
    }
    this.params = params;
    const weights = Object.keys(params).filter((k) => k.startsWith('W'));
    this.report = trainLoop(params, this.forward, Xs, ys, this.options, rng, weights);
  }

  predict(X: number[][]): number[] {
    if (!this.params) throw new Error('DNNRegressor.predict before fit');
    checkXy(X, undefined, this.scaler.mean.length);
    const z = predictBatched(this.forward, this.scaler.transform(X));
    return z.map((v) => v * this.target.scale + this.target.mean);
  }

  /** Free the tfjs variables (the model is unusable afterwards). */
  dispose(): void {
    if (this.params) disposeParams(this.params);
    this.params = null;
  }

  toJSON(): DNNJSON {
    if (!this.params) throw new Error('DNNRegressor.toJSON before fit');
    return {
      kind: 'DNN',
      options: { ...this.options },
      scaler: this.scaler.toJSON(),
      target: { ...this.target },
      params: paramsToJSON(this.params),
    };
  }

  static async fromJSON(json: RegressorJSON): Promise<DNNRegressor> {
    const j = json as DNNJSON;
    if (j.kind !== 'DNN') throw new Error(`DNNRegressor.fromJSON: kind is ${j.kind}`);
    await initTf();
    const m = new DNNRegressor(j.options);
    m.scaler = StandardScaler.fromJSON(j.scaler);
    m.target = { ...j.target };
    m.params = paramsFromJSON(j.params);
    return m;
  }
}
