/** Regression and sign-classification metrics on plain arrays. */

function checkLengths(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  if (a.length === 0) throw new Error('empty vectors');
}

export function mean(a: readonly number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

/** Population standard deviation (divides by n). */
export function std(a: readonly number[]): number {
  const m = mean(a);
  let s = 0;
  for (const v of a) s += (v - m) ** 2;
  return Math.sqrt(s / a.length);
}

export function mae(yTrue: readonly number[], yPred: readonly number[]): number {
  checkLengths(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}

export function rmse(yTrue: readonly number[], yPred: readonly number[]): number {
  checkLengths(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i] - yPred[i]) ** 2;
  return Math.sqrt(s / yTrue.length);
}

/** Coefficient of determination 1 − SS_res/SS_tot (can be negative; NaN when y is constant). */
export function r2(yTrue: readonly number[], yPred: readonly number[]): number {
  checkLengths(yTrue, yPred);
  const m = mean(yTrue);
  let res = 0;
  let tot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    res += (yTrue[i] - yPred[i]) ** 2;
    tot += (yTrue[i] - m) ** 2;
  }
  return tot === 0 ? NaN : 1 - res / tot;
}

/** Pearson correlation; 0 when either vector is constant. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  checkLengths(a, b);
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

export interface ClassificationScores {
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Scores for the positive class "y < threshold" (a stabilising substitution
 * when y is a substitution energy and threshold = 0). Precision/recall/F1 are
 * 0 when undefined (no predicted or no true positives), as in scikit-learn's
 * zero_division=0.
 */
export function classification(
  yTrue: readonly number[],
  yPred: readonly number[],
  threshold = 0,
): ClassificationScores {
  checkLengths(yTrue, yPred);
  return labelScores(
    yTrue.map((y) => y < threshold),
    yPred.map((y) => y < threshold),
  );
}

/** The same scores from true and predicted labels of the positive class (e.g. "P(stabilising) ≥ 0.9"). */
export function labelScores(truth: readonly boolean[], predicted: readonly boolean[]): ClassificationScores {
  checkLengths(truth, predicted);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (t && p) tp++;
    else if (!t && p) fp++;
    else if (t && !p) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { f1, precision, recall, accuracy: (tp + tn) / truth.length, tp, fp, fn, tn };
}

export interface RegressionScores {
  mae: number;
  rmse: number;
  r2: number;
}

export function regressionScores(yTrue: readonly number[], yPred: readonly number[]): RegressionScores {
  return { mae: mae(yTrue, yPred), rmse: rmse(yTrue, yPred), r2: r2(yTrue, yPred) };
}
