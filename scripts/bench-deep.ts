/**
 * The deep models against the SVR on the strict protocols (issue 13): grouped 5-fold CV
 * (site family, the same folds for every model) and leave-site-out (transfer family,
 * pooled over the four held-out sites), test MAE and seconds per fit.
 *   nice npx tsx scripts/bench-deep.ts [--seed 0] [--models svr,dnn,lgdcnn,mhar-tokens,mhar] [--lso svr,dnn,lgdcnn] [--json out.json]
 * Not a test: about 30–40 minutes on 2 shared cores, most of it the MHARs.
 */
import { writeFileSync } from 'node:fs';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { familySpec } from '../src/model/families/index.ts';
import { evaluate, fitPredict, scores } from '../src/model/evaluation/evaluate.ts';
import { featureDefinition } from '../src/features/sets.ts';
import { groupKFold, take } from '../src/model/learn/splits.ts';
import { fixed } from '../src/figures/text.ts';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : d;
};
const seed = Number(arg('--seed', '0'));
/** name → regressor and feature set */
const MODELS: Record<string, { model: string; features: string }> = {
  svr: { model: 'svr', features: 'ceaet' },
  dnn: { model: 'dnn', features: 'ceaet' },
  lgdcnn: { model: 'lgdcnn', features: 'tokens' },
  'mhar-tokens': { model: 'mhar', features: 'tokens' },
  mhar: { model: 'mhar', features: 'ceaet' },
};
const grouped = arg('--models', 'svr,dnn,lgdcnn,mhar-tokens,mhar').split(',').filter(Boolean);
const lso = arg('--lso', 'svr,dnn,lgdcnn').split(',').filter(Boolean);
const { data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
const folds = groupKFold(samples.map((s) => s.key), 5, seed);
const meV = (x: number) => fixed(x * 1000, 1);
const out: Record<string, unknown> = { date: new Date().toISOString(), seed, grouped5fold: {}, leaveSiteOut: {} };
const save = () => {
  const file = arg('--json', '');
  if (file) writeFileSync(file, JSON.stringify(out, null, 2));
};

console.log(`## grouped 5-fold CV, site family (seed ${seed}): test MAE meV (± sd over folds), seconds per fit`);
for (const name of grouped) {
  const m = MODELS[name];
  const spec = familySpec('site', m.model, { seed, features: featureDefinition(m.features) });
  const maes: number[] = [];
  const secs: number[] = [];
  for (const f of folds) {
    const t = performance.now();
    const test = take(samples, f.test);
    const p = await fitPredict(spec, take(samples, f.train), test);
    secs.push((performance.now() - t) / 1000);
    maes.push(scores(test.map((s) => s.eds), p.mean).mae);
    console.log(`  ${name} fold ${maes.length}: ${meV(maes.at(-1)!)} meV, ${fixed(secs.at(-1)!, 1)} s`);
  }
  const mean = maes.reduce((a, b) => a + b, 0) / maes.length;
  const sd = Math.sqrt(maes.reduce((a, b) => a + (b - mean) ** 2, 0) / maes.length);
  const s = secs.reduce((a, b) => a + b, 0) / secs.length;
  (out.grouped5fold as Record<string, unknown>)[name] = { mae: mean, sd, folds: maes, secondsPerFit: s, maxSecondsPerFit: Math.max(...secs) };
  console.log(`${name.padEnd(12)} ${meV(mean)} ± ${meV(sd)} meV   ${fixed(s, 1)} s per fit (max ${fixed(Math.max(...secs), 1)})`);
  save();
}

console.log(`\n## leave-site-out, transfer family (pooled over the held-out sites): test MAE meV, seconds per fit`);
for (const name of lso) {
  const m = MODELS[name];
  const t = performance.now();
  const r = await evaluate(data, { protocol: 'leave-site-out', spec: familySpec('transfer', m.model, { seed, features: featureDefinition(m.features) }), seed, baselines: false });
  const s = (performance.now() - t) / 1000 / Object.keys(r.per_site).length;
  (out.leaveSiteOut as Record<string, unknown>)[name] = { mae: r.test.mae, perSite: Object.fromEntries(Object.entries(r.per_site).map(([k, v]) => [k, v.mae])), secondsPerFit: s };
  console.log(`${name.padEnd(12)} ${meV(r.test.mae)} meV (${Object.entries(r.per_site).map(([k, v]) => `${k} ${meV(v.mae)}`).join(', ')})   ${fixed(s, 1)} s per fit`);
  save();
}
