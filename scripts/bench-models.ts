/**
 * Model timings on α-Nb5Si3: the full `paper` protocol for SVR (random 8:2
 * split, 20 × 5-fold CV on the training part, per-site models, hyper-parameter
 * search), then one grouped evaluation per model kind and family.
 * Run: npx tsx scripts/bench-models.ts [--quick]
 */
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { familySpec } from '../src/model/families/index.ts';
import { evaluate } from '../src/model/evaluation/evaluate.ts';

const quick = process.argv.includes('--quick');
const { data } = trainingData(DEFAULT_DATA);
const ms = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

async function run(label: string, protocol: string, family: string, model: string, repeats: number, search: boolean, perSite: boolean) {
  const t = performance.now();
  const r = await evaluate(data, { protocol, spec: familySpec(family, model, { seed: 0 }), seed: 0, repeats, search, perSite });
  const sites = Object.entries(r.per_site).map(([k, v]) => `${k} ${(v.mae * 1000).toFixed(0)}`).join(', ');
  console.log(
    `${label.padEnd(44)} ${ms(t).padStart(6)} s   test MAE ${(r.test.mae * 1000).toFixed(1)} meV` +
      (r.cv ? `, CV ${(r.cv.mae * 1000).toFixed(1)} ± ${(r.cv.sd * 1000).toFixed(1)} (${r.cv.folds} folds)` : '') +
      (sites ? ` | ${sites}` : ''),
  );
}

await run('SVR site, paper, 20×5 CV, search, per site', 'paper', 'site', 'svr', quick ? 2 : 20, true, true);
await run('SVR site, grouped, 20×5 CV', 'grouped', 'site', 'svr', quick ? 2 : 20, false, false);
await run('SVR transfer, grouped, 20×5 CV', 'grouped', 'transfer', 'svr', quick ? 2 : 20, false, false);
await run('SVR transfer, leave-site-out', 'leave-site-out', 'transfer', 'svr', 0, false, false);
await run('SVR site, leave-site-out', 'leave-site-out', 'site', 'svr', 0, false, false);
for (const kind of ['rf', 'dnn', 'mhar']) await run(`${kind} site, grouped (one fit)`, 'grouped', 'site', kind, 0, false, false);
for (const kind of ['rf', 'dnn']) await run(`${kind} transfer, leave-site-out`, 'leave-site-out', 'transfer', kind, 0, false, false);
