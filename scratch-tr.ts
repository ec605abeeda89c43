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
const H = (i: number) => e.cell.sites[i].element;

async function transfer(endDef: Partial<CeDefinition>, pairDef: Partial<CeDefinition>, gp: any, hp: any, useH = true, hAll = false) {
  const fe = new CeFeaturizer(e, endDef);
  const fp = new CeFeaturizer(e, pairDef);
  // ends of each sample
  const ends = samples.map(s => { const p = s.substitution.pair; return [[p.atomA, s.substitution.elementA], [p.atomB, s.substitution.elementB]] as [number,string][]; });
  const G = (atom: number, el: string) => fe.endFeatures(atom, el);
  const run = async (train: number[], test: number[]) => {
    // stage 1: singles
    const singles = train.filter(i => samples[i].kind === 'single');
    const Xs: number[][] = [], ys: number[] = [];
    const atoms = new Set<number>();
    for (const i of singles) { for (const [a, el] of ends[i]) { atoms.add(a); if (el !== H(a)) { Xs.push(G(a, el)); ys.push(y[i]); } } }
    for (const i of train) for (const [a] of ends[i]) atoms.add(a);
    for (const a of atoms) { Xs.push(G(a, H(a))); ys.push(0); }
    const g = new SVR(gp); await g.fit(Xs, ys);
    const s = (i: number) => ends[i].reduce((acc, [a, el]) => acc + (el === H(a) ? 0 : g.predict([G(a, el)])[0] - g.predict([G(a, H(a))])[0]), 0);
    if (!useH) return test.map(s);
    // stage 2: pair residuals
    const pairsTrain = hAll ? train : train.filter(i => samples[i].kind === 'pair');
    const F = (i: number, xa: string, xb: string) => fp.features({ pair: samples[i].substitution.pair, elementA: xa, elementB: xb });
    const h = new SVR(hp);
    await h.fit(pairsTrain.map(i => F(i, samples[i].substitution.elementA, samples[i].substitution.elementB)), pairsTrain.map(i => y[i] - s(i)));
    return test.map(i => {
      const sub = samples[i].substitution; const ha = H(sub.pair.atomA), hb = H(sub.pair.atomB);
      let inter = 0;
      if (hAll) { const [f11, f00] = h.predict([F(i, sub.elementA, sub.elementB), F(i, ha, hb)]); inter = f11 - f00; }
      else if (sub.elementA !== ha && sub.elementB !== hb) {
        const [f11, f10, f01, f00] = h.predict([F(i, sub.elementA, sub.elementB), F(i, sub.elementA, hb), F(i, ha, sub.elementB), F(i, ha, hb)]);
        inter = f11 - f10 - f01 + f00;
      }
      return s(i) + inter;
    });
  };
  const folds = groupKFold(samples.map(s => s.key), 5, 1);
  let errs: number[] = [];
  for (const sp of folds) { const p = await run(sp.train, sp.test); errs.push(mae(take(y, sp.test), p)); }
  const cv = errs.reduce((a,b)=>a+b)/errs.length;
  const tags = samples.map(s => [s.substitution.pair.siteA, s.substitution.pair.siteB]);
  const lso: Record<string, number> = {};
  for (const sp of leaveGroupOut(tags)) { const p = await run(sp.train, sp.test); lso[sp.tag!] = mae(take(y, sp.test), p); }
  const mean = Object.values(lso).reduce((a,b)=>a+b)/4;
  console.log(JSON.stringify(endDef).slice(0,100), '|', JSON.stringify(pairDef).slice(0,80), JSON.stringify(gp), JSON.stringify(hp), 'grouped5', cv.toFixed(3), 'LSO', Object.entries(lso).map(([k,v])=>`${k}:${v.toFixed(3)}`).join(' '), 'mean', mean.toFixed(3));
}
const rel = { values: 'relative', aggregate: 'mean', host: true, geometry: true } as const;
const sp = { C: 30, epsilon: 0.05 };
const variant = process.argv[2];
if (variant === 'a') await transfer(rel, { values: 'absolute', aggregate: 'mean', geometry: true }, sp, sp);
if (variant === 'b') await transfer(rel, { values: 'both', aggregate: 'sum', host: true, geometry: true }, sp, sp);
if (variant === 'c') await transfer(rel, { values: 'relative', aggregate: 'sum', host: true, geometry: true }, sp, { C: 100, epsilon: 0.05 });
if (variant === 'd') await transfer(rel, { values: 'relative', aggregate: 'sum', host: true, geometry: true }, { C: 100, epsilon: 0.05 }, sp);
if (variant === 'e1') await transfer(rel, { values: 'absolute', aggregate: 'mean', geometry: true }, sp, sp, true, true);
if (variant === 'e2') await transfer(rel, { values: 'both', aggregate: 'sum', host: true, geometry: true }, sp, sp, true, true);
