/**
 * Model timings on α-Nb5Si3: the full `paper` protocol for SVR (random 8:2
 * split, 20 × 5-fold CV on the training part, per-site models, hyper-parameter
 * search), then one grouped evaluation per model kind and family.
 * Run: npx tsx scripts/bench-models.ts [--quick]
 */
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { familySpec, type FamilyName } from '../src/model/family.ts';
import { evaluate, type Protocol } from '../src/model/protocols.ts';
import type { RegressorKind } from '../src/model/estimator.ts';

const quick = process.argv.includes('--quick');
const { system, data } = trainingData(DEFAULT_DATA);
const ms = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

async function run(label: string, protocol: Protocol, family: FamilyName, kind: RegressorKind, repeats: number, search: boolean, perSite: boolean) {
  const t = performance.now();
  const r = await evaluate(system.enumeration, data, { protocol, spec: familySpec(family, kind, { seed: 0 }), seed: 0, repeats, search, perSite });
  const sites = Object.entries(r.per_site).map(([k, v]) => `${k} ${(v.mae * 1000).toFixed(0)}`).join(', ');
  console.log(
    `${label.padEnd(44)} ${ms(t).padStart(6)} s   test MAE ${(r.test.mae * 1000).toFixed(1)} meV` +
      (r.cv ? `, CV ${(r.cv.mae * 1000).toFixed(1)} ± ${(r.cv.sd * 1000).toFixed(1)} (${r.cv.folds} folds)` : '') +
      (sites ? ` | ${sites}` : ''),
  );
}

await run('SVR site, paper, 20×5 CV, search, per site', 'paper', 'site', 'SVR', quick ? 2 : 20, true, true);
await run('SVR site, grouped, 20×5 CV', 'grouped', 'site', 'SVR', quick ? 2 : 20, false, false);
await run('SVR transfer, grouped, 20×5 CV', 'grouped', 'transfer', 'SVR', quick ? 2 : 20, false, false);
await run('SVR transfer, leave-site-out', 'leave-site-out', 'transfer', 'SVR', 0, false, false);
await run('SVR site, leave-site-out', 'leave-site-out', 'site', 'SVR', 0, false, false);
for (const kind of ['RandomForest', 'DNN', 'MHAR'] as RegressorKind[]) await run(`${kind} site, grouped (one fit)`, 'grouped', 'site', kind, 0, false, false);
for (const kind of ['RandomForest', 'DNN'] as RegressorKind[]) await run(`${kind} transfer, leave-site-out`, 'leave-site-out', 'transfer', kind, 0, false, false);
