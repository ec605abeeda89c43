import { readStructure } from './src/structure/io.ts';
import { substitutionPairs } from './src/substitution/pairs.ts';
import { loadDataset, cleanDataset, collapseByKey, type Sample } from './src/substitution/dataset.ts';
import { CeFeaturizer, type CeDefinition } from './src/features/ce.ts';
import { SVR } from './src/model/svr.ts';
import { groupKFold, leaveGroupOut, take } from './src/model/splits.ts';
import { mae } from './src/model/metrics.ts';

const e = substitutionPairs(readStructure('structures/alpha-Nb5Si3/structure.cif', {}), { maxDistance: 3.6 });
const samples = collapseByKey(cleanDataset(loadDataset('structures/alpha-Nb5Si3/eds.csv', e)).rows);
const y = samples.map(s => s.eds);
const host = (s: Sample) => [e.cell.sites[s.substitution.pair.atomA].element, e.cell.sites[s.substitution.pair.atomB].element];

async function siteFamily(def: Partial<CeDefinition>, params: {C:number, gamma?:number, epsilon:number}, zero = true) {
  const f = new CeFeaturizer(e, def);
  const X = samples.map(s => f.features(s.substitution));
  const X0 = samples.map(s => f.features({ pair: s.substitution.pair, elementA: host(s)[0], elementB: host(s)[1] }));
  const pairs = [...new Set(samples.map(s => s.substitution.pair.id))].map(id => e.pairs[id-1]);
  const anchors = pairs.map(p => f.features({ pair: p, elementA: e.cell.sites[p.atomA].element, elementB: e.cell.sites[p.atomB].element }));
  const run = async (train: number[], test: number[]) => {
    const trainPairs = new Set(train.map(i => samples[i].substitution.pair.id));
    const anc = pairs.map((p, k) => [p, anchors[k]] as const).filter(([p]) => trainPairs.has(p.id)).map(([, a]) => a);
    const m = new SVR({ ...params });
    await m.fit([...take(X, train), ...(zero ? anc : [])], [...take(y, train), ...(zero ? anc.map(() => 0) : [])]);
    const p = m.predict(take(X, test)); const p0 = zero ? m.predict(take(X0, test)) : p.map(() => 0);
    return p.map((v, k) => v - p0[k]);
  };
  const folds = groupKFold(samples.map(s => s.key), 5, 1);
  let errs: number[] = [];
  for (const sp of folds) { const p = await run(sp.train, sp.test); errs.push(mae(take(y, sp.test), p)); }
  const cv = errs.reduce((a,b)=>a+b)/errs.length;
  const tags = samples.map(s => [s.substitution.pair.siteA, s.substitution.pair.siteB]);
  const lso: Record<string, number> = {};
  for (const sp of leaveGroupOut(tags)) { const p = await run(sp.train, sp.test); lso[sp.tag!] = mae(take(y, sp.test), p); }
  const mean = Object.values(lso).reduce((a,b)=>a+b)/4;
  console.log(JSON.stringify(def).slice(0,120), JSON.stringify(params), 'grouped5', cv.toFixed(3), 'LSO', Object.entries(lso).map(([k,v])=>`${k}:${v.toFixed(3)}`).join(' '), 'mean', mean.toFixed(3));
}
const labels = ['NbI','NbII','SiI','SiII'];
const t0 = performance.now();
await siteFamily({}, { C: 30, epsilon: 0.05 });
console.log('t', (performance.now()-t0)/1000);
await siteFamily({ labels }, { C: 30, epsilon: 0.05 });
await siteFamily({ values: 'relative', aggregate: 'sum', host: true }, { C: 30, epsilon: 0.05 });
await siteFamily({ values: 'both', aggregate: 'sum', host: true }, { C: 30, epsilon: 0.05 });
await siteFamily({}, { C: 30, epsilon: 0.05 }, false);
