import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { collapseByKey } from '../../src/substitution/dataset.ts';
import { familySpec, fitFamily } from '../../src/model/families.ts';
import { groupKFold, take } from '../../src/model/splits.ts';
const { data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
const params = JSON.parse(process.argv[2] ?? '{}');
const folds = groupKFold(samples.map((s) => s.key), 5, 0).slice(0, Number(process.argv[3] ?? 1));
const acc: Record<string, number> = {}; let n = 0;
for (const f of folds) {
  const train = take(samples, f.train), test = take(samples, f.test);
  const e = test[0].enumeration, subs = test.map((x) => x.substitution);
  const gp = await fitFamily(familySpec('gp', 'svr', { seed: 0, params }), train);
  const svr = await fitFamily(familySpec('site', 'svr', { seed: 0 }), train);
  const tr = await fitFamily(familySpec('transfer', 'svr', { seed: 0 }), train);
  const pg = gp.predict(e, subs), ps = svr.predict(e, subs), pt = tr.predict(e, subs);
  const add = (k: string, p: number[]) => (acc[k] = (acc[k] ?? 0) + p.reduce((a, v, i) => a + Math.abs(v - test[i].eds), 0));
  add('gp', pg); add('svr', ps); add('transfer', pt);
  add('avg', pg.map((v, i) => test[i].kind === 'single' ? v : (v + ps[i]) / 2));
  add('avg3', pg.map((v, i) => test[i].kind === 'single' ? v : (v + ps[i] + pt[i]) / 3));
  n += test.length;
}
console.log(Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, (v / n * 1000).toFixed(1)])));
