/**
 * Fit/predict timings and test MAE of every model on synthetic data
 * (y = sin(x0) + 0.5·x1² + noise, remaining features pure noise).
 * Usage: npx tsx scripts/bench-models-synthetic.ts [svr|rf|dnn|mhar|grid ...]
 */
import { SVR } from '../src/model/learn/svr.ts';
import { RandomForest } from '../src/model/learn/forest.ts';
import { DNNRegressor } from '../src/model/learn/dnn.ts';
import { MHARegressor } from '../src/model/learn/mhar.ts';
import { gridSearchSVR } from '../src/model/evaluation/search.ts';
import type { Regressor } from '../src/model/learn/estimator.ts';
import { mae, mean } from '../src/model/learn/metrics.ts';
import { smoothFunctionData } from '../src/model/learn/synthetic.ts';
import { tfBackendName } from '../src/model/learn/tfutil.ts';

const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['svr', 'rf', 'dnn', 'mhar']);

async function bench(name: string, model: Regressor, d: number): Promise<void> {
  const { X, y } = smoothFunctionData(1500, d, 0.05, 7);
  const Xtr = X.slice(0, 1200);
  const ytr = y.slice(0, 1200);
  const yte = y.slice(1200);
  let t = performance.now();
  await model.fit(Xtr, ytr);
  const fitS = (performance.now() - t) / 1000;
  t = performance.now();
  const p = model.predict(X);
  const predS = (performance.now() - t) / 1000;
  const testMae = mae(yte, p.slice(1200));
  const base = mae(yte, yte.map(() => mean(ytr)));
  const extra = (model as { report?: { epochsRun: number } }).report;
  console.log(
    `${name.padEnd(6)} n=1200×${d}  fit ${fitS.toFixed(2)} s  predict(1500) ${predS.toFixed(3)} s  test MAE ${testMae.toFixed(3)} (mean predictor ${base.toFixed(3)})` +
      (extra ? `  epochs ${extra.epochsRun}  backend ${tfBackendName()}` : ''),
  );
}

if (which.has('svr')) await bench('SVR', new SVR({ C: 10, epsilon: 0.05 }), 100);
if (which.has('rf')) await bench('RF', new RandomForest({ nEstimators: 100, seed: 1 }), 100);
if (which.has('rf')) await bench('RF⅓', new RandomForest({ nEstimators: 100, maxFeatures: 1 / 3, seed: 1 }), 100);
if (which.has('dnn')) await bench('DNN', new DNNRegressor({ seed: 1 }), 100);
if (which.has('mhar')) await bench('MHAR', new MHARegressor({ seed: 1 }), 60);
if (which.has('grid')) {
  const { X, y } = smoothFunctionData(1500, 100, 0.05, 7);
  const groups = X.map((_, i) => Math.floor(i / 4));
  for (const strategy of ['halving', 'full'] as const) {
    const r = await gridSearchSVR(X, y, groups, { strategy, folds: 5, seed: 1 });
    const top = r.table.slice(0, 3).map((row) => `${JSON.stringify(row.params)} ${row.meanMae.toFixed(4)}`);
    console.log(`grid ${strategy}: ${r.fits} fits, ${r.seconds.toFixed(1)} s, best ${JSON.stringify(r.best)} CV MAE ${r.bestMae.toFixed(4)}\n  ${top.join('\n  ')}`);
  }
}
