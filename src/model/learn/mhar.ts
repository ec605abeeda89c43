/**
 * Multi-head attention regression (MHAR): each feature is a token, so the
 * attention weights say which features the model reads together.
 *
 *   token_f = x_f · w_f + b_f            (per-feature embedding, dimension e;
 *                                         b_f also plays the role of the
 *                                         feature-identity embedding e_f)
 *   block  : T ← LN(T + MHSA(T)),  T ← LN(T + FFN(T))   (post-LN Transformer)
 *   MHSA   : softmax(Q Kᵀ/√d_h) V per head, h heads of width d_h = e/h
 *   head   : mean-pool tokens → Dense(e, ReLU) → Dense(1)
 *
 * Trained like the DNN (Adam, MAE loss, early stopping, standardised X and y,
 * seeded init/shuffle). Written with raw tfjs ops + variables, not Keras layers.
 *
 * Given a token layout (`--features tokens`), the tokens are the real ones instead:
 * the substituted centres and their shell atoms (src/features/tokens.ts), each
 * embedded from its standardised columns and a learned element embedding; padding
 * is masked out of the attention keys and the mean pool. Attention maps are then
 * token × token over the layout's positions.
 */
import type { TokenLayout } from '../../features/tokens.ts';
import { encodedWidth, encodeTokenRow, fitTokenEncoding, numericColumns, tokenEncodingFromJSON, type TokenEncoding } from './tokenInput.ts';
import { checkXy, type Regressor, type RegressorJSON } from './estimator.ts';
import { createRng, type Rng } from './random.ts';
import { StandardScaler, fitTargetScale, type StandardScalerJSON, type TargetScale } from './scaler.ts';
import {
  constant,
  disposeParams,
  glorot,
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
import { MHAR_PARAMS } from './regressorParams.ts';
import { defaults } from '../../util/params.ts';

export interface MHAROptions extends NetworkOptions {
  /** Token embedding width e (must be divisible by heads). */
  embedDim?: number;
  heads?: number;
  blocks?: number;
  /** Feed-forward hidden width = ffMultiplier · e. */
  ffMultiplier?: number;
}

const DEFAULTS: Required<MHAROptions> = {
  // h = 1, 2, 4 cost about the same in tfjs-wasm (token-wise ops dominate); 2 keeps d_h = 8.
  // 60 epochs: ≈ 0.9 s per epoch for 1350×60 on one CPU core (wasm); embedDim 8 halves that
  ...defaults(MHAR_PARAMS),
  blocks: 1,
  ffMultiplier: 2,
  batchSize: 64,
  validationFraction: 0.1,
  weightDecay: 0,
  seed: 0,
};

export interface MHARJSON extends RegressorJSON {
  kind: 'MHAR';
  options: Required<MHAROptions>;
  nFeatures: number;
  scaler: StandardScalerJSON;
  target: TargetScale;
  params: Record<string, ParamJSON>;
  /** Token mode: the layout and how its columns are read. */
  tokens?: { layout: TokenLayout; encoding: TokenEncoding };
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

export class MHARegressor implements Regressor {
  readonly options: Required<MHAROptions>;
  private params: ParamMap | null = null;
  private scaler = new StandardScaler();
  private target: TargetScale = { mean: 0, scale: 1 };
  private nFeatures = 0;
  private encoding: TokenEncoding | null = null;
  report: TrainReport | null = null;

  constructor(
    options: MHAROptions = {},
    /** Rows are token sequences of this layout (null: one token per feature). */
    readonly layout: TokenLayout | null = null,
  ) {
    this.options = { ...DEFAULTS, ...options };
    if (this.options.embedDim % this.options.heads !== 0) throw new Error('embedDim must be divisible by heads');
  }

  private init(rng: Rng, F: number): ParamMap {
    const e = this.options.embedDim;
    const ff = this.options.ffMultiplier * e;
    const p: ParamMap = this.encoding
      ? { embTok: glorot(rng, encodedWidth(this.encoding), e) }
      : {
          embW: glorot(rng, 1, e, [F, e]),
          embB: glorot(rng, 1, e, [F, e]),
        };
    for (let l = 0; l < this.options.blocks; l++) {
      for (const m of ['Wq', 'Wk', 'Wv', 'Wo']) p[`${m}${l}`] = glorot(rng, e, e);
      p[`bo${l}`] = constant([e], 0);
      p[`ln1g${l}`] = constant([e], 1);
      p[`ln1b${l}`] = constant([e], 0);
      p[`ff1W${l}`] = heUniform(rng, e, ff);
      p[`ff1b${l}`] = constant([ff], 0);
      p[`ff2W${l}`] = glorot(rng, ff, e);
      p[`ff2b${l}`] = constant([e], 0);
      p[`ln2g${l}`] = constant([e], 1);
      p[`ln2b${l}`] = constant([e], 0);
    }
    p.headW1 = heUniform(rng, e, e);
    p.headb1 = constant([e], 0);
    p.headW2 = glorot(rng, e, 1);
    p.headb2 = constant([1], 0);
    return p;
  }

  /** Forward pass; when `capture` is given, each block's attention [B·h, F, F] is pushed to it (kept out of tidy). */
  private run(x: tf.Tensor2D, capture?: tf.Tensor3D[]): tf.Tensor1D {
    const p = this.params!;
    const { embedDim: e, heads: h, blocks } = this.options;
    const dh = e / h;
    const B = x.shape[0];
    let T: tf.Tensor;
    let F: number;
    // token mode: additive key mask (0 on real tokens, −1e9 on padding) and pooling weights
    let keyBias: tf.Tensor | null = null;
    let poolW: tf.Tensor | null = null;
    if (this.encoding) {
      const c = encodedWidth(this.encoding);
      F = x.shape[1] / c;
      const flat = tf.reshape(x, [B * F, c]) as tf.Tensor2D;
      T = tf.reshape(tf.matMul(flat, p.embTok as tf.Tensor2D), [B, F, e]);
      const mask = tf.reshape(tf.slice(flat, [0, c - 1], [B * F, 1]), [B, F]);
      keyBias = tf.reshape(tf.mul(tf.sub(mask, 1), 1e9), [B, 1, 1, F]);
      poolW = tf.div(tf.expandDims(mask, 2), tf.maximum(tf.sum(mask, 1, true), 1).expandDims(2));
    } else {
      F = x.shape[1];
      // tokens [B, F, e]
      T = tf.add(tf.mul(tf.expandDims(x, 2), p.embW), p.embB);
    }
    const splitHeads = (t: tf.Tensor): tf.Tensor3D =>
      tf.reshape(tf.transpose(tf.reshape(t, [B, F, h, dh]), [0, 2, 1, 3]), [B * h, F, dh]) as tf.Tensor3D;
    for (let l = 0; l < blocks; l++) {
      const flat = tf.reshape(T, [B * F, e]) as tf.Tensor2D;
      const Q = splitHeads(tf.matMul(flat, p[`Wq${l}`] as tf.Tensor2D));
      const K = splitHeads(tf.matMul(flat, p[`Wk${l}`] as tf.Tensor2D));
      const V = splitHeads(tf.matMul(flat, p[`Wv${l}`] as tf.Tensor2D));
      let logits: tf.Tensor = tf.div(tf.matMul(Q, K, false, true), Math.sqrt(dh)); // [B·h, F, F]
      if (keyBias) logits = tf.reshape(tf.add(tf.reshape(logits, [B, h, F, F]), keyBias), [B * h, F, F]);
      const A = tf.softmax(logits) as tf.Tensor3D;
      if (capture) capture.push(tf.keep(A));
      const O = tf.reshape(tf.transpose(tf.reshape(tf.matMul(A, V), [B, h, F, dh]), [0, 2, 1, 3]), [B * F, e]) as tf.Tensor2D;
      const att = tf.reshape(tf.add(tf.matMul(O, p[`Wo${l}`] as tf.Tensor2D), p[`bo${l}`]), [B, F, e]);
      T = layerNorm(tf.add(T, att), p[`ln1g${l}`], p[`ln1b${l}`]);
      const flat2 = tf.reshape(T, [B * F, e]) as tf.Tensor2D;
      const hid = tf.relu(tf.add(tf.matMul(flat2, p[`ff1W${l}`] as tf.Tensor2D), p[`ff1b${l}`])) as tf.Tensor2D;
      const ffo = tf.reshape(tf.add(tf.matMul(hid, p[`ff2W${l}`] as tf.Tensor2D), p[`ff2b${l}`]), [B, F, e]);
      T = layerNorm(tf.add(T, ffo), p[`ln2g${l}`], p[`ln2b${l}`]);
    }
    const pooled = (poolW ? tf.sum(tf.mul(T, poolW), 1) : tf.mean(T, 1)) as tf.Tensor2D; // [B, e]
    const z = tf.relu(tf.add(tf.matMul(pooled, p.headW1 as tf.Tensor2D), p.headb1)) as tf.Tensor2D;
    return tf.reshape(tf.add(tf.matMul(z, p.headW2 as tf.Tensor2D), p.headb2), [-1]) as tf.Tensor1D;
  }

  private forward = (x: tf.Tensor2D): tf.Tensor1D => this.run(x);

  async fit(X: number[][], y: number[]): Promise<void> {
    checkXy(X, y);
    await initTf();
    if (this.params) disposeParams(this.params);
    const rng = createRng(this.options.seed);
    this.nFeatures = X[0].length;
    if (this.layout) {
      if (this.nFeatures !== this.layout.tokens * this.layout.width) throw new Error(`MHAR: rows of ${this.nFeatures} values do not match the token layout`);
      this.encoding = fitTokenEncoding(this.layout, X, numericColumns(this.layout, true));
    }
    const Xs = this.inputs(X, true);
    this.target = fitTargetScale(y);
    const ys = y.map((v) => (v - this.target.mean) / this.target.scale);
    this.params = this.init(rng, this.nFeatures);
    const decayed = Object.keys(this.params).filter((k) => /W/.test(k));
    this.report = trainLoop(this.params, this.forward, Xs, ys, this.options, rng, decayed);
  }

  predict(X: number[][]): number[] {
    if (!this.params) throw new Error('MHARegressor.predict before fit');
    checkXy(X, undefined, this.nFeatures);
    const z = predictBatched(this.forward, this.inputs(X), 256);
    return z.map((v) => v * this.target.scale + this.target.mean);
  }

  /**
   * Attention weights of one block (default: the last) for every sample:
   * result[sample][head][query feature][key feature]; each row sums to 1.
   */
  attention(X: number[][], block = -1): number[][][][] {
    if (!this.params) throw new Error('MHARegressor.attention before fit');
    checkXy(X, undefined, this.nFeatures);
    const { heads: h, blocks } = this.options;
    const b = block < 0 ? blocks + block : block;
    if (b < 0 || b >= blocks) throw new Error(`block ${block} out of range (model has ${blocks})`);
    const F = this.layout ? this.layout.tokens : this.nFeatures;
    const Xs = this.inputs(X);
    const out: number[][][][] = [];
    for (let s = 0; s < Xs.length; s += 128) {
      const part = Xs.slice(s, s + 128);
      const caps: tf.Tensor3D[] = [];
      tf.tidy(() => {
        this.run(tf.tensor2d(part), caps);
      });
      const a = caps[b].dataSync();
      caps.forEach((t) => t.dispose());
      for (let i = 0; i < part.length; i++) {
        const perHead: number[][][] = [];
        for (let k = 0; k < h; k++) {
          const base = (i * h + k) * F * F;
          const rows: number[][] = [];
          for (let q = 0; q < F; q++) rows.push(Array.from(a.subarray(base + q * F, base + (q + 1) * F)));
          perHead.push(rows);
        }
        out.push(perHead);
      }
    }
    return out;
  }

  /** The network's input rows: standardised features, or encoded tokens. */
  private inputs(X: number[][], fit = false): number[][] {
    if (this.layout && this.encoding) return X.map((r) => Array.from(encodeTokenRow(this.layout!, this.encoding!, r)));
    return fit ? this.scaler.fitTransform(X) : this.scaler.transform(X);
  }

  /** Feature-to-feature attention averaged over samples and heads (F × F, rows sum to 1). */
  attentionMap(X: number[][], block = -1): number[][] {
    const att = this.attention(X, block);
    const F = this.layout ? this.layout.tokens : this.nFeatures;
    const m = Array.from({ length: F }, () => new Array<number>(F).fill(0));
    let count = 0;
    for (const sample of att) {
      for (const head of sample) {
        for (let q = 0; q < F; q++) for (let k = 0; k < F; k++) m[q][k] += head[q][k];
        count++;
      }
    }
    return m.map((row) => row.map((v) => v / count));
  }

  dispose(): void {
    if (this.params) disposeParams(this.params);
    this.params = null;
  }

  toJSON(): MHARJSON {
    if (!this.params) throw new Error('MHARegressor.toJSON before fit');
    return {
      kind: 'MHAR',
      options: { ...this.options },
      nFeatures: this.nFeatures,
      scaler: this.scaler.toJSON(),
      target: { ...this.target },
      params: paramsToJSON(this.params),
      ...(this.layout && this.encoding ? { tokens: { layout: this.layout, encoding: this.encoding } } : {}),
    };
  }

  static async fromJSON(json: RegressorJSON): Promise<MHARegressor> {
    const j = json as MHARJSON;
    if (j.kind !== 'MHAR') throw new Error(`MHARegressor.fromJSON: kind is ${j.kind}`);
    await initTf();
    const m = new MHARegressor(j.options, j.tokens ? j.tokens.layout : null);
    if (j.tokens) m.encoding = tokenEncodingFromJSON(j.tokens.encoding, 'MHAR');
    m.nFeatures = j.nFeatures;
    m.scaler = StandardScaler.fromJSON(j.scaler);
    m.target = { ...j.target };
    m.params = paramsFromJSON(j.params);
    return m;
  }
}
