/**
 * The numbers behind the README's results: every model family and baseline on
 * the strict protocols (grouped 5-fold CV, leave-site-out per held-out site,
 * leave-element-out), the 90 % interval coverage and width, the k-shot curve of
 * a new site (suggested vs random calculations, 5 draws) and the learning curve.
 *   npx tsx scripts/bench-transfer.ts [--seed 0] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { familySpec } from '../src/model/families/index.ts';
import { evaluate, fitPredict, scores, type EvaluationResult } from '../src/model/evaluation/evaluate.ts';
import { baselineSpecs } from '../src/model/families/index.ts';
import { protocolEntry } from '../src/model/evaluation/protocols.ts';
import { groupKFold, take } from '../src/model/learn/splits.ts';
import { formatShots } from '../src/figures/text.ts';
import { fixed } from '../src/figures/text.ts';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : d;
};
const seed = Number(arg('--seed', '0'));
const { data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
const meV = (x: number) => fixed(x * 1000, 0);
const t0 = performance.now();
const out: Record<string, unknown> = { date: new Date().toISOString().slice(0, 10), seed };

// strict grouped 5-fold CV: every family and baseline on the same folds
const families: [string, ReturnType<typeof familySpec>][] = [
  ['gp', familySpec('gp', undefined, { seed })],
  ['site SVR', familySpec('site', 'svr', { seed })],
  ['transfer SVR', familySpec('transfer', 'svr', { seed })],
  ...baselineSpecs(protocolEntry('grouped').leaky, seed),
];
const folds = groupKFold(samples.map((s) => s.key), 5, seed);
const cv: Record<string, { mae: number; sd: number; coverage?: number; width?: number; seconds: number }> = {};
for (const [name, spec] of families) {
  const t = performance.now();
  const maes: number[] = [];
  const y: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const f of folds) {
    const test = take(samples, f.test);
    const p = await fitPredict(spec, take(samples, f.train), test);
    maes.push(scores(test.map((s) => s.eds), p.mean).mae);
    y.push(...test.map((s) => s.eds));
    if (p.lo) lo.push(...p.lo), hi.push(...p.hi!);
  }
  const mean = maes.reduce((a, b) => a + b, 0) / maes.length;
  const sd = Math.sqrt(maes.reduce((a, b) => a + (b - mean) ** 2, 0) / maes.length);
  cv[name] = { mae: mean, sd, seconds: (performance.now() - t) / 1000 / folds.length };
  if (lo.length) {
    cv[name].coverage = y.filter((v, i) => v >= lo[i] && v <= hi[i]).length / y.length;
    cv[name].width = y.reduce((a, _, i) => a + hi[i] - lo[i], 0) / y.length;
  }
}
out.grouped5fold = cv;
console.log(`## strict grouped 5-fold CV (seed ${seed}), test MAE meV (± sd over folds)\n`);
console.log('| model | MAE | 90 % coverage | width (eV) | s per fit |\n|---|---|---|---|---|');
for (const [name, r] of Object.entries(cv)) console.log(`| ${name} | ${meV(r.mae)} ± ${meV(r.sd)} | ${r.coverage === undefined ? '' : `${fixed(100 * r.coverage, 1)} %`} | ${r.width === undefined ? '' : fixed(r.width, 2)} | ${fixed(r.seconds, 1)} |`);

// leave-site-out with the k-shot curve, and leave-element-out
const lso: EvaluationResult[] = [];
for (const [name, spec] of families.slice(0, 3)) {
  const r = await evaluate(data, { protocol: 'leave-site-out', spec, seed, repeats: 0, baselines: name === 'gp', ...(name === 'gp' ? { shots: [0, 5, 10, 20, 40], draws: 5 } : {}) });
  lso.push(r);
}
out.leaveSiteOut = lso.map((r) => ({ family: r.family, test: r.test, per_site: r.per_site, baselines: r.baselines, shots: r.shots }));
const sites = Object.keys(lso[0].per_site);
console.log(`\n## leave-site-out (k = 0), test MAE meV per held-out site (GP: 90 % coverage, mean width)\n`);
console.log(`| model | pooled | ${sites.join(' | ')} |\n|---|---|${sites.map(() => '---').join('|')}|`);
for (const r of lso) console.log(`| ${r.family} | ${meV(r.test.mae)} | ${sites.map((s) => `${meV(r.per_site[s].mae)}${r.per_site[s].coverage !== undefined ? ` (${fixed(100 * r.per_site[s].coverage!, 0)} %, ${fixed(r.per_site[s].width!, 2)} eV)` : ''}`).join(' | ')} |`);
for (const [name, b] of Object.entries(lso[0].baselines)) console.log(`| ${name} | ${meV(b.mae)} | ${sites.map(() => '').join(' | ')} |`);
console.log('\n' + formatShots(lso[0].shots!));

const leo: EvaluationResult[] = [];
for (const [, spec] of families.slice(0, 3)) leo.push(await evaluate(data, { protocol: 'leave-element-out', spec, seed, repeats: 0, baselines: spec.family === 'gp' }));
out.leaveElementOut = leo.map((r) => ({ family: r.family, test: r.test, per_element: r.per_element, baselines: r.baselines }));
console.log(`\n## leave-element-out, pooled test MAE meV\n`);
console.log(leo.map((r) => `${r.family} ${meV(r.test.mae)}${r.test.coverage !== undefined ? ` (coverage ${fixed(100 * r.test.coverage, 1)} %)` : ''}`).join(', ') + '; ' + Object.entries(leo[0].baselines).map(([k, b]) => `${k} ${meV(b.mae)}`).join(', '));

const lc = await evaluate(data, { protocol: 'grouped', spec: families[0][1], seed, repeats: 0, baselines: false, learningCurve: [0.1, 0.25, 0.5, 0.75, 1] });
out.learningCurve = lc.learning_curve;
console.log(`\n## learning curve (grouped hold-out, test MAE meV): gp / additive\n`);
console.log(lc.learning_curve!.map((p) => `${fixed(100 * p.fraction, 0)} % (${p.n_train}): ${meV(p.mae)} / ${meV(p.additive)}`).join('; '));
console.log(`\n${fixed((performance.now() - t0) / 1000, 0)} s on this machine`);
const json = arg('--json', '');
if (json) writeFileSync(json, JSON.stringify(out, null, 2));
