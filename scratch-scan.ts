import { readStructure } from './src/structure/io.ts';
import { substitutionPairs } from './src/substitution/pairs.ts';
import { loadDataset, cleanDataset, collapseByKey } from './src/substitution/dataset.ts';
import { SubstitutionModel, familySpec, type FamilyName } from './src/model/family.ts';
import { groupKFold, leaveGroupOut, take } from './src/model/splits.ts';
import { mae } from './src/model/metrics.ts';
const e = substitutionPairs(readStructure('structures/alpha-Nb5Si3/structure.cif', {}), { maxDistance: 3.6 });
const samples = collapseByKey(cleanDataset(loadDataset('structures/alpha-Nb5Si3/eds.csv', e)).rows);
const y = samples.map(s => s.eds);
const fam = process.argv[2] as FamilyName;
const lso = process.argv[3] === 'lso';
const grid = JSON.parse(process.argv[4]);
for (const params of grid) {
  const { props, ...pp } = params; const spec = familySpec(fam, 'SVR', pp, props ? { properties: props } : {});
  const d = 1;
  const splits = lso ? leaveGroupOut(samples.map(s => [s.substitution.pair.siteA, s.substitution.pair.siteB])) : groupKFold(samples.map(s => s.key), 5, 1);
  const errs: string[] = []; let tot = 0;
  for (const sp of splits) {
    const m = await SubstitutionModel.fit(spec, e, take(samples, sp.train));
    const p = m.predict(e, take(samples, sp.test).map(s => s.substitution));
    const v = mae(take(y, sp.test), p); tot += v; errs.push(v.toFixed(3));
    const ts = take(samples, sp.test); const si = ts.map((s,k)=>s.kind==='single'?k:-1).filter(k=>k>=0);
    errs.push('[single ' + mae(si.map(k=>ts[k].eds), si.map(k=>p[k])).toFixed(3) + ']');
  }
  console.log(fam, lso ? 'LSO' : 'grouped', JSON.stringify(params), (tot / splits.length).toFixed(4), errs.join(' '));
}
