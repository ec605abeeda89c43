/**
 * L-G-DCNN: a regressor on token sequences (src/features/tokens.ts).
 *
 *   token  x_t = W·[properties, w, r, centre, partner]_t + E[element_t] + b   (width e)
 *   LSTM   over each centre's segment (centre first, then its shell by distance)
 *   GRU    over the LSTM states
 *   DCNN   residual 1-D convolutions (kernel 3, dilations 1, 2, 4) over the GRU states
 *   fuse   gated sum g·GRU + (1 − g)·CNN, g = σ(W_g[GRU; CNN])   (or concatenation)
 *   pool   masked mean over each segment's real tokens; segments A, B concatenated
 *   head   Dense(h, ReLU) → Dense(1)
 *
 * Each segment runs on its own (recurrence and convolution stop at its edge), so the
 * padding a row carries never changes its prediction and trailing padding is trimmed.
 * Elements get a learned embedding only if they were seen in training; an unseen
 * element is read from its properties alone (zero embedding).
 * Trained like the DNN and MHAR (Adam, MAE loss, early stopping on an inner 10 %
 * split, seeded); `members` > 1 averages a small ensemble of seeds.
 *
 * Fusion, measured on α (all 1612 calculations as token rows, grouped 80:20 hold-out by
 * calculation, seed 0, the defaults otherwise): gated sum 229 meV, concatenation 246 meV
 * test MAE (best inner-validation epochs 35 and 29 of 40): the gated sum stays.
 * Speed: the wasm backend pays per kernel call and its slices and tanh are slow, so the
 * inputs are time-major, the gates read σ only (tanh(x) = 2σ(2x) − 1), and shifts are
 * re-concatenations of step blocks. ~1.2–1.6 s per epoch on 1300 rows (2 shared cores).
 */
import { checkXy, type Regressor, type RegressorJSON } from './estimator.ts';
import { childSeed, createRng, permutation, type Rng } from './random.ts';
import { fitTargetScale, type TargetScale } from './scaler.ts';
import { constant, disposeParams, glorot, heUniform, initTf, paramsFromJSON, paramsToJSON, penalisedMae, EarlyStopping, tf, type NetworkOptions, type ParamJSON, type ParamMap } from './tfutil.ts';
import type { TokenLayout } from '../../features/tokens.ts';
import { encodedWidth, encodeTokenRow, fitTokenEncoding, numericColumns, tokenEncodingFromJSON, type TokenEncoding } from './tokenInput.ts';
import { LGDCNN_PARAMS } from './regressorParams.ts';
import { defaults } from '../../util/params.ts';

export interface LGDCNNOptions extends NetworkOptions {
  /** Token embedding width e. */
  embedDim?: number;
  /** LSTM, GRU and convolution width h. */
  hidden?: number;
  /** Dilated convolution layers (dilation 1, 2, 4, …). */
  convLayers?: number;
  fusion?: 'gated' | 'concat';
  /** Models of consecutive seeds averaged. */
  members?: number;
  /**
   * Rows whose target is exactly 0 — the families' pristine anchors (DFT energies are never
   * exactly 0: the cleaner sets such rows aside) — are kept out of the inner validation split
   * and repeated this many times per epoch. The site family subtracts f(pristine) from every
   * prediction of a geometry, so an error there shifts all of them: one grouped fold, site
   * family, 463 meV with the 12 anchors seen once per epoch.
   */
  anchorRepeat?: number;
}

const DEFAULTS: Required<LGDCNNOptions> = {
  ...defaults(LGDCNN_PARAMS),
  fusion: 'gated',
  batchSize: 128,
  validationFraction: 0.1,
  seed: 0,
};

/**
 * Rows prepared for the network: per row, S·L tokens of c = numeric + vocabulary + 1
 * columns (the last is a constant 1, the biases' input; 0 on padding), and the mask.
 */
interface Prepared {
  tokens: Float32Array[];
  masks: Float32Array[];
  L: number;
}

/** One mini-batch as tensors, time-major: token inputs [L·N, c], mask [L·N, 1], real-token counts [N, 1]. */
interface Batch {
  x: tf.Tensor2D;
  L: number;
  N: number;
  mask: tf.Tensor2D;
  counts: tf.Tensor2D;
  B: number;
}

export interface LGDCNNJSON extends RegressorJSON {
  kind: 'LGDCNN';
  options: Required<LGDCNNOptions>;
  layout: TokenLayout;
  encoding: TokenEncoding;
  target: TargetScale;
  members: Record<string, ParamJSON>[];
}

/** Hidden states of one real token: which element, which segment and position, LSTM ⊕ GRU state. */
export interface TokenState {
  row: number;
  segment: number;
  position: number;
  Z: number;
  state: number[];
}

export interface LGDCNNReport {
  epochsRun: number;
  bestEpoch: number;
  bestValLoss: number;
}

/** tanh(x) = 2σ(2x) − 1: the wasm backend's tanh is ~20× slower than its sigmoid; the 2 is folded into the weights. */
const tanhOfHalf = (x: tf.Tensor): tf.Tensor => tf.sub(tf.mul(tf.sigmoid(x), 2), 1);

export class LGDCNNRegressor implements Regressor {
  readonly options: Required<LGDCNNOptions>;
  private members: ParamMap[] = [];
  private encoding: TokenEncoding = { columns: [], mean: [], sd: [], vocabulary: [] };
  private target: TargetScale = { mean: 0, scale: 1 };
  reports: LGDCNNReport[] = [];

  constructor(
    readonly layout: TokenLayout,
    options: LGDCNNOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  private get inputWidth(): number {
    return encodedWidth(this.encoding);
  }

  /** Trailing positions no row uses are dropped: they cannot change any output. */
  private usedLength(X: readonly (readonly number[])[]): number {
    const { segments, segmentLength, width, maskColumn } = this.layout;
    let L = 1;
    for (const row of X)
      for (let s = 0; s < segments; s++)
        for (let t = segmentLength - 1; t >= L; t--)
          if (row[(s * segmentLength + t) * width + maskColumn] === 1) {
            L = t + 1;
            break;
          }
    return L;
  }

  /** Rows → per token [numeric standardised, one-hot element, 1] and the mask. */
  private prepare(X: readonly (readonly number[])[], L = this.usedLength(X)): Prepared {
    const c = this.inputWidth;
    const tokens = X.map((row) => encodeTokenRow(this.layout, this.encoding, row, L));
    const masks = tokens.map((v) => Float32Array.from({ length: v.length / c }, (_, k) => v[k * c + c - 1]));
    return { tokens, masks, L };
  }

  /** Tensors of the rows `idx` (sequence n = row·S + segment). */
  private batch(prep: Prepared, idx: readonly number[]): Batch {
    const S = this.layout.segments;
    const { L } = prep;
    const c = this.inputWidth;
    const B = idx.length;
    const N = B * S;
    const x = new Float32Array(L * N * c);
    for (let t = 0; t < L; t++)
      idx.forEach((i, b) => {
        for (let s = 0; s < S; s++) x.set(prep.tokens[i].subarray((s * L + t) * c, (s * L + t + 1) * c), (t * N + b * S + s) * c);
      });
    const mask = new Float32Array(L * N);
    const counts = new Float32Array(N);
    idx.forEach((i, b) => {
      for (let s = 0; s < S; s++)
        for (let t = 0; t < L; t++) {
          const v = prep.masks[i][s * L + t];
          mask[t * N + b * S + s] = v;
          counts[b * S + s] += v;
        }
    });
    return { x: tf.tensor2d(x, [L * N, c]), L, N, mask: tf.tensor2d(mask, [L * N, 1]), counts: tf.tensor2d(counts.map((v) => Math.max(v, 1)), [N, 1]), B };
  }

  private disposeBatch(b: Batch): void {
    b.x.dispose();
    b.mask.dispose();
    b.counts.dispose();
  }

  private init(rng: Rng): ParamMap {
    const { embedDim: e, hidden: h, convLayers, fusion } = this.options;
    const c = this.inputWidth;
    // the embedding's rows: numeric columns, element one-hots (the learned element embedding), bias
    const p: ParamMap = { emb: glorot(rng, c, e) };
    // LSTM gates i, f, o and candidate g (columns in that order); forget bias 1 keeps the centre in memory along the shell
    p.lstmWx = glorot(rng, e, 4 * h);
    p.lstmWh = glorot(rng, h, 4 * h);
    p.lstmB = tf.variable(tf.tensor1d([...new Array(h).fill(0), ...new Array(h).fill(1), ...new Array(2 * h).fill(0)]));
    // GRU gates z, r and candidate n
    p.gruWx = glorot(rng, h, 3 * h);
    p.gruB = constant([3 * h], 0);
    p.gruWzr = glorot(rng, h, 2 * h);
    p.gruWn = glorot(rng, h, h);
    for (let l = 0; l < convLayers; l++) {
      p[`convW${l}`] = heUniform(rng, 3 * h, h);
      p[`convB${l}`] = constant([h], 0);
    }
    const f = fusion === 'concat' ? 2 * h : h;
    if (fusion === 'gated') {
      p.gateW = glorot(rng, 2 * h, h);
      p.gateB = constant([h], 0);
    }
    const S = this.layout.segments;
    p.headW1 = heUniform(rng, S * (f + h), h);
    p.headB1 = constant([h], 0);
    p.headW2 = glorot(rng, h, 1);
    p.headB2 = constant([1], 0);
    return p;
  }

  /**
   * Forward pass of one batch → [B]. `capture` receives the LSTM and GRU states,
   * time-major [L·N, h] (kept out of tidy), for the chemical-environment vectors.
   */
  private run(p: ParamMap, batch: Batch, capture?: tf.Tensor2D[]): tf.Tensor1D {
    const { hidden: h, convLayers, fusion } = this.options;
    const { x, L, N, mask, counts, B } = batch;
    const S = this.layout.segments;
    // Real tokens come first in every segment and both recurrences run forward, so a
    // real token's state never depends on padding: states are masked once, afterwards.
    // The input halves of both recurrences are one product over all steps, split by step:
    // a matMul costs ~3 kernel calls with its gradient and the per-call cost dominates here.
    const emb = tf.matMul(x, p.emb as tf.Tensor2D);
    const xl = tf.split(tf.add(tf.matMul(emb, p.lstmWx as tf.Tensor2D), p.lstmB), L, 0) as tf.Tensor2D[];
    let hS: tf.Tensor2D = tf.zeros([N, h]);
    let cS: tf.Tensor2D = tf.zeros([N, h]);
    const lstmOut: tf.Tensor2D[] = [];
    for (let t = 0; t < L; t++) {
      const [ig, fg, og, gg] = tf.split(tf.sigmoid(tf.add(xl[t], tf.matMul(hS, p.lstmWh as tf.Tensor2D))), 4, 1);
      // candidate tanh(a/2) = 2σ(a) − 1 (the factor ½ lives in the learned weights)
      cS = tf.add(tf.mul(fg, cS), tf.mul(ig, tf.sub(tf.mul(gg, 2), 1))) as tf.Tensor2D;
      hS = tf.mul(og, tanhOfHalf(tf.mul(cS, 2))) as tf.Tensor2D;
      lstmOut.push(hS);
    }
    const H1all = tf.concat(lstmOut, 0) as tf.Tensor2D;
    const [xzrAll, xnAll] = tf.split(tf.add(tf.matMul(H1all, p.gruWx as tf.Tensor2D), p.gruB), [2 * h, h], 1);
    const xzr = tf.split(xzrAll, L, 0) as tf.Tensor2D[];
    const xn = tf.split(xnAll, L, 0) as tf.Tensor2D[];
    let g: tf.Tensor2D = tf.zeros([N, h]);
    const gruOut: tf.Tensor2D[] = [];
    for (let t = 0; t < L; t++) {
      const [z, r] = tf.split(tf.sigmoid(tf.add(xzr[t], tf.matMul(g, p.gruWzr as tf.Tensor2D))), 2, 1);
      const n = tanhOfHalf(tf.add(xn[t], tf.matMul(tf.mul(r, g) as tf.Tensor2D, p.gruWn as tf.Tensor2D)));
      g = tf.add(n, tf.mul(z, tf.sub(g, n))) as tf.Tensor2D; // (1 − z)·n + z·g
      gruOut.push(g);
    }
    // time-major [L·N, h], padding zeroed
    const H1 = tf.mul(H1all, mask) as tf.Tensor2D;
    const H2 = tf.mul(tf.concat(gruOut, 0), mask) as tf.Tensor2D;
    if (capture) capture.push(tf.keep(H1), tf.keep(H2));

    // dilated residual convolutions (kernel 3, dilation 2^l), zero beyond each segment's ends
    // (time-major, a shift by d steps is a re-concatenation of the step blocks)
    let C = H2;
    const zero = tf.zeros([N, h]);
    for (let l = 0; l < convLayers; l++) {
      const d = 2 ** l;
      const parts = tf.split(C, L, 0);
      const before = tf.concat(parts.map((_, t) => (t - d >= 0 ? parts[t - d] : zero)), 0);
      const after = tf.concat(parts.map((_, t) => (t + d < L ? parts[t + d] : zero)), 0);
      const conv = tf.relu(tf.add(tf.matMul(tf.concat([before, C, after], 1) as tf.Tensor2D, p[`convW${l}`] as tf.Tensor2D), p[`convB${l}`]));
      C = tf.mul(tf.add(C, conv), mask) as tf.Tensor2D;
    }

    let F: tf.Tensor2D;
    if (fusion === 'concat') F = tf.concat([H2, C], 1) as tf.Tensor2D;
    else {
      const gate = tf.sigmoid(tf.add(tf.matMul(tf.concat([H2, C], 1) as tf.Tensor2D, p.gateW as tf.Tensor2D), p.gateB));
      F = tf.mul(tf.add(C, tf.mul(gate, tf.sub(H2, C))), mask) as tf.Tensor2D; // g·GRU + (1 − g)·CNN
    }
    const f = F.shape[1];
    // masked mean over each segment's real tokens, beside the GRU state at its centre
    // (step 0: the substituted element itself, which a mean over ~15 tokens dilutes)
    const pooled = tf.div(tf.sum(tf.reshape(F, [L, N, f]), 0), counts);
    const seg = tf.reshape(tf.concat([pooled, gruOut[0]], 1), [B, S * (f + h)]) as tf.Tensor2D;
    const hid = tf.relu(tf.add(tf.matMul(seg, p.headW1 as tf.Tensor2D), p.headB1)) as tf.Tensor2D;
    return tf.reshape(tf.add(tf.matMul(hid, p.headW2 as tf.Tensor2D), p.headB2), [-1]) as tf.Tensor1D;
  }

  private checkRows(X: readonly (readonly number[])[]): void {
    checkXy(X, undefined, this.layout.tokens * this.layout.width);
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    checkXy(X, y, this.layout.tokens * this.layout.width);
    await initTf();
    this.dispose();
    // element vocabulary and numeric scales from the real tokens of the training rows
    this.encoding = fitTokenEncoding(this.layout, X, numericColumns(this.layout));
    this.target = fitTargetScale(y);
    const ys = y.map((v) => (v - this.target.mean) / this.target.scale);
    const prep = this.prepare(X);
    this.reports = [];
    for (let m = 0; m < this.options.members; m++) {
      const rng = createRng(m === 0 ? this.options.seed : childSeed(this.options.seed, `ensemble member ${m}`)) // member 0 is the seed's own model;
      const p = this.init(rng);
      this.members.push(p);
      this.reports.push(this.train(p, prep, ys, rng));
    }
  }

  /** Mini-batch Adam on the MAE, seeded shuffling, early stopping on an inner split with best-weight restore. */
  private train(p: ParamMap, prep: Prepared, y: number[], rng: Rng): LGDCNNReport {
    const o = this.options;
    // y is standardised: a raw 0 maps to exactly this value (same arithmetic)
    const anchorValue = (0 - this.target.mean) / this.target.scale;
    const anchors = new Set(y.flatMap((v, i) => (v === anchorValue ? [i] : [])));
    const order = permutation(y.length, rng).filter((i) => !anchors.has(i));
    const n = order.length;
    const nVal = o.validationFraction > 0 && n >= 10 ? Math.max(1, Math.round(o.validationFraction * n)) : 0;
    const valIdx = order.slice(0, nVal);
    const trIdx = [...order.slice(nVal), ...[...anchors].flatMap((i) => new Array<number>(o.anchorRepeat).fill(i))];
    const optimizer = tf.train.adam(o.learningRate);
    const vars = Object.values(p);
    const decayed = Object.keys(p)
      .filter((k) => /W/.test(k))
      .map((k) => p[k]);
    const report: LGDCNNReport = { epochsRun: 0, bestEpoch: -1, bestValLoss: Infinity };
    const stopping = new EarlyStopping(vars, o.patience, report);
    const val = nVal ? this.batch(prep, valIdx) : null;
    const yVal = valIdx.map((i) => y[i]);
    try {
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        const perm = permutation(trIdx.length, rng).map((k) => trIdx[k]);
        for (let s = 0; s < perm.length; s += o.batchSize) {
          const idx = perm.slice(s, s + o.batchSize);
          const b = this.batch(prep, idx);
          const yb = tf.tensor1d(idx.map((i) => y[i]));
          tf.tidy(() => {
            optimizer.minimize(
              () => penalisedMae(this.run(p, b), yb, o.weightDecay, decayed),
              false,
              vars,
            );
          });
          yb.dispose();
          this.disposeBatch(b);
        }
        report.epochsRun = epoch + 1;
        if (!val) continue;
        const pv = tf.tidy(() => this.run(p, val).dataSync());
        const vl = yVal.reduce((a, v, i) => a + Math.abs(v - pv[i]), 0) / yVal.length;
        if (stopping.observe(vl, epoch)) break;
      }
      stopping.restore();
    } finally {
      if (val) this.disposeBatch(val);
      optimizer.dispose();
    }
    return report;
  }

  predict(X: number[][]): number[] {
    if (!this.members.length) throw new Error('LGDCNNRegressor.predict before fit');
    this.checkRows(X);
    const out = new Array<number>(X.length).fill(0);
    for (let s = 0; s < X.length; s += 512) {
      const prep = this.prepare(X.slice(s, s + 512));
      const b = this.batch(prep, prep.tokens.map((_, i) => i));
      for (const p of this.members) {
        const z = tf.tidy(() => this.run(p, b).dataSync());
        z.forEach((v, i) => (out[s + i] += v / this.members.length));
      }
      this.disposeBatch(b);
    }
    return out.map((v) => v * this.target.scale + this.target.mean);
  }

  /**
   * The learned representation of every real token: its LSTM ⊕ GRU hidden state
   * (first ensemble member), the element's state in the context of its centre and shell.
   */
  tokenStates(X: number[][]): TokenState[] {
    if (!this.members.length) throw new Error('LGDCNNRegressor.tokenStates before fit');
    this.checkRows(X);
    const S = this.layout.segments;
    const h = this.options.hidden;
    const out: TokenState[] = [];
    for (let s = 0; s < X.length; s += 256) {
      const rows = X.slice(s, s + 256);
      const prep = this.prepare(rows);
      const b = this.batch(prep, rows.map((_, i) => i));
      const caps: tf.Tensor2D[] = [];
      tf.tidy(() => {
        this.run(this.members[0], b, caps);
      });
      this.disposeBatch(b);
      const [h1, h2] = caps.map((t) => t.dataSync());
      caps.forEach((t) => t.dispose());
      const N = rows.length * S;
      const { L } = prep;
      rows.forEach((row, i) => {
        for (let seg = 0; seg < S; seg++)
          for (let t = 0; t < L; t++) {
            if (prep.masks[i][seg * L + t] !== 1) continue;
            const at = (t * N + i * S + seg) * h;
            const src = (seg * this.layout.segmentLength + t) * this.layout.width;
            out.push({ row: s + i, segment: seg, position: t, Z: row[src + this.layout.elementColumn], state: [...h1.subarray(at, at + h), ...h2.subarray(at, at + h)] });
          }
      });
    }
    return out;
  }

  dispose(): void {
    for (const p of this.members) disposeParams(p);
    this.members = [];
  }

  toJSON(): LGDCNNJSON {
    if (!this.members.length) throw new Error('LGDCNNRegressor.toJSON before fit');
    return {
      kind: 'LGDCNN',
      options: { ...this.options },
      layout: this.layout,
      encoding: this.encoding,
      target: { ...this.target },
      members: this.members.map(paramsToJSON),
    };
  }

  static async fromJSON(json: RegressorJSON): Promise<LGDCNNRegressor> {
    const j = json as LGDCNNJSON;
    if (j.kind !== 'LGDCNN') throw new Error(`LGDCNNRegressor.fromJSON: kind is ${j.kind}`);
    if (!Array.isArray(j.members) || j.members.length === 0) throw new Error('LGDCNNRegressor.fromJSON: no weights');
    await initTf();
    const m = new LGDCNNRegressor(j.layout, j.options);
    m.encoding = tokenEncodingFromJSON(j.encoding, 'LGDCNN');
    m.target = { ...j.target };
    m.members = j.members.map(paramsFromJSON);
    return m;
  }
}
