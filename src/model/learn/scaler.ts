import { finiteNumbers } from './estimator.ts';
/** Column standardisation z = (x − mean)/scale, as scikit-learn's StandardScaler. */

export interface StandardScalerJSON {
  kind: 'StandardScaler';
  mean: number[];
  scale: number[];
}

export class StandardScaler {
  mean: number[] = [];
  scale: number[] = [];

  fit(X: readonly (readonly number[])[]): this {
    if (X.length === 0) throw new Error('StandardScaler.fit: empty matrix');
    const d = X[0].length;
    const mean = new Array<number>(d).fill(0);
    for (const row of X) for (let j = 0; j < d; j++) mean[j] += row[j];
    for (let j = 0; j < d; j++) mean[j] /= X.length;
    const v = new Array<number>(d).fill(0);
    for (const row of X) for (let j = 0; j < d; j++) v[j] += (row[j] - mean[j]) ** 2;
    // population sd; a constant column keeps scale 1 so it maps to 0, not NaN
    // (relative test: round-off on a constant column must not count as spread)
    this.scale = v.map((s, j) => {
      const sd = Math.sqrt(s / X.length);
      return sd > 1e-12 * Math.max(1, Math.abs(mean[j])) ? sd : 1;
    });
    this.mean = mean;
    return this;
  }

  transform(X: readonly (readonly number[])[]): number[][] {
    const d = this.mean.length;
    return X.map((row) => {
      if (row.length !== d) throw new Error(`StandardScaler: expected ${d} columns, got ${row.length}`);
      const out = new Array<number>(d);
      for (let j = 0; j < d; j++) out[j] = (row[j] - this.mean[j]) / this.scale[j];
      return out;
    });
  }

  fitTransform(X: readonly (readonly number[])[]): number[][] {
    return this.fit(X).transform(X);
  }

  inverseTransform(Z: readonly (readonly number[])[]): number[][] {
    return Z.map((row) => row.map((z, j) => z * this.scale[j] + this.mean[j]));
  }

  toJSON(): StandardScalerJSON {
    return { kind: 'StandardScaler', mean: [...this.mean], scale: [...this.scale] };
  }

  static fromJSON(json: StandardScalerJSON): StandardScaler {
    const s = new StandardScaler();
    s.mean = [...finiteNumbers(json?.mean, 'scaler mean')];
    s.scale = [...finiteNumbers(json.scale, 'scaler scale', s.mean.length)];
    if (!s.scale.every((x) => x > 0)) throw new Error('scaler scale: expected positive numbers');
    return s;
  }
}

/** Scalar standardisation for a target vector (used inside the neural models). */
export interface TargetScale {
  mean: number;
  scale: number;
}

export function fitTargetScale(y: readonly number[]): TargetScale {
  const m = y.reduce((a, b) => a + b, 0) / y.length;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - m) ** 2, 0) / y.length);
  return { mean: m, scale: sd > 0 ? sd : 1 };
}
